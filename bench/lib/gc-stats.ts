/**
 * What the garbage collector did over a stretch of a run, from v8.GCProfiler. A scavenge costs
 * in proportion to what survives it, and what survives twice is promoted to the old generation,
 * so the bytes promoted per task are a counted measure of GC pressure that does not move with
 * the machine's speed the way CPU time does.
 */
import { Session } from "node:inspector/promises";
import type { GCProfilerResult } from "node:v8";

export interface GcSummary {
  scavenges: number;
  scavengeMs: number;
  /** Mark-compacts (full collections), incremental marking steps not counted. */
  fullGcs: number;
  fullGcMs: number;
  /** Bytes the scavenges moved into the old generation (old-space growth across each one). */
  promotedBytes: number;
}

type GcEvent = GCProfilerResult["statistics"][number];

function oldSpaceUsed(side: GcEvent["beforeGC"]): number {
  return side.heapSpaceStatistics.find((s) => s.spaceName === "old_space")?.spaceUsedSize ?? 0;
}

export function summarizeGc(events: readonly GcEvent[]): GcSummary {
  const out: GcSummary = {
    scavenges: 0,
    scavengeMs: 0,
    fullGcs: 0,
    fullGcMs: 0,
    promotedBytes: 0,
  };
  for (const e of events) {
    // `cost` is in microseconds.
    if (e.gcType === "Scavenge") {
      out.scavenges++;
      out.scavengeMs += e.cost / 1000;
      out.promotedBytes += Math.max(0, oldSpaceUsed(e.afterGC) - oldSpaceUsed(e.beforeGC));
    } else if (e.gcType === "MarkSweepCompact") {
      out.fullGcs++;
      out.fullGcMs += e.cost / 1000;
    }
  }
  return out;
}

/**
 * A full collection now, through the inspector (no --expose-gc needed). A process that has run a
 * while has been through full collections, and before its first one scavenges can keep far less
 * (see src/in-flight.ts), so the probes measure after one.
 */
export async function collectGarbage(): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post("HeapProfiler.collectGarbage");
  } finally {
    session.disconnect();
  }
}
