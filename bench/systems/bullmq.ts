/**
 * BullMQ baseline on the local Redis: a Queue (producer), a Worker with the same concurrency and
 * a no-op processor, and QueueEvents for completion as a client sees it ('completed' events read
 * from the queue's events stream, one reader for all jobs, like Baton's one events subscription).
 * One queue per system instance; jobs are kept after completion (BullMQ's default), as Baton
 * keeps its task records.
 */
import { Queue, QueueEvents, Worker, type Job } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { Countdown, payload } from "../lib/stats.js";
import type { LoopFn } from "./baton.js";

export interface BullOptions {
  redisUrl: string;
  queue: string;
  workerConcurrency: number;
}

/** Client-side command counts: every command any ioredis instance sends, by name. */
export const redisCommands = new Map<string, number>();
let counting = false;
let patched = false;

/** Counts commands sent by every ioredis client in this process (BullMQ's included). */
export function countRedisCommands(on: boolean): void {
  if (!patched) {
    patched = true;
    const proto = Redis.prototype as unknown as {
      sendCommand: (this: Redis, command: { name: string }, stream?: unknown) => unknown;
    };
    const original = proto.sendCommand;
    proto.sendCommand = function (this: Redis, command, stream) {
      if (counting) {
        const name = command.name.toLowerCase();
        redisCommands.set(name, (redisCommands.get(name) ?? 0) + 1);
      }
      return original.call(this, command, stream);
    };
  }
  counting = on;
  if (on) redisCommands.clear();
}

export class BullSystem {
  readonly done = new Countdown();
  failures = 0;
  /** Called as the processor starts, with the job id and data (the latency scenario). */
  onStart: ((jobId: string, data: unknown) => void) | undefined;
  /** Called on every 'completed' event, with the job id (the latency scenario). */
  onDone: ((jobId: string) => void) | undefined;

  private constructor(
    private readonly connections: Redis[],
    readonly queue: Queue,
    private readonly worker: Worker,
    private readonly events: QueueEvents,
  ) {}

  static async start(o: BullOptions): Promise<BullSystem> {
    const redisOptions: RedisOptions = { maxRetriesPerRequest: null };
    const connection = new Redis(o.redisUrl, redisOptions);
    const queue = new Queue(o.queue, {
      connection,
      // Enough room that the events reader never loses a 'completed' event to trimming.
      streams: { events: { maxLen: 1_000_000 } },
    });
    await queue.waitUntilReady();
    const eventsConnection = new Redis(o.redisUrl, redisOptions);
    const events = new QueueEvents(o.queue, {
      connection: eventsConnection,
      lastEventId: "0-0",
    });
    await events.waitUntilReady();
    const ref: { system?: BullSystem } = {};
    const workerConnection = new Redis(o.redisUrl, redisOptions);
    const worker = new Worker(
      o.queue,
      (job: Job) => {
        ref.system?.onStart?.(job.id ?? "", job.data);
        return Promise.resolve(null);
      },
      { connection: workerConnection, concurrency: o.workerConcurrency },
    );
    await worker.waitUntilReady();
    const system = new BullSystem(
      [connection, eventsConnection, workerConnection],
      queue,
      worker,
      events,
    );
    ref.system = system;
    events.on("completed", ({ jobId }) => {
      system.done.tick();
      system.onDone?.(jobId);
    });
    events.on("failed", () => {
      system.failures++;
      system.done.tick();
    });
    return system;
  }

  async runSingle(n: number, producers: number, loop: LoopFn): Promise<void> {
    const finished = this.done.arm(n);
    await loop(n, producers, (i) => this.queue.add("noop", payload(i)));
    await finished;
  }

  async runBulk(n: number, batch: number, callers: number, loop: LoopFn): Promise<void> {
    const finished = this.done.arm(n);
    const calls = Math.ceil(n / batch);
    await loop(calls, callers, (c) => {
      const size = Math.min(batch, n - c * batch);
      return this.queue.addBulk(
        Array.from({ length: size }, (_, k) => ({ name: "noop", data: payload(c * batch + k) })),
      );
    });
    await finished;
  }

  get seen(): number {
    return this.done.value;
  }

  async stop(): Promise<void> {
    await this.worker.close();
    await this.events.close();
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
    // BullMQ leaves connections it was given open; without this the process never exits.
    for (const c of this.connections) c.disconnect();
  }
}
