import { describe, expect, it } from "vitest";
import { TerminalError } from "../../src/errors.js";
import { createMockContext } from "../../src/sdk/testing.js";
import agent from "./index.js";
import { keepCount, summarize } from "./summarize.js";

// Sentence 2 states the topic that every other sentence elaborates; sentence 6 is off-topic.
const BEES = [
  "Honeybees live in large colonies with a single queen.",
  "Worker bees gather nectar and pollen from flowers.",
  "A honeybee colony depends on thousands of worker bees, a queen and drones working together.",
  "Drones exist mainly to mate with a queen from another colony.",
  "In winter the colony clusters together to keep the queen warm.",
  "The weather was pleasant last Tuesday.",
].join(" ");

const RUNTIME = `Distributed task queues let many workers share a backlog of jobs.
A task queue stores each job durably until a worker acknowledges it.
Workers pull jobs from the queue, run them and report results back to the queue.
When a worker crashes, the queue redelivers its unacknowledged jobs to other workers.
Retries with exponential backoff keep a failing job from overwhelming the workers.
My cat, by contrast, prefers to sleep in the sun all afternoon.`;

// Sentence 1 names every ingredient the other sentences each describe.
const PLANTS =
  "Leaves are green. Photosynthesis turns sunlight, water and carbon dioxide into sugar and " +
  "oxygen. Sunlight is captured by chlorophyll in the leaves. Water travels up from the roots. " +
  "Carbon dioxide enters through tiny pores. The sugar feeds the plant while the oxygen escapes " +
  "into the air. Football season starts in August.";

describe("summarize (core)", () => {
  it("picks the obviously central sentence first", () => {
    expect(summarize(BEES, { maxSentences: 1 }).sentences).toEqual([2]);
    expect(summarize(PLANTS, { maxSentences: 1 }).summary).toMatch(/^Photosynthesis turns/);
    // The off-topic sentence ranks last even when five of six are kept.
    expect(summarize(RUNTIME, { maxSentences: 5 }).sentences).toEqual([0, 1, 2, 3, 4]);
  });

  it("keeps sentences in their original order and never picks the off-topic one", () => {
    const result = summarize(BEES, { maxSentences: 3 });
    expect(result.sentences).toHaveLength(3);
    expect(result.sentences).toEqual([...result.sentences].sort((a, b) => a - b));
    expect(result.sentences).toContain(2);
    expect(result.sentences).not.toContain(5);
    expect(result.summary.indexOf("Honeybees live")).toBeLessThan(
      result.summary.indexOf("A honeybee colony"),
    );
    expect(result.scores).toHaveLength(3);
    expect(result.total).toBe(6);
  });

  it("is deterministic", () => {
    expect(summarize(RUNTIME, { maxSentences: 2 })).toEqual(
      summarize(RUNTIME, { maxSentences: 2 }),
    );
  });

  it("returns a single sentence as it is, and everything when asked for more than there is", () => {
    expect(summarize("  Just one sentence here.  ")).toEqual({
      summary: "Just one sentence here.",
      sentences: [0],
      scores: [1],
      total: 1,
    });
    const all = summarize(BEES, { maxSentences: 50 });
    expect(all.sentences).toEqual([0, 1, 2, 3, 4, 5]);
    expect(all.scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("sizes the summary from maxSentences and ratio", () => {
    expect(keepCount(10)).toBe(3);
    expect(keepCount(10, { ratio: 0.5 })).toBe(5);
    expect(keepCount(10, { ratio: 0.5, maxSentences: 2 })).toBe(2);
    expect(keepCount(10, { ratio: 0.01 })).toBe(1);
    expect(keepCount(2, { maxSentences: 3 })).toBe(2);
  });
});

describe("summarize agent", () => {
  it("returns the summary for valid input", async () => {
    const mock = createMockContext({ text: BEES, maxSentences: 1 });
    expect(await mock.run(agent.handler)).toMatchObject({ sentences: [2], total: 6 });
  });

  it("rejects empty or sentence-less text without retry", async () => {
    const empty = createMockContext({ text: "" });
    await expect(empty.run(agent.handler)).rejects.toBeInstanceOf(TerminalError);
    await expect(empty.run(agent.handler)).rejects.toThrow(/input\.text/);
    const blank = createMockContext({ text: " \n\t ... " });
    await expect(blank.run(agent.handler)).rejects.toThrow(/contains no sentences/);
  });

  it("rejects bad options naming the field", async () => {
    const bad = createMockContext({ text: BEES, ratio: 2 });
    await expect(bad.run(agent.handler)).rejects.toThrow(/input\.ratio/);
    const extra = createMockContext({ text: BEES, max: 2 });
    await expect(extra.run(agent.handler)).rejects.toBeInstanceOf(TerminalError);
  });

  it("declares its input schema", () => {
    expect(agent.inputSchema).toMatchObject({ type: "object", required: ["text"] });
  });
});
