import { afterEach, describe, expect, it, vi } from "vitest";
import { CancelledError, TerminalError, ValidationError } from "../../src/errors.js";
import { createMockContext } from "../../src/sdk/testing.js";
import agent, { fakeInfer, gpuLatencyMs, gpuResources } from "./index.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("gpu resources", () => {
  it("advertises one a100 group and the default models without configuration", () => {
    expect(gpuResources({})).toEqual({
      gpus: [{ type: "a100", count: 1, memoryMib: 81_920 }],
      models: ["fake-7b", "fake-70b"],
    });
  });

  it("takes GPU type, count, memory and models from the environment", () => {
    const env = {
      BATON_GPU_TYPE: "t4",
      BATON_GPU_COUNT: "2",
      BATON_GPU_MEMORY_MIB: "16384",
      BATON_GPU_MODELS: " small , tiny ",
    };
    expect(gpuResources(env)).toEqual({
      gpus: [{ type: "t4", count: 2, memoryMib: 16_384 }],
      models: ["small", "tiny"],
    });
  });

  it("refuses a bad count or latency at start-up", () => {
    expect(() => gpuResources({ BATON_GPU_COUNT: "0" })).toThrow(ValidationError);
    expect(() => gpuResources({ BATON_GPU_COUNT: "two" })).toThrow(/BATON_GPU_COUNT/);
    expect(() => gpuResources({ BATON_GPU_MODELS: " , " })).toThrow(/BATON_GPU_MODELS/);
    expect(() => gpuLatencyMs({ BATON_GPU_LATENCY_MS: "-1" })).toThrow(/BATON_GPU_LATENCY_MS/);
  });

  it("puts them in the definition, which the registry reports (ListAgents)", async () => {
    expect(agent.capabilities).toEqual(["gpu-infer"]);
    expect(agent.resources).toEqual(gpuResources());
    vi.stubEnv("BATON_GPU_TYPE", "h100");
    vi.stubEnv("BATON_GPU_COUNT", "4");
    const fresh = (await import("./index.js")).default;
    expect(fresh.resources?.gpus).toEqual([{ type: "h100", count: 4, memoryMib: 81_920 }]);
    expect(fresh.concurrency).toBe(4); // one task per GPU
  });
});

describe("gpu handler", () => {
  it("answers deterministically, streaming tokens, after the simulated latency", async () => {
    expect(fakeInfer("hello GPU world")).toEqual({
      text: "dlrow UPG olleh",
      promptTokens: 3,
      tokens: ["dlrow", "UPG", "olleh"],
    });
    const mock = createMockContext({ prompt: "hello GPU world" });
    const started = Date.now();
    const out = await mock.run(agent.handler);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(out).toEqual({
      model: "fake-7b",
      gpu: "a100",
      text: "dlrow UPG olleh",
      promptTokens: 3,
      completionTokens: 3,
    });
    expect(mock.outputs).toEqual(["dlrow", "UPG", "olleh"]);
  });

  it("serves only advertised models", async () => {
    const ok = await createMockContext({ prompt: "a b", model: "fake-70b" }).run(agent.handler);
    expect(ok.model).toBe("fake-70b");
    const bad = createMockContext({ prompt: "a", model: "gpt-9" });
    await expect(bad.run(agent.handler)).rejects.toThrow(TerminalError);
  });

  it("stops waiting on cancel", async () => {
    const mock = createMockContext({ prompt: "slow" });
    const run = mock.run(agent.handler);
    mock.cancel("user");
    await expect(run).rejects.toThrow(CancelledError);
  });
});
