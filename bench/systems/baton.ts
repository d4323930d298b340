/**
 * Baton under test: a BatonClient (its own connection) and a Worker running one no-op agent (its
 * own connection) in this process, optionally the gRPC gateway in-process with a GrpcClient.
 *
 * Completion as the client sees it: one core subscription on the events stream's wildcard
 * (`<prefix>.events.>`), on the client's connection. Every task's terminal state event is
 * published there after its record is written, so it is the same signal client.wait() ends on,
 * without a per-task ordered consumer (client.wait creates one consumer per task: that measures
 * the watch API, not the task path). The subscription is open before the first submit.
 */
import type { Subscription } from "@nats-io/transport-node";
import { createClient, type BatonClient, type SubmitItem } from "../../src/client/client.js";
import { Worker } from "../../src/dispatch/worker.js";
import { createGrpcClient, type GrpcClient } from "../../src/grpc/client/client.js";
import { startGateway, type Gateway } from "../../src/grpc/server/gateway.js";
import { defineAgent } from "../../src/sdk/define-agent.js";
import { isTerminal } from "../../src/store/states.js";
import { TaskState, type TaskEventBody } from "../../src/types.js";
import { Countdown, payload } from "../lib/stats.js";

export const CAPABILITY = "bench-noop";
const decoder = new TextDecoder();

export interface BatonOptions {
  natsUrl: string;
  prefix: string;
  workerConcurrency: number;
  gateway?: boolean;
}

export class BatonSystem {
  readonly done = new Countdown();
  failures = 0;
  /** Called as the no-op handler starts, with the task id and input (the latency scenario). */
  onStart: ((taskId: string, input: unknown) => void) | undefined;
  /** Called on every terminal state event, with the task id (the latency scenario). */
  onDone: ((taskId: string) => void) | undefined;

  private constructor(
    readonly client: BatonClient,
    readonly worker: Worker,
    private readonly sub: Subscription,
    readonly gateway: Gateway | undefined,
    readonly grpc: GrpcClient | undefined,
  ) {}

  static async start(o: BatonOptions): Promise<BatonSystem> {
    const config = {
      natsUrl: o.natsUrl,
      prefix: o.prefix,
      logLevel: "silent" as const,
      allowUndeclaredCapabilities: true,
    };
    const ref: { system?: BatonSystem } = {};
    const agent = defineAgent<unknown>({
      name: "bench-noop",
      capabilities: [CAPABILITY],
      concurrency: o.workerConcurrency,
      handler: (ctx) => {
        ref.system?.onStart?.(ctx.taskId, ctx.input);
        return null;
      },
    });
    const worker = await Worker.start([agent], config);
    // A worker starts a fresh task before storing its claim only for tasks created a second after
    // it began listening for cancels (see RecentCancels): the runs measure the steady state after.
    const vouches = worker.cancels.vouchesFrom() ?? Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, vouches - Date.now())));
    const client = await createClient(config);
    let gateway: Gateway | undefined;
    let grpc: GrpcClient | undefined;
    if (o.gateway) {
      gateway = await startGateway({ config, address: "127.0.0.1:0", env: {} });
      grpc = createGrpcClient({ address: gateway.address });
    }
    const conn = client.connection;
    const sub = conn.nc.subscribe(conn.names.eventsWildcard, {
      callback: (_err, msg) => {
        const body = JSON.parse(decoder.decode(msg.data)) as TaskEventBody;
        const system = ref.system;
        if (body.type !== "state" || !isTerminal(body.state) || !system) return;
        if (body.state !== TaskState.Succeeded) system.failures++;
        system.done.tick();
        system.onDone?.(body.taskId);
      },
    });
    await conn.nc.flush();
    ref.system = new BatonSystem(client, worker, sub, gateway, grpc);
    return ref.system;
  }

  /** `n` tasks submitted one per call by `producers` concurrent callers; resolves when all finished. */
  async runSingle(n: number, producers: number, closedLoop: LoopFn): Promise<void> {
    const finished = this.done.arm(n);
    await closedLoop(n, producers, (i) => this.client.submit(CAPABILITY, payload(i)));
    await finished;
  }

  /** `n` tasks through the gateway's SubmitTasks, `batch` per call, `callers` concurrent calls. */
  async runGatewayBatch(n: number, batch: number, callers: number, loop: LoopFn): Promise<void> {
    const grpc = this.grpc;
    if (!grpc) throw new Error("gateway not started");
    const finished = this.done.arm(n);
    const calls = Math.ceil(n / batch);
    await loop(calls, callers, (c) => {
      const size = Math.min(batch, n - c * batch);
      return grpc.submitMany(items(c * batch, size));
    });
    await finished;
  }

  /** Outstanding completions, for timeouts' messages. */
  get seen(): number {
    return this.done.value;
  }

  async stop(): Promise<void> {
    this.sub.unsubscribe();
    await this.grpc?.close();
    await this.gateway?.stop();
    await this.client.close();
    await this.worker.stop(1_000);
  }
}

export type LoopFn = (
  total: number,
  callers: number,
  call: (i: number) => Promise<unknown>,
) => Promise<void>;

function items(from: number, size: number): SubmitItem[] {
  return Array.from({ length: size }, (_, k) => ({
    capability: CAPABILITY,
    input: payload(from + k),
  }));
}
