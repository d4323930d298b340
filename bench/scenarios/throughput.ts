import { BareSystem } from "../systems/bare-js.js";
import { BatonSystem } from "../systems/baton.js";
import { BullSystem } from "../systems/bullmq.js";
import { compareRounds, type Variant } from "../lib/runner.js";
import { closedLoop } from "../lib/stats.js";
import { check, warm, type Scenario } from "./common.js";

/** Scenario 1: end-to-end no-op tasks per second on the library path. */
export const throughput: Scenario = {
  name: "throughput",
  summary: "1. end-to-end no-op tasks/s, library path",
  async run(ctx) {
    const { tasks: n, producers: p, workers: w } = ctx;
    const baton = await BatonSystem.start({
      natsUrl: ctx.natsUrl,
      prefix: `B1${ctx.stamp}`,
      workerConcurrency: w,
    });
    const bull = await BullSystem.start({
      redisUrl: ctx.redisUrl,
      queue: `bench1-${ctx.stamp}`,
      workerConcurrency: w,
    });
    const bare = await BareSystem.start({
      natsUrl: ctx.natsUrl,
      name: `BARE1${ctx.stamp}`,
      workerConcurrency: w,
    });
    try {
      const variants: Variant[] = [
        {
          name: "baton",
          tasks: n,
          run: async (k) => {
            await baton.runSingle(k, p, closedLoop);
            check(baton, "baton");
          },
          seen: () => baton.seen,
        },
        {
          name: "bullmq",
          tasks: n,
          run: async (k) => {
            await bull.runSingle(k, p, closedLoop);
            check(bull, "bullmq");
          },
          seen: () => bull.seen,
        },
        {
          name: "bare jetstream",
          tasks: n,
          run: (k) => bare.runSingle(k, p, closedLoop),
          seen: () => bare.seen,
        },
      ];
      const { variants: vs, ratios } = await compareRounds(
        "throughput",
        variants,
        ctx.settings,
        warm(1000),
      );
      for (const r of ratios) if (r.baseline === "bullmq") r.goal = 1.25;
      return {
        kind: "throughput",
        name: "throughput",
        title: "1. End-to-end no-op tasks/s, library path (submit -> completion seen by client)",
        unit: "tasks/s",
        params: { tasksPerRun: n, producerConcurrency: p, workerConcurrency: w },
        variants: vs,
        ratios,
        notes: [
          "baton: client.submit from P concurrent callers; a Worker (own connection) with one no-op agent of concurrency W; completion = terminal state event on one core subscription to the events subject wildcard.",
          "bullmq: Queue.add from P concurrent callers; Worker with concurrency W and a no-op processor; completion = QueueEvents 'completed'.",
          "bare jetstream: js.publish with msgID to a work-queue stream (P concurrent callers); a pull consumer (max_ack_pending W) does one KV put and an ack; completion = one KV watch.",
        ],
      };
    } finally {
      await baton.stop();
      await bull.stop();
      await bare.stop();
    }
  },
};
