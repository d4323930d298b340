import { nuid, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { utf8 } from "../nats/utf8.js";
import { Delivery, type Publish } from "./delivery.js";

export interface PullTarget {
  stream: string;
  consumer: string;
  /** Opaque tag handed back with each delivery (capability and band). */
  tag: string;
}

interface Request {
  /** The long poll's own inbox subscription; undefined for a no-wait request (shared inbox). */
  sub: Subscription | undefined;
  remaining: number;
  delivered: number;
  timer: NodeJS.Timeout;
  done: (delivered: number) => void;
  target: PullTarget;
}

/** One pull request in flight. */
export interface Pull {
  /** Resolves with how many messages were delivered, once the request is over. */
  readonly done: Promise<number>;
  /** Messages the server may still deliver to it. */
  remaining(): number;
  /** Ends it here; the server drops a request whose inbox lost interest. */
  end(): void;
}

/** The stream and consumer a delivery's ack subject names: `$JS.ACK.<stream>.<consumer>...`. */
function ackedBy(reply: string): { stream: string; consumer: string } | undefined {
  const parts = reply.split(".", 4);
  return parts.length === 4 ? { stream: parts[2] ?? "", consumer: parts[3] ?? "" } : undefined;
}

/**
 * Issues JetStream pull requests. A no-wait request returns at once when the consumer is empty,
 * which lets the worker sweep priority bands in order; a long poll waits up to `expiresMs` for up
 * to `batch` messages as they arrive.
 *
 * Deliveries keep their original subject, so the subscription is what tells requests apart. A
 * long poll gets an inbox of its own: ending one early unsubscribes it, which is how the server
 * learns to send it nothing more. No-wait requests share one inbox subscription for the
 * puller's life: the server answers each at once and keeps none open, and the loop has one at a
 * time, so a subscribe and an unsubscribe per request (each a protocol message, and interest a
 * cluster spreads to every route) bought nothing.
 */
export class Puller {
  private readonly prefix = `_INBOX.baton.${nuid.next()}`;
  private readonly requests = new Map<string, Request>();
  /**
   * The no-wait requests' inbox, `<sharedPrefix><id>`, subscribed on first use. Each one gets a
   * prefix of its own, so one still draining after endAll() never sees its successor's messages.
   */
  private shared: { sub: Subscription; prefix: string } | undefined;
  /** The no-wait request sent last, and the inbox prefix it was sent with. */
  private noWait: { id: string; prefix: string } | undefined;

  constructor(
    private readonly nc: NatsConnection,
    /** `target` is undefined for a delivery to a request already ended here. */
    private readonly onDelivery: (delivery: Delivery, target: PullTarget | undefined) => void,
    /** How deliveries are acked: batched through the request mux. */
    private readonly publish: Publish,
  ) {}

  pull(target: PullTarget, batch: number, mode: { noWait: true } | { expiresMs: number }): Pull {
    const id = nuid.next();
    const noWait = "noWait" in mode;
    const body = noWait ? { batch, no_wait: true } : { batch, expires: mode.expiresMs * 1_000_000 };
    // The server may never answer (disconnect, consumer gone): end the request ourselves.
    const wait = noWait ? 2000 : mode.expiresMs + 2000;
    const done = new Promise<number>((resolve) => {
      if (this.nc.isClosed()) return resolve(0);
      const timer = setTimeout(() => this.finish(id), wait);
      try {
        let inbox: string;
        let sub: Subscription | undefined;
        if (noWait) {
          this.shared ??= this.subscribeShared();
          inbox = `${this.shared.prefix}${id}`;
          this.noWait = { id, prefix: this.shared.prefix };
        } else {
          inbox = `${this.prefix}.${id}`;
          sub = this.nc.subscribe(inbox, { callback: (_err, msg) => this.receive(id, msg) });
        }
        this.requests.set(id, {
          sub,
          remaining: batch,
          delivered: 0,
          timer,
          done: resolve,
          target,
        });
        this.nc.publish(
          `$JS.API.CONSUMER.MSG.NEXT.${target.stream}.${target.consumer}`,
          utf8(JSON.stringify(body)),
          { reply: inbox },
        );
      } catch {
        // The connection closed under us: nothing was requested.
        clearTimeout(timer);
        this.requests.delete(id);
        resolve(0);
      }
    });
    return {
      done,
      remaining: () => this.requests.get(id)?.remaining ?? 0,
      end: () => this.finish(id, true),
    };
  }

  get outstanding(): number {
    return this.requests.size;
  }

  private subscribeShared(): { sub: Subscription; prefix: string } {
    const prefix = `${this.prefix}.${nuid.next()}.`;
    const sub = this.nc.subscribe(`${prefix}*`, {
      callback: (_err, msg) => {
        // A status reply comes to the request's own inbox subject; a message keeps its subject.
        if (msg.subject.startsWith(prefix)) {
          this.receive(msg.subject.slice(prefix.length), msg);
          return;
        }
        // Only the current request, sent on this inbox, to the consumer the message comes from,
        // can be receiving it; anything else was sent to one ended here, and is offered as such.
        const current = this.noWait?.prefix === prefix ? this.noWait.id : undefined;
        const req = current === undefined ? undefined : this.requests.get(current);
        const by = msg.reply ? ackedBy(msg.reply) : undefined;
        const mine =
          req !== undefined &&
          by?.stream === req.target.stream &&
          by.consumer === req.target.consumer;
        this.receive(mine && current !== undefined ? current : "", msg);
      },
    });
    return { sub, prefix };
  }

  private receive(id: string, msg: Msg): void {
    const req = this.requests.get(id);
    const isStatus = !msg.reply && msg.headers !== undefined && msg.data.length === 0;
    if (isStatus) {
      const code = msg.headers?.code ?? 0;
      // 100 = idle heartbeat; anything else (404 no messages, 408 expired, 409 limits) ends it.
      if (code !== 100) this.finish(id);
      return;
    }
    if (!msg.reply) return;
    const delivery = new Delivery(this.publish, msg);
    if (!req) {
      // A request ended here was still answered: the agent takes it if a slot is free.
      this.onDelivery(delivery, undefined);
      return;
    }
    req.remaining--;
    req.delivered++;
    this.onDelivery(delivery, req.target);
    if (req.remaining <= 0) this.finish(id);
  }

  /**
   * `early`: the server may still be sending to it. A drain sends the unsubscribe and keeps the
   * inbox until the server's reply to a ping, so what it sent before reaches the agent; a plain
   * unsubscribe would drop those messages here, and the server would redeliver them only after
   * the ack wait (the lease). A no-wait request's inbox stays: what comes late is offered.
   */
  private finish(id: string, early = false): void {
    const req = this.requests.get(id);
    if (!req) return;
    this.requests.delete(id);
    if (this.noWait?.id === id) this.noWait = undefined;
    if (req.sub) {
      if (early) req.sub.drain().catch(() => undefined);
      else req.sub.unsubscribe();
    }
    clearTimeout(req.timer);
    req.done(req.delivered);
  }

  /**
   * Ends every open request here; what the server still sends them is offered to the agent. The
   * shared inbox is drained too (a reconnect or a stop), and made afresh by the next pull.
   */
  endAll(): void {
    for (const id of [...this.requests.keys()]) this.finish(id, true);
    const shared = this.shared;
    this.shared = undefined;
    shared?.sub.drain().catch(() => undefined);
  }
}
