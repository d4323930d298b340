import { describe, expect, it } from "vitest";
import type { GCProfilerResult } from "node:v8";
import { summarizeGc } from "../../bench/lib/gc-stats.js";

type GcEvent = GCProfilerResult["statistics"][number];

const heap = { usedHeapSize: 0 } as GcEvent["beforeGC"]["heapStatistics"];
const side = (oldUsed: number, newUsed: number): GcEvent["beforeGC"] => ({
  heapStatistics: heap,
  heapSpaceStatistics: [
    {
      spaceName: "new_space",
      spaceSize: 0,
      spaceUsedSize: newUsed,
      spaceAvailableSize: 0,
      physicalSpaceSize: 0,
    },
    {
      spaceName: "old_space",
      spaceSize: 0,
      spaceUsedSize: oldUsed,
      spaceAvailableSize: 0,
      physicalSpaceSize: 0,
    },
  ],
});
const event = (gcType: string, costUs: number, oldBefore: number, oldAfter: number): GcEvent => ({
  gcType,
  cost: costUs,
  beforeGC: side(oldBefore, 1000),
  afterGC: side(oldAfter, 0),
});

describe("summarizeGc", () => {
  it("counts scavenges and full collections apart, with their time in ms", () => {
    const s = summarizeGc([
      event("Scavenge", 1500, 100, 400),
      event("IncrementalMarking", 700, 400, 400),
      event("Scavenge", 2500, 400, 1000),
      event("MarkSweepCompact", 9000, 1000, 200),
    ]);
    expect(s).toEqual({
      scavenges: 2,
      scavengeMs: 4,
      fullGcs: 1,
      fullGcMs: 9,
      promotedBytes: 300 + 600,
    });
  });

  it("counts only old-space growth across a scavenge as promoted", () => {
    // A full collection's shrinkage is not negative promotion, nor is a scavenge that found none.
    const s = summarizeGc([
      event("Scavenge", 100, 500, 500),
      event("MarkSweepCompact", 100, 500, 50),
    ]);
    expect(s.promotedBytes).toBe(0);
  });
});
