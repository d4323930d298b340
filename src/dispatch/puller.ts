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

/**
 * Issues JetStream pull requests, each on its own inbox (deliveries keep their original
 * subject, so the subscription is what tells requests apart). A no-wait request returns at once
 * when the consumer is empty, which lets the worker sweep priority bands in order; a long poll
 * waits up to `expiresMs` for one message.
 */
export class Puller {
  private readonly prefix = `_INBOX.baton.${nuid.next()}`;
  private readonly requests = new Map<string, Request>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly onDelivery: (delivery: Delivery, target: PullTarget) => void,
    /** How deliveries are acked: batched through the request mux. */
    private readonly publish: Publish,
  ) {}

  /** Resolves with how many messages were delivered, once the request is over. */
  pull(
    target: PullTarget,
    batch: number,
    mode: { noWait: true } | { expiresMs: number },
  ): Promise<number> {
    const id = nuid.next();
    const body =
      "noWait" in mode ? { batch, no_wait: true } : { batch, expires: mode.expiresMs * 1_000_000 };
    // The server may never answer (disconnect, consumer gone): end the request ourselves.
    const wait = "noWait" in mode ? 2000 : mode.expiresMs + 2000;
    return new Promise((resolve) => {
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
      // A request we already gave up on still delivered: the message goes back at once.
      delivery.nak();
      return;
    }
    req.remaining--;
    req.delivered++;
    this.onDelivery(delivery, req.target);
    if (req.remaining <= 0) this.finish(id);
  }

  private finish(id: string): void {
    const req = this.requests.get(id);
    if (!req) return;
    this.requests.delete(id);
    req.sub.unsubscribe();
    clearTimeout(req.timer);
    req.done(req.delivered);
  }

  /** Ends every open request here (the server may still answer them; late deliveries go back). */
  endAll(): void {
    for (const id of [...this.requests.keys()]) this.finish(id);
  }
}
