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
  sub: Subscription;
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

/**
 * Issues JetStream pull requests, each on its own inbox (deliveries keep their original
 * subject, so the subscription is what tells requests apart). A no-wait request returns at once
 * when the consumer is empty, which lets the worker sweep priority bands in order; a long poll
 * waits up to `expiresMs` for up to `batch` messages as they arrive.
 */
export class Puller {
  private readonly prefix = `_INBOX.baton.${nuid.next()}`;
  private readonly requests = new Map<string, Request>();

  constructor(
    private readonly nc: NatsConnection,
    /** `target` is undefined for a delivery to a request already ended here. */
    private readonly onDelivery: (delivery: Delivery, target: PullTarget | undefined) => void,
    /** How deliveries are acked: batched through the request mux. */
    private readonly publish: Publish,
  ) {}

  pull(target: PullTarget, batch: number, mode: { noWait: true } | { expiresMs: number }): Pull {
    const id = nuid.next();
    const body =
      "noWait" in mode ? { batch, no_wait: true } : { batch, expires: mode.expiresMs * 1_000_000 };
    // The server may never answer (disconnect, consumer gone): end the request ourselves.
    const wait = "noWait" in mode ? 2000 : mode.expiresMs + 2000;
    const done = new Promise<number>((resolve) => {
      if (this.nc.isClosed()) return resolve(0);
      const timer = setTimeout(() => this.finish(id), wait);
      const inbox = `${this.prefix}.${id}`;
      try {
        const sub = this.nc.subscribe(inbox, { callback: (_err, msg) => this.receive(id, msg) });
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
   * the ack wait (the lease).
   */
  private finish(id: string, early = false): void {
    const req = this.requests.get(id);
    if (!req) return;
    this.requests.delete(id);
    if (early) req.sub.drain().catch(() => undefined);
    else req.sub.unsubscribe();
    clearTimeout(req.timer);
    req.done(req.delivered);
  }

  /** Ends every open request here; what the server still sends them is offered to the agent. */
  endAll(): void {
    for (const id of [...this.requests.keys()]) this.finish(id, true);
  }
}
