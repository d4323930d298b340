import type { BatonConnection } from "../nats/connection.js";
import { PRIORITIES, type Priority } from "../types.js";

export interface QueueStats {
  capability: string;
  /** Queued and not yet delivered, all bands. */
  backlog: number;
  backlogByPriority: Record<Priority, number>;
  /** Delivered and not yet acknowledged (running or waiting for a retry). */
  inFlight: number;
  /** Age of the oldest undelivered message, when there is one. */
  oldestAgeMs?: number;
  deadLetters: number;
}

function notFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}

export async function queueStats(conn: BatonConnection, capability: string): Promise<QueueStats> {
  const { jsm, names } = conn;
  const backlogByPriority = { high: 0, normal: 0, low: 0 } as Record<Priority, number>;
  let inFlight = 0;
  let oldest: number | undefined;
  // Before any agent of the capability ran there is no consumer yet, and that is when the
  // backlog matters most: count the work-queue stream's messages per band subject instead.
  const perSubject =
    (
      await jsm.streams.info(names.tasksStream, {
        subjects_filter: `${names.prefix}.tasks.${capability}.>`,
      })
    ).state.subjects ?? {};
  for (const priority of PRIORITIES) {
    const subject = names.tasksSubject(capability, priority);
    const info = await jsm.consumers
      .info(names.tasksStream, names.consumerName(capability, priority))
      .catch((err: unknown) => {
        if (notFound(err)) return undefined;
        throw err;
      });
    backlogByPriority[priority] = info ? info.num_pending : (perSubject[subject] ?? 0);
    if (info) inFlight += info.num_ack_pending;
    if (backlogByPriority[priority] > 0) {
      // Direct get (allow_direct on the tasks stream) finds the next message of this subject.
      const msg = await jsm.direct
        .getMessage(names.tasksStream, {
          next_by_subj: subject,
          seq: info ? info.delivered.stream_seq + 1 : 1,
        })
        .catch(() => null);
      if (msg) oldest = Math.min(oldest ?? Infinity, msg.time.getTime());
    }
  }
  const dlq = await jsm.streams.info(names.dlqStream, {
    subjects_filter: names.dlqSubject(capability),
  });
  const deadLetters = dlq.state.subjects?.[names.dlqSubject(capability)] ?? 0;
  return {
    capability,
    backlog: backlogByPriority.high + backlogByPriority.normal + backlogByPriority.low,
    backlogByPriority,
    inFlight,
    ...(oldest !== undefined ? { oldestAgeMs: Math.max(0, Date.now() - oldest) } : {}),
    deadLetters,
  };
}
