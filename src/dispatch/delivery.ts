import type { Msg } from "@nats-io/transport-node";
import { utf8 } from "../nats/utf8.js";

/** How an attempt settles its task message; the runner does not care who holds it. */
export interface TaskDelivery {
  readonly deliveryCount: number;
  ack(): void;
  nak(delayMs?: number): void;
  working(): void;
  abandon(): void;
}

/**
 * For a task run by award or direct hand-off: the queue message stays with the agent that
 * negotiated (or the queue), which watches the record, so settling here is a no-op.
 */
export const DETACHED: TaskDelivery = {
  deliveryCount: 0,
  ack: () => undefined,
  nak: () => undefined,
  working: () => undefined,
  abandon: () => undefined,
};

/**
 * Publishes without a reply; the request mux batches these into its next socket write. `later`:
 * it may wait a few milliseconds for a write that goes out anyway (an ack, sent only after
 * what it settles is stored, loses nothing by waiting).
 */
export type Publish = (subject: string, data: Uint8Array, later?: boolean) => void;

const ACK = utf8("+ACK");
const NAK = utf8("-NAK");
const WPI = utf8("+WPI");

/**
 * One JetStream delivery, acknowledged through the wire protocol directly so the puller
 * can issue its own pull requests (no-wait sweeps across priority bands).
 */
export class Delivery implements TaskDelivery {
  readonly deliveryCount: number;
  readonly streamSeq: number;
  /** When it arrived: the server's ack timer started about then. */
  readonly receivedAt = Date.now();
  private settled = false;

  constructor(
    private readonly publish: Publish,
    readonly msg: Msg,
  ) {
    // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>, or the v2 form
    // with domain and account hash before the stream.
    const t = msg.reply?.split(".") ?? [];
    const base = t.length >= 11 ? 4 : 2;
    this.deliveryCount = Number(t[base + 2] ?? 1);
    this.streamSeq = Number(t[base + 3] ?? 0);
  }

  get data(): Uint8Array {
    return this.msg.data;
  }

  private send(body: Uint8Array, later?: boolean): void {
    const reply = this.msg.reply;
    if (reply) this.publish(reply, body, later);
  }

  ack(): void {
    if (this.settled) return;
    this.settled = true;
    this.send(ACK, true);
  }

  /** Redeliver after `delayMs` (at once when 0). */
  nak(delayMs = 0): void {
    if (this.settled) return;
    this.settled = true;
    const delay = Math.max(0, Math.round(delayMs));
    this.send(delay > 0 ? utf8(`-NAK {"delay":${delay * 1_000_000}}`) : NAK);
  }

  /** Resets the server's ack timer: the visibility window starts again. */
  working(): void {
    if (!this.settled) this.send(WPI);
  }

  /**
   * Called on a claim: resets the ack timer unless the delivery is younger than `freshMs`. A
   * fresh one's timer has most of the lease left, and the next heartbeat resets it in time, so
   * the usual claim costs no extra message.
   */
  claimed(freshMs: number): void {
    if (Date.now() - this.receivedAt >= freshMs) this.working();
  }

  /** Settled without telling the server (a fenced owner must neither ack nor nak). */
  abandon(): void {
    this.settled = true;
  }
}
