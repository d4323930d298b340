/**
 * Scenario 4: what a sub-task hand-off (ctx.delegate) costs next to a bare grpc-js unary call
 * and a NATS request-reply, each a closed loop of the same number of callers.
 */
import { createClient, type BatonClient } from "../../src/client/client.js";
import { Worker } from "../../src/dispatch/worker.js";
import { defineAgent } from "../../src/sdk/define-agent.js";
import type { JsonValue } from "../../src/types.js";
import {
  alternateRounds,
  latencyBar,
  ratioOf,
  withProgress,
  type ChartGroup,
  type Ratio,
  type RoundVariant,
} from "../lib/runner.js";
import { closedLoop, fmt, fmtMs, max, median, min, payload, percentile } from "../lib/stats.js";
import { GrpcEcho } from "../systems/grpc-echo.js";
import { NatsRequestReply } from "../systems/nats-reqreply.js";
import type { Scenario } from "./common.js";

const PARENT = "bench-parent";
const CHILD = "bench-child";
const GOAL_RATE = 0.9;

interface CallSample {
  calls: number;
  rate: number;
  p50: number;
  p99: number;
}

/** Latencies of one measured phase and its span (first call start to last call end). */
class Phase {
  private readonly latencies: number[] = [];
  private first = Infinity;
  private last = -Infinity;

  get count(): number {
    return this.latencies.length;
  }

  record(startedAt: number, endedAt: number): void {
    this.first = Math.min(this.first, startedAt);
    this.last = Math.max(this.last, endedAt);
    this.latencies.push(endedAt - startedAt);
  }

