import { thrownBy } from "../helpers/errors.js";
import { describe, expect, it } from "vitest";
import { placementLines } from "../../src/cli/placement-text.js";
import {
  parseMemoryMib,
  parseRequirements,
  submitOptionsFrom,
} from "../../src/cli/submit-flags.js";
import { ValidationError } from "../../src/errors.js";
import type { TaskRecord } from "../../src/types.js";

describe("--require", () => {
  it("maps every key to a requirement", () => {
    expect(
      parseRequirements([
        "cpu=2",
        "gpu=a100",
        "gpus=2",
        "gpu-mem=40960",
        "model=llama",
        "model=mistral",
        "label.zone=a",
        "label.tier=gold",
      ]),
    ).toEqual({
      cpuSlots: 2,
      gpuType: "a100",
      gpuCount: 2,
      gpuMemoryMib: 40_960,
      models: ["llama", "mistral"],
      labels: { zone: "a", tier: "gold" },
    });
    expect(parseRequirements([])).toBeUndefined();
    // Only the first "=" splits: label values may hold one.
    expect(parseRequirements(["label.expr=a=b"])).toEqual({ labels: { expr: "a=b" } });
  });

  it("takes GPU memory in MiB or with a binary unit", () => {
    expect(parseMemoryMib("40960")).toBe(40_960);
    expect(parseMemoryMib("40GiB")).toBe(40_960);
    expect(parseMemoryMib("40gi")).toBe(40_960);
    expect(parseMemoryMib("512MiB")).toBe(512);
    expect(parseMemoryMib("1.5GiB")).toBe(1536);
    expect(parseMemoryMib("1TiB")).toBe(1_048_576);
    for (const bad of ["40GB", "0", "-1", "0.5", "lots", "1.0001GiB", ""]) {
      const err = errorOf(() => parseMemoryMib(bad));
      expect(err.field, bad).toBe("--require");
      expect(err.message).toMatch(/^--require: gpu-mem must be a whole number of MiB/);
    }
  });

  it("rejects bad items, naming the flag", () => {
    const cases: [string[], RegExp][] = [
      [["cpu"], /expected key=value \(keys: cpu, gpu, gpus, gpu-mem, model, label\.<name>\)/],
      [["=2"], /expected key=value/],
      [["cpu="], /expected key=value/],
      [["cpu=two"], /cpu must be a positive integer, got "two"/],
      [["cpu=0"], /cpu must be a positive integer/],
      [["gpus=1.5"], /gpus must be a positive integer/],
      [["gpu=2"], /gpu takes a GPU type \(gpu=a100\); for a count use gpus=2/],
      [["ram=4"], /unknown requirement "ram"/],
      [["label.=x"], /unknown requirement "label\."/],
      [["cpu=1", "cpu=2"], /cpu given twice/],
      [["label.zone=a", "label.zone=b"], /label\.zone given twice/],
    ];
    for (const [items, pattern] of cases) {
      const err = errorOf(() => parseRequirements(items));
      expect(err.field).toBe("--require");
      expect(err.message, items.join(" ")).toMatch(pattern);
    }
  });

  it("goes into the submit options with --affinity", () => {
    expect(
      submitOptionsFrom({ require: ["gpu=a100", "label.zone=a"], affinity: "session-7" }),
    ).toEqual({
      requirements: { gpuType: "a100", labels: { zone: "a" } },
      affinityKey: "session-7",
    });
    expect(submitOptionsFrom({})).toEqual({});
  });
});

describe("placementLines", () => {
  const base: TaskRecord = {
    id: "01M8FF3ESH2NNEER4H52MHBEZN",
    capability: "infer",
    state: "PENDING",
    input: null,
    priority: "normal",
    createdAt: 0,
    updatedAt: 0,
    attempt: 0,
    attempts: [],
    rootId: "01M8FF3ESH2NNEER4H52MHBEZN",
  };

  it("says nothing for a task that neither waits nor was negotiated", () => {
    expect(placementLines(base)).toEqual([]);
    const stale = {
      ...base,
      state: "RUNNING" as const,
      waiting: { reason: "x", since: 0, resourceClass: "any" },
    };
    expect(placementLines(stale)).toEqual([]);
  });

  it("shows the waiting reason and the latest placement with its bids", () => {
    const now = 100_000;
    const lines = placementLines(
      {
        ...base,
        waiting: {
          reason: "all 1 eligible agents are busy",
          since: now - 42_000,
          resourceClass: "gpu:a100x1",
        },
        placements: [
          { time: now - 90_000, negotiator: "old", bids: [], reason: "ignored" },
          {
            time: now - 5000,
            negotiator: "agent-a",
            bids: [
              {
                agentId: "agent-b",
                taskId: base.id,
                fit: 1,
                freeSlots: 2,
                load: 0.5,
                warm: true,
                cost: 0,
                score: 0.9,
              },
              {
                agentId: "agent-a",
                taskId: base.id,
                fit: 0.25,
                freeSlots: 1,
                load: 0,
                warm: false,
                cost: 1,
                score: 0.4,
              },
            ],
            winner: "agent-b",
          },
        ],
      },
      now,
    );
    expect(lines[0]).toBe("waiting 42s for gpu:a100x1: all 1 eligible agents are busy");
    expect(lines[1]).toBe("placed 5s ago by agent-a: awarded to agent-b");
    expect(lines[2]).toMatch(/^ {2}BID\s+SCORE\s+FIT\s+FREE\s+LOAD\s+COST\s+WARM$/);
    expect(lines[3]).toMatch(/^ {2}agent-b\s+0\.90\s+1\.00\s+2\s+0\.50\s+0\.00\s+yes$/);
    expect(lines[4]).toMatch(/^ {2}agent-a\s+0\.40\s+0\.25\s+1\s+0\.00\s+1\.00\s+no$/);
    expect(lines).toHaveLength(5);
  });

  it("shows why a negotiation awarded nothing", () => {
    const lines = placementLines(
      {
        ...base,
        placements: [{ time: 0, negotiator: "n", bids: [], reason: "every award was refused" }],
      },
      1000,
    );
    expect(lines).toEqual(["placed 1s ago by n: no award: every award was refused"]);
  });
});

function errorOf(fn: () => unknown): ValidationError {
  return thrownBy(fn, ValidationError);
}
