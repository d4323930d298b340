import { BatonSystem } from "../systems/baton.js";
import { BullSystem } from "../systems/bullmq.js";
import { compareRounds, type Variant } from "../lib/runner.js";
import { closedLoop } from "../lib/stats.js";
import { check, warm, type Scenario } from "./common.js";

/** Scenario 2: the same through the gRPC gateway, batch submit, against BullMQ addBulk. */
export const gateway: Scenario = {
  name: "gateway",
  summary: "2. the same through the gRPC gateway, batch submit",
  async run(ctx) {
    const { tasks: n, workers: w, batch, batchCallers } = ctx;
    const baton = await BatonSystem.start({
      natsUrl: ctx.natsUrl,
      prefix: `B2${ctx.stamp}`,
      workerConcurrency: w,
      gateway: true,
    });
    const bull = await BullSystem.start({
      redisUrl: ctx.redisUrl,
      queue: `bench2-${ctx.stamp}`,
      workerConcurrency: w,
    });
    try {
      const variants: Variant[] = [
        {
          name: "baton gateway SubmitTasks",
          tasks: n,
          run: async (k) => {
            await baton.runGatewayBatch(k, batch, batchCallers, closedLoop);
            check(baton, "baton");
          },
          seen: () => baton.seen,
        },
        {
          name: "bullmq addBulk",
          tasks: n,
          run: async (k) => {
            await bull.runBulk(k, batch, batchCallers, closedLoop);
            check(bull, "bullmq");
          },
          seen: () => bull.seen,
        },
      ];
      const { variants: vs, ratios } = await compareRounds(
        "gateway",
        variants,
        ctx.settings,
        warm(1000),
      );
      for (const r of ratios) r.goal = 1.0;
      return {
        kind: "throughput",
        name: "gateway",
        title: "2. End-to-end no-op tasks/s, gRPC gateway batch submit vs BullMQ addBulk",
        unit: "tasks/s",
        params: { tasksPerRun: n, batch, batchCallers, workerConcurrency: w },
        variants: vs,
        ratios,
        notes: [
          "baton: GrpcClient.submitMany (SubmitTasks, auto idempotency keys, the client default) against a gateway started in this process; completion seen on the events subject (NATS), as in scenario 1: a WaitTask call per task would measure the wait API, not the task path.",
          "bullmq: Queue.addBulk with the same batch size and concurrent callers; completion = QueueEvents 'completed'.",
        ],
      };
    } finally {
      await baton.stop();
      await bull.stop();
    }
  },
};