  sample(): CallSample {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const seconds = (this.last - this.first) / 1000;
    return {
      calls: sorted.length,
      rate: seconds > 0 ? sorted.length / seconds : Number.NaN,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  }
}

async function timedCalls(
  label: string,
  total: number,
  callers: number,
  call: (i: number) => Promise<unknown>,
  timeoutMs: number,
): Promise<CallSample> {
  const phase = new Phase();
  await withProgress(
    label,
    () => `${phase.count}/${total} calls`,
    closedLoop(total, callers, async (i) => {
      const t0 = performance.now();
      await call(i);
      phase.record(t0, performance.now());
    }),
    timeoutMs,
  );
  return phase.sample();
}

export const handoff: Scenario = {
  name: "handoff",
  summary: "4. ctx.delegate rate and latency vs a bare grpc-js unary call and NATS request-reply",
  async run(ctx) {
    const { handoffCalls: calls, delegates, handoffConcurrency: c } = ctx;
    const timeoutMs = ctx.settings.timeoutMs;
    const config = {
      natsUrl: ctx.natsUrl,
      prefix: `B4${ctx.stamp}`,
      logLevel: "silent" as const,
      allowUndeclaredCapabilities: true,
    };
    // The parent handlers report each ctx.delegate call into the phase being measured.
    const state: { phase?: Phase } = {};
    const child = defineAgent<JsonValue>({
      name: "bench-child",
      capabilities: [CHILD],
      concurrency: c,
      handler: (tc) => tc.input,
    });
    const parent = defineAgent<{ count: number; from: number }>({
      name: "bench-parent",
      capabilities: [PARENT],
      concurrency: c,
      handler: async (tc) => {
        for (let i = 0; i < tc.input.count; i++) {
          const t0 = performance.now();
          await tc.delegate(CHILD, payload(tc.input.from + i));
          state.phase?.record(t0, performance.now());
        }
        return null;
      },
    });
    const workers: Worker[] = [];
    let client: BatonClient | undefined;
    let echo: GrpcEcho | undefined;
    let rr: NatsRequestReply | undefined;
    try {
      // Parent and child in separate Workers (own connections and peer servers), as two agents.
      workers.push(await Worker.start([child], config));
      workers.push(await Worker.start([parent], config));
      const baton = await createClient(config);
      client = baton;
      const grpc = await GrpcEcho.start();
      echo = grpc;
      const nats = await NatsRequestReply.start({
        natsUrl: ctx.natsUrl,
        subject: `bench4.${ctx.stamp.toLowerCase()}.rr`,
      });
      rr = nats;

      const runDelegate = async (label: string, total: number): Promise<CallSample> => {
        const phase = new Phase();
        state.phase = phase;
        try {
          const parents = Math.min(c, total);
          let from = 0;
          const tasks = await Promise.all(
            Array.from({ length: parents }, (_, k) => {
              const count = Math.floor(total / parents) + (k < total % parents ? 1 : 0);
              const input = { count, from };
              from += count;
              return baton.submit(PARENT, input);
            }),
          );
          const done = await withProgress(
            label,
            () => `${phase.count}/${total} delegates`,
            Promise.all(tasks.map((t) => baton.wait(t.id, { timeoutMs }))),
            timeoutMs,
          );
          const failed = done.find((r) => r.state !== "SUCCEEDED");
          if (failed) {
            throw new Error(
              `parent ${failed.id} ended ${failed.state}: ${failed.error?.message ?? ""}`,
            );
          }
        } finally {
          state.phase = undefined;
        }
        return phase.sample();
      };
      const echoCall = (i: number): Promise<unknown> =>
        grpc.call(Buffer.from(JSON.stringify(payload(i))));

      const variants: RoundVariant<CallSample>[] = [
        {
          name: "ctx.delegate",
          warmup: (label) => runDelegate(label, Math.min(delegates, 4 * c)),
          run: (label) => runDelegate(label, delegates),
        },
        {
          name: "bare grpc unary",
          warmup: (label) => timedCalls(label, Math.min(calls, 1000), c, echoCall, timeoutMs),
          run: (label) => timedCalls(label, calls, c, echoCall, timeoutMs),
        },
        {
          name: "nats request-reply",
          warmup: (label) =>
            timedCalls(label, Math.min(calls, 1000), c, (i) => nats.request(i), timeoutMs),
          run: (label) => timedCalls(label, calls, c, (i) => nats.request(i), timeoutMs),
        },
      ];
      const samples = await alternateRounds(
        "handoff",
        variants,
        ctx.settings.rounds,
        (s) => `${fmt(s.rate)} calls/s, p50 ${fmtMs(s.p50)} ms, p99 ${fmtMs(s.p99)} ms`,
      );

      const of = (name: string): CallSample[] => samples.get(name) ?? [];
      const med = (ss: CallSample[], k: keyof CallSample): number => median(ss.map((s) => s[k]));
      const d = of("ctx.delegate");
      const rows: string[][] = [];
      const rate: ChartGroup = {
        title: "4. Hand-off: calls/s, closed loop",
        unit: "calls/s",
        bars: [],
        caption: "bar = median over rounds, whiskers = min-max",
      };
      const lat: ChartGroup = {
        title: "4. Hand-off: latency per call",
        unit: "ms",
        bars: [],
        caption: "bar = p50, line from p50 to p99 (medians over rounds)",
      };
      for (const v of variants) {
        const ss = of(v.name);
        const rates = ss.map((s) => s.rate);
        rows.push([
          v.name,
          fmt(med(ss, "calls")),
          fmt(median(rates)),
          `${fmt(min(rates))} - ${fmt(max(rates))}`,
          fmtMs(med(ss, "p50")),
          fmtMs(med(ss, "p99")),
        ]);
        rate.bars.push({ name: v.name, value: median(rates), lo: min(rates), hi: max(rates) });
        lat.bars.push(latencyBar(v.name, med(ss, "p50"), med(ss, "p99")));
      }
      const ratios: Ratio[] = [];
      for (const b of ["bare grpc unary", "nats request-reply"]) {
        const base = of(b);
        ratios.push({
          baseline: b,
          label: `ctx.delegate / ${b} calls/s`,
          ...ratioOf(
            d.map((s) => s.rate),
            base.map((s) => s.rate),
          ),
          ...(b === "bare grpc unary" ? { goal: GOAL_RATE, goalOp: ">=" as const } : {}),
        });
        ratios.push({
          baseline: b,
          label: `ctx.delegate / ${b} p99 (lower is better)`,
          ...ratioOf(
            d.map((s) => s.p99),
            base.map((s) => s.p99),
          ),
        });
      }
      return {
        kind: "table",
        name: "handoff",
        title: "4. Hand-off: ctx.delegate vs a bare grpc-js unary call and NATS request-reply",
        params: { callsPerRound: calls, delegatesPerRound: delegates, callers: c },
        header: ["variant", "calls/round", "median calls/s", "min - max", "p50 ms", "p99 ms"],
        rows,
        data: Object.fromEntries(samples),
        ratios,
        chart: [rate, lat],
        notes: [
          `ctx.delegate: ${c} parent tasks (agent concurrency ${c}) each run their share of the delegates one after another; the child is a no-op agent in a second Worker (own connection and peer server) in this process. Latency is per ctx.delegate call, timed inside the parent handler; the rate is calls over the span from the first call's start to the last call's end. It measures whatever path ctx.delegate takes (direct peer hand-off or the durable queue).`,
          `bare grpc unary: a grpc-js unary echo on 127.0.0.1 with raw-bytes serializers (no proto), ${c} callers in a closed loop on one channel.`,
          `nats request-reply: nc.request to a responder subscription on another connection, ${c} callers in a closed loop; nothing is persisted.`,
          "All three use the same ~100-byte JSON payload. Ratios are medians of per-round ratios; the goal is on the rate (ctx.delegate at least 90% of a bare grpc-js unary call).",
        ],
      };
    } finally {
      state.phase = undefined;
      await client?.close();
      for (const w of workers.reverse()) await w.stop(1_000);
      echo?.stop();
      await rr?.stop();
    }
  },
};
