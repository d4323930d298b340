import type { Subscription } from "@nats-io/transport-node";
import { InFlightTable } from "../in-flight.js";
import type { BatonConnection } from "../nats/connection.js";
import { isTerminal } from "../store/states.js";
import type { Logger } from "../telemetry/logger.js";
import { TaskState, type TaskRecord } from "../types.js";
import type { Delivery } from "./delivery.js";

/** Clock jitter allowance before a lapsed lease is believed. */
const LEASE_MARGIN_MS = 50;

interface Held {
  delivery: Delivery;
  sub: Subscription;
  checking?: Promise<void>;
}

/**
 * Task messages this agent keeps while another agent runs the task (it won an award, or took a
 * direct hand-off). The message is the durable backstop: it is acked when the task finishes,
 * handed back when the task returns to PENDING, and handed back at once when the runner's lease
 * lapses, so a winner that dies loses the task to another agent.
 */
export class HeldDeliveries {
  private readonly held = new InFlightTable<Held>();

  constructor(
    private readonly conn: BatonConnection,
    private readonly log: Logger,
    /** Publishes a finished task's terminal event when its runner died before doing so. */
    private readonly repair: (record: TaskRecord) => Promise<void>,
  ) {}

  get size(): number {
    return this.held.size;
  }

  has(taskId: string): boolean {
    return this.held.has(taskId);
  }

  adopt(taskId: string, delivery: Delivery): void {
    const existing = this.held.get(taskId);
    if (existing) {
      // A redelivery of the message we hold: keep the newest.
      existing.delivery.abandon();
      existing.delivery = delivery;
      return;
    }
    const sub = this.conn.nc.subscribe(this.conn.names.eventsSubject(taskId), {
      callback: (_err, msg) => {
        try {
          if (msg.json<{ type?: string }>().type !== "state") return;
        } catch {
          return;
        }
        this.check(taskId);
      },
    });
    this.held.set(taskId, { delivery, sub });
    // The task may have finished before the subscription existed.
    this.check(taskId);
  }

  /** Keeps every held message alive and looks for lapsed leases; called on each heartbeat. */
  heartbeat(): void {
    for (const [id, h] of this.held) {
      h.delivery.working();
      this.check(id);
    }
  }

  private check(taskId: string): void {
    const h = this.held.get(taskId);
    if (!h || h.checking) return;
    h.checking = this.decide(taskId, h)
      .catch((err: unknown) => this.log.warn({ err, task_id: taskId }, "held task check failed"))
      .finally(() => {
        h.checking = undefined;
      });
  }

  private async decide(taskId: string, h: Held): Promise<void> {
    const current = await this.conn.tasks.get(taskId);
    if (this.held.get(taskId) !== h) return;
    const now = Date.now();
    if (!current) {
      this.drop(taskId, h);
      h.delivery.ack();
      return;
    }
    const r = current.record;
    if (isTerminal(r.state)) {
      await this.repair(r).catch(() => undefined);
      this.drop(taskId, h);
      h.delivery.ack();
      return;
    }
    if (r.state === TaskState.Running && r.owner && r.owner.leaseUntil + LEASE_MARGIN_MS > now) {
      return; // still running elsewhere
    }
    // PENDING again (a retry, a release) or its runner's lease lapsed: the queue decides anew.
    this.drop(taskId, h);
    const delay = r.state === TaskState.Pending && r.runAt !== undefined ? r.runAt - now : 0;
    h.delivery.nak(Math.max(0, delay));
  }

  private drop(taskId: string, h: Held): void {
    h.sub.unsubscribe();
    this.held.delete(taskId);
  }

  /** On shutdown: hand every message back so another agent keeps watching at once. */
  releaseAll(): void {
    for (const [id, h] of this.held) {
      this.drop(id, h);
      h.delivery.nak();
    }
  }
}
