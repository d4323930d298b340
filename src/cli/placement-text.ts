import { TaskState, type TaskRecord } from "../types.js";
import { formatAge, renderTable } from "./format.js";

const fixed = (n: number): string => n.toFixed(2);

/**
 * Why a task waits and where it was last placed, for people (`baton get` prints these on stderr
 * so stdout stays JSON); empty when the record has neither.
 */
export function placementLines(r: TaskRecord, now = Date.now()): string[] {
  const lines: string[] = [];
  // A stale `waiting` on a task that has moved on says nothing about it now.
  if (r.state === TaskState.Pending && r.waiting) {
    const w = r.waiting;
    lines.push(`waiting ${formatAge(now - w.since)} for ${w.resourceClass}: ${w.reason}`);
  }
  const last = r.placements?.at(-1);
  if (last) {
    const outcome = last.winner
      ? `awarded to ${last.winner}`
      : `no award${last.reason ? `: ${last.reason}` : ""}`;
    lines.push(`placed ${formatAge(now - last.time)} ago by ${last.negotiator}: ${outcome}`);
    if (last.bids.length > 0) {
      const table = renderTable(
        ["BID", "SCORE", "FIT", "FREE", "LOAD", "COST", "WARM"],
        last.bids.map((b) => [
          b.agentId,
          fixed(b.score),
          fixed(b.fit),
          String(b.freeSlots),
          fixed(b.load),
          fixed(b.cost),
          b.warm ? "yes" : "no",
        ]),
      );
      lines.push(...table.split("\n").map((l) => `  ${l}`));
    }
  }
  return lines;
}
