/**
 * Request-reply for the task path, cheaper than nc.request: one reply subscription, a slot table
 * for tokens and one sweep timer for every request in flight. nats.js builds an Error (a stack trace)
 * per request and arms a timer per request; on the task path that was a fifth of the CPU.
 */
import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";
import { SlotTable } from "../slot-table.js";
import type { HeaderBlock } from "./header-block.js";

/** nats.js's publish reads nothing of its headers but encode(), which a HeaderBlock has. */
const wire = (h: HeaderBlock): MsgHdrs => h as unknown as MsgHdrs;

interface Pending {
  resolve: (msg: Msg) => void;
  reject: (err: Error) => void;
  expires: number;
  subject: string;
}

/** A request answered by up to `count` replies (see gather). */
interface Gathering {
  replies: Msg[];
  count: number;
  timer: NodeJS.Timeout | undefined;
  done: (replies: Msg[]) => void;
}

interface Outgoing {
  /** Undefined for a publish that wants no reply (see send). */
  token: string | undefined;
  subject: string;
  data: Uint8Array | string;
  headers: HeaderBlock | undefined;
}

export class RequestTimeoutError extends Error {
  constructor(subject: string, ms: number) {
    super(`no reply on ${subject} within ${ms} ms`);
    this.name = "RequestTimeoutError";
  }
}

export class RequestMux {
  private readonly prefix: string;
  private readonly pending = new SlotTable<Pending>("r");
  private readonly gathering = new SlotTable<Gathering>("g");
  private readonly sub: Subscription;
  private outgoing: Outgoing[] = [];
  /** Sends that may wait for the next batch (see sendLater). */
  private later: Outgoing[] = [];
  private laterTimer: NodeJS.Timeout | undefined;
  private laterDue = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    readonly timeoutMs = 5_000,
  ) {
    this.prefix = `${createInbox()}.`;
    this.sub = nc.subscribe(`${this.prefix}*`, {
      callback: (_err, msg) => {
        const token = msg.subject.slice(this.prefix.length);
        const p = this.pending.take(token);
        if (p) p.resolve(msg);
        else this.gathered(token, msg); // a gather's reply, or a request that timed out already
      },
    });
  }

  request(subject: string, data: Uint8Array | string, headers?: HeaderBlock): Promise<Msg> {
    if (this.closed) return Promise.reject(new Error("connection closed"));
    return new Promise<Msg>((resolve, reject) => {
      const token = this.pending.add({
        resolve,
        reject,
        expires: Date.now() + this.timeoutMs,
        subject,
      });
      this.outgoing.push({ token, subject, data, headers });
      if (this.outgoing.length === 1) setImmediate(this.flush);
      this.sweeper ??= setInterval(() => this.sweep(), Math.min(250, this.timeoutMs)).unref();
    });
  }

  /**
   * Publishes one request and collects its replies until `count` arrived or `maxWaitMs` passed,
   * then resolves with what came (never rejects). A status reply (no responders) ends it early.
   */
  gather(
    subject: string,
    data: Uint8Array | string,
    count: number,
    maxWaitMs: number,
  ): Promise<Msg[]> {
    if (this.closed || count <= 0) return Promise.resolve([]);
    return new Promise<Msg[]>((resolve) => {
      const g: Gathering = { replies: [], count, timer: undefined, done: resolve };
      const token = this.gathering.add(g);
      g.timer = setTimeout(() => this.endGather(token), maxWaitMs);
      this.outgoing.push({ token, subject, data, headers: undefined });
      if (this.outgoing.length === 1) setImmediate(this.flush);
    });
  }

  private gathered(token: string, msg: Msg): void {
    const g = this.gathering.get(token);
    if (!g) return;
    const isStatus = msg.data.length === 0 && msg.headers?.hasError === true;
    if (!isStatus) g.replies.push(msg);
    if (isStatus || g.replies.length >= g.count) this.endGather(token);
  }

  private endGather(token: string): void {
    const g = this.gathering.take(token);
    if (!g) return;
    clearTimeout(g.timer);
    g.done(g.replies);
  }

  /**
   * Publishes without waiting for a reply, in the same batch as this turn's requests (acks of
   * many deliveries go out in one socket write instead of one each). Dropped after close().
   */
  send(subject: string, data: Uint8Array, headers?: HeaderBlock): void {
    if (this.closed) return;
    this.outgoing.push({ token: undefined, subject, data, headers });
    if (this.outgoing.length === 1) setImmediate(this.flush);
  }

  /**
   * Publishes without a reply in the next batch that goes out anyway, or after `maxDelayMs` when
   * none does: at low load an ack then shares the socket write of the next task's request
   * instead of being a write (and a wake-up of the server) of its own.
   */
  sendLater(subject: string, data: Uint8Array, maxDelayMs: number): void {
    if (this.closed) return;
    this.later.push({ token: undefined, subject, data, headers: undefined });
    // The timer outlives a batch that takes these along (re-arming it per flush would cost a
    // timer per turn under load); it is moved only when this send is due before it fires.
    const due = Date.now() + maxDelayMs;
    if (this.laterTimer !== undefined && due >= this.laterDue) return;
    clearTimeout(this.laterTimer);
    this.laterDue = due;
    this.laterTimer = setTimeout(() => {
      this.laterTimer = undefined;
      if (this.later.length > 0) this.flush();
    }, maxDelayMs);
  }

  /**
   * Sends what this turn of the event loop asked for in one go: nats.js writes to the socket
   * once per microtask checkpoint, and requests made from many callbacks would each be a write.
   */
  private readonly flush = (): void => {
    let batch = this.outgoing;
    this.outgoing = [];
    if (this.later.length > 0) {
      batch = batch.length > 0 ? this.later.concat(batch) : this.later;
      this.later = [];
    }
    for (const o of batch) {
      if (o.token === undefined) {
        try {
          this.nc.publish(o.subject, o.data, o.headers ? { headers: wire(o.headers) } : undefined);
        } catch {
          // Closed or draining: like a lost message, the server redelivers what was not acked.
        }
        continue;
      }
      try {
        this.nc.publish(o.subject, o.data, {
          reply: this.prefix + o.token,
          ...(o.headers ? { headers: wire(o.headers) } : {}),
        });
      } catch (err) {
        this.pending.take(o.token)?.reject(err as Error);
        this.endGather(o.token);
      }
    }
  };

  get inFlight(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.pending.entries()) {
      if (p.expires > now) continue;
      this.pending.take(token);
      p.reject(new RequestTimeoutError(p.subject, this.timeoutMs));
    }
    if (this.pending.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /**
   * Sends what is queued (acks made just before closing still go out), then fails every request
   * still waiting; later requests fail at once.
   */
  close(): void {
    if (this.outgoing.length > 0 || this.later.length > 0) this.flush();
    this.closed = true;
    clearTimeout(this.laterTimer);
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const [token, p] of this.pending.entries()) {
      this.pending.take(token);
      p.reject(new Error("connection closed"));
    }
    for (const [token] of this.gathering.entries()) this.endGather(token);
    this.sub.unsubscribe();
  }
}
