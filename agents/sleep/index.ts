import { defineAgent } from "../../src/sdk/define-agent.js";
import { sleep } from "../../src/sdk/sleep.js";
import { TerminalError } from "../../src/errors.js";
import { ValidationError } from "../../src/errors.js";

export interface SleepInput {
  /** Total time to sleep, split evenly across the steps. */
  ms: number;
  /** Fail this many attempts before succeeding. */
  failTimes?: number;
  /** Exit the whole agent process on every attempt (a crash loop). */
  crash?: boolean;
  /** Durable steps to split the sleep into (default 1). */
  steps?: number;
}

export interface SleepOutput {
  slept: number;
  steps: number;
  attempt: number;
}

function parse(input: unknown): SleepInput {
  if (typeof input !== "object" || input === null)
    throw new TerminalError("input must be an object");
  const i = input as Record<string, unknown>;
  const check = (name: string, ok: boolean): void => {
    if (!ok) throw new TerminalError(new ValidationError(`input.${name}`, "invalid value").message);
  };
  check("ms", typeof i.ms === "number" && i.ms >= 0);
  check(
    "failTimes",
    i.failTimes === undefined || (Number.isInteger(i.failTimes) && (i.failTimes as number) >= 0),
  );
  check("crash", i.crash === undefined || typeof i.crash === "boolean");
  check("steps", i.steps === undefined || (Number.isInteger(i.steps) && (i.steps as number) >= 1));
  return input as SleepInput;
}

/** A synthetic agent for tests, demos and benchmarks: sleeps, fails or crashes on request. */
export default defineAgent<unknown, SleepOutput>({
  name: "sleep",
  capabilities: ["sleep"],
  concurrency: Number(process.env.BATON_SLEEP_CONCURRENCY ?? 16),
  handler: async (ctx) => {
    const input = parse(ctx.input);
    if (input.crash) {
      ctx.log.warn("crashing the agent process on purpose");
      process.kill(process.pid, "SIGKILL");
    }
    const steps = input.steps ?? 1;
    const each = input.ms / steps;
    for (let s = 1; s <= steps; s++) {
      await ctx.step(`sleep-${s}`, async () => {
        await sleep(each, ctx.signal);
        return s;
      });
      await ctx.progress({ step: s, of: steps });
    }
    if (ctx.attempt <= (input.failTimes ?? 0)) {
      throw new Error(`planned failure on attempt ${ctx.attempt} of ${input.failTimes ?? 0}`);
    }
    return { slept: input.ms, steps, attempt: ctx.attempt };
  },
});
