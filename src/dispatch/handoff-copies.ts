import type { Versioned } from "../store/task-store.js";
import { InFlightTable } from "../in-flight.js";
import type { TaskDelivery } from "./delivery.js";

interface Copy {
  delivery: TaskDelivery;
  timer: NodeJS.Timeout;
  /** The record the message carried, as stored at submit, with its revision. */
  record: Versioned | undefined;
}

/** Finished tasks remembered, for a copy that arrives after its run (oldest forgotten first). */
const FINISHED_KEPT = 1024;

/**
 * Queue messages of children in their hand-off window. ctx.delegate stores the child and queues
 * it before asking a peer to run it, so the message usually reaches an agent first. Held here
 * until the window ends, it becomes the run's own delivery when this agent is the one asked,
 * and is acked when the run settles; otherwise it goes back to the queue at the window's end.
 * Either way the queue sees one delivery per child, not a deferral and a second delivery that
 * only finds the child done. The record a fresh message carries lets that run claim without a
 * read, as a queued claim does.
 */
export class HandoffCopies {
  private readonly copies = new InFlightTable<Copy>();
  private readonly done = new InFlightTable<true>();
  /** The same ids in arrival order, overwritten in a ring: the oldest is dropped first. */
  private readonly order: string[] = [];
  private next = 0;

  get size(): number {
    return this.copies.size;
  }

  /**
   * Keeps `delivery` for up to `windowMs`, then hands it back for redelivery at once. Acked at
   * once instead when this agent finished the task already (the message was late).
   */
  hold(taskId: string, delivery: TaskDelivery, windowMs: number, record?: Versioned): void {
    if (this.done.has(taskId)) {
      delivery.ack();
      return;
    }
    const existing = this.copies.get(taskId);
    if (existing) {
      // A redelivery of the message we hold: keep the newest.
      clearTimeout(existing.timer);
      existing.delivery.abandon();
    }
    const timer = setTimeout(() => {
      if (this.copies.get(taskId)?.delivery !== delivery) return;
      this.copies.delete(taskId);
      delivery.nak();
    }, windowMs);
    this.copies.set(taskId, { delivery, timer, record });
  }

  /** The record the held message of `taskId` carried, if any (it stays held). */
  record(taskId: string): Versioned | undefined {
    return this.copies.get(taskId)?.record;
  }

  /** The held message of `taskId`, now the caller's to settle; undefined when none is held. */
  take(taskId: string): TaskDelivery | undefined {
    const copy = this.copies.get(taskId);
    if (!copy) return undefined;
    this.copies.delete(taskId);
    clearTimeout(copy.timer);
    return copy.delivery;
  }

  /** This agent stored the task's terminal state and published its terminal event. */
  finished(taskId: string): void {
    if (this.done.has(taskId)) return;
    const oldest = this.order[this.next];
    if (oldest !== undefined) this.done.delete(oldest);
    this.order[this.next] = taskId;
    this.next = (this.next + 1) % FINISHED_KEPT;
    this.done.set(taskId, true);
  }

  /** On shutdown: every held message back to the queue at once. */
  releaseAll(): void {
    for (const [id, copy] of this.copies) {
      this.copies.delete(id);
      clearTimeout(copy.timer);
      copy.delivery.nak();
    }
  }
}
