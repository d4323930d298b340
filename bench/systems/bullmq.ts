/**
 * BullMQ baseline on the local Redis: a Queue (producer), a Worker with the same concurrency and
 * a no-op processor, and QueueEvents for completion as a client sees it ('completed' events read
 * from the queue's events stream, one reader for all jobs, like Baton's one events subscription).
 * One queue per system instance; jobs are kept after completion (BullMQ's default), as Baton
 * keeps its task records.
 */
import { Queue, QueueEvents, Worker } from "bullmq";
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

  private constructor(
    private readonly connection: Redis,
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
    const events = new QueueEvents(o.queue, {
      connection: new Redis(o.redisUrl, redisOptions),
      lastEventId: "0-0",
    });
    await events.waitUntilReady();
    const worker = new Worker(o.queue, () => Promise.resolve(null), {
      connection: new Redis(o.redisUrl, redisOptions),
      concurrency: o.workerConcurrency,
    });
    await worker.waitUntilReady();
    const system = new BullSystem(connection, queue, worker, events);
    events.on("completed", () => system.done.tick());
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
    this.connection.disconnect();
  }
}
