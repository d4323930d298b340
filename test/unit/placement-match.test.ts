import { describe, expect, it } from "vitest";
import {
  eligibility,
  isConstrained,
  resourceClass,
  unmetReason,
} from "../../src/placement/match.js";
import type { AgentSnapshot, Resources } from "../../src/placement/types.js";

function agent(id: string, resources: Resources = {}, capabilities = ["train"]): AgentSnapshot {
  return {
    id,
    capabilities,
    resources,
    freeSlots: 1,
    concurrency: 1,
    inFlight: 0,
    warmKeys: [],
    lastHeartbeat: 0,
  };
}

const t4 = agent("t4", { cpuSlots: 8, gpus: [{ type: "t4", count: 1, memoryMib: 16384 }] });
const a100 = agent("a100", {
  cpuSlots: 32,
  gpus: [{ type: "A100", count: 2, memoryMib: 81920 }],
  models: ["llama"],
  labels: { tenant: "acme", zone: "eu" },
});

describe("eligibility", () => {
  it("accepts an agent that has everything, GPU type case-insensitively", () => {
    const req = {
      cpuSlots: 16,
      gpuType: "a100",
      gpuCount: 2,
      gpuMemoryMib: 40960,
      models: ["llama"],
      labels: { tenant: "acme" },
    };
    expect(eligibility(a100, "train", req)).toEqual({ eligible: true });
  });

  it("treats proto3 zero values as unset", () => {
    const req = { cpuSlots: 0, gpuType: "", gpuCount: 0, gpuMemoryMib: 0, models: [], labels: {} };
    expect(eligibility(agent("plain"), "train", req)).toEqual({ eligible: true });
    expect(isConstrained(req)).toBe(false);
    expect(isConstrained({ cpuSlots: 1 })).toBe(false);
    expect(isConstrained({ gpuMemoryMib: 1 })).toBe(true);
    expect(isConstrained(undefined)).toBe(false);
    expect(isConstrained({ labels: { zone: "a" } })).toBe(true);
  });

  it.each([
    ["capability", agent("x", {}, ["embed"]), {}, 'does not serve "train"'],
    ["gpu type", t4, { gpuType: "a100" }, 'needs gpu_type "a100" (agent has "t4")'],
    ["no gpu", agent("cpu"), { gpuCount: 1 }, "needs a GPU (agent has no GPU)"],
    [
      "gpu memory",
      t4,
      { gpuMemoryMib: 40960 },
      'needs 40960 MiB per GPU (agent has 16384 MiB "t4")',
    ],
    [
      "gpu count",
      a100,
      { gpuType: "a100", gpuCount: 4 },
      'needs 4 GPUs of one type (agent has 2 "A100")',
    ],
    ["cpu", t4, { cpuSlots: 16 }, "needs 16 CPU slots (agent has 8)"],
    ["model", a100, { models: ["mistral"] }, 'needs model "mistral" (agent has "llama")'],
    ["no models", t4, { models: ["llama"] }, 'needs model "llama" (agent has no models)'],
    [
      "label value",
      a100,
      { labels: { tenant: "beta" } },
      "needs label tenant=beta (agent has tenant=acme)",
    ],
    [
      "label",
      t4,
      { labels: { tenant: "acme" } },
      "needs label tenant=acme (agent has no tenant label)",
    ],
  ])("names a missing %s", (_what, a, req, reason) => {
    expect(eligibility(a, "train", req)).toEqual({ eligible: false, reason });
  });

  it("lists every shortfall", () => {
    const r = eligibility(t4, "train", { cpuSlots: 9, labels: { tenant: "acme" } });
    expect(r).toEqual({
      eligible: false,
      reason:
        "needs 9 CPU slots (agent has 8); needs label tenant=acme (agent has no tenant label)",
    });
  });

  it("does not add GPUs of different types together", () => {
    const mixed = agent("mixed", {
      gpus: [
        { type: "t4", count: 1, memoryMib: 16384 },
        { type: "l4", count: 1, memoryMib: 24576 },
      ],
    });
    expect(eligibility(mixed, "train", { gpuCount: 2 }).eligible).toBe(false);
    expect(eligibility(mixed, "train", { gpuMemoryMib: 20000 }).eligible).toBe(true);
  });
});

describe("unmetReason", () => {
  it("is undefined when some agent is eligible", () => {
    expect(unmetReason([t4, a100], "train", { gpuType: "a100" })).toBeUndefined();
  });

  it("says when nobody serves the capability", () => {
    expect(unmetReason([t4], "embed", {})).toBe('no agent serves "embed"');
  });

  it("groups agents by what they lack, most common first", () => {
    const t4b = agent("t4b", t4.resources);
    expect(
      unmetReason([t4, t4b, a100], "train", { gpuType: "h100", labels: { tenant: "acme" } }),
    ).toBe(
      'no eligible agent among the 3 agents serving "train": needs gpu_type "h100" (3 of 3), ' +
        "needs label tenant=acme (2 of 3)",
    );
  });

  it("caps the summary", () => {
    const req = { cpuSlots: 64, models: ["a", "b", "c"] };
    expect(unmetReason([t4], "train", req)).toBe(
      'no eligible agent among the 1 agent serving "train": needs 64 CPU slots (1 of 1), ' +
        'needs model "a" (1 of 1), needs model "b" (1 of 1), and 1 more',
    );
  });
});

describe("resourceClass", () => {
  it("is stable whatever the order of models and labels", () => {
    const a = resourceClass({
      gpuType: "A100",
      gpuCount: 2,
      gpuMemoryMib: 40960,
      models: ["llama", "bert", "llama"],
      labels: { zone: "eu", tenant: "acme" },
    });
    const b = resourceClass({
      gpuType: "a100",
      gpuCount: 2,
      gpuMemoryMib: 40960,
      models: ["bert", "llama"],
      labels: { tenant: "acme", zone: "eu" },
    });
    expect(a).toBe("gpu:a100x2:40960|models:bert,llama|labels:tenant=acme,zone=eu");
    expect(b).toBe(a);
  });

  it.each([
    [undefined, "any"],
    [{ cpuSlots: 1 }, "any"],
    [{ cpuSlots: 4 }, "cpu:4"],
    [{ gpuMemoryMib: 16384 }, "gpu:anyx1:16384"],
    [{ gpuType: "t4" }, "gpu:t4x1"],
  ])("keys %j as %s", (req, key) => {
    expect(resourceClass(req)).toBe(key);
  });
});
