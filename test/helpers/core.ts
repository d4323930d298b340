import { sleep } from "../../src/sdk/sleep.js";
import { onTestFinished } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import type { BatonOptions } from "../../src/config/index.js";
import { Worker } from "../../src/dispatch/worker.js";
import type { AgentDefinition } from "../../src/sdk/types.js";
import { isTerminal } from "../../src/store/states.js";
import type { Priority, TaskRecord } from "../../src/types.js";
import { uniquePrefix, type TestNats } from "./nats.js";

/** Polls `probe` until it returns something other than undefined/false, or fails after `ms`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 10_000,
  intervalMs = 20,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A promise with its resolve function, for gating handlers from the test. */
export interface Gate<T = void> {
  promise: Promise<T>;
  open(value: T): void;
  opened: boolean;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  const g: Gate<T> = {
    promise: new Promise<T>((r) => (open = r)),
    open: (value: T) => {
      g.opened = true;
      open(value);
    },
    opened: false,
  };
  return g;
}

/** Resolves with the signal's reason once it aborts (never rejects). */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

/** Sleeps `ms`, rejecting with the signal's reason if it aborts first (a well-behaved handler). */
export function sleepObeying(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, signal);
}

type AnyAgent = AgentDefinition<never, unknown>;

/**
 * One test's Baton namespace on the file's nats-server: a fresh prefix, short timings, and
 * every worker and client it opens stopped when the test finishes.
 */
export class CoreEnv {
  readonly prefix = uniquePrefix();
  readonly options: BatonOptions;
  private readonly workers: Worker[] = [];
  private readonly clients: BatonClient[] = [];
  /** Opened at teardown so handlers parked "forever" can return. */
  readonly teardown = gate();

  constructor(nats: TestNats, overrides: BatonOptions = {}) {
    this.options = {
      natsUrl: nats.url,
      prefix: this.prefix,
      lease: "1s",
      logLevel: "silent",
      ...overrides,
    };
  }

  /** Starts an in-process worker; `overrides` must not change stream settings (use the env's). */
  async worker(agents: AnyAgent[], overrides: BatonOptions = {}): Promise<Worker> {
    const w = await Worker.start(agents, { ...this.options, ...overrides });
    this.workers.push(w);
    return w;
  }

  async client(): Promise<BatonClient> {
    const c = await createClient(this.options);
    this.clients.push(c);
    return c;
  }

  /** A handler that never returns until the test is over (ignores its signal). */
  forever(): Promise<void> {
    return this.teardown.promise;
  }

  async dispose(): Promise<void> {
    // stop(0) stops pulling and releases in-flight tasks by CAS. A graceful stop then waits for
    // its open long polls to expire (up to 5 s); a test namespace is thrown away, so once the
    // handlers are released the connections are cut instead of waiting.
    const stops = this.workers.map((w) => w.stop(0).catch(() => undefined));
    await waitFor(
      "workers to release their tasks",
      () => this.workers.every((w) => w.runners.every((r) => r.inFlight === 0)),
      5_000,
    ).catch(() => undefined);
    this.teardown.open();
    await Promise.allSettled(this.workers.map((w) => w.connection.nc.close()));
    await Promise.allSettled(this.clients.map((c) => c.close()));
    void Promise.allSettled(stops);
  }
}

/**
 * A worker starts a task before storing its claim only for tasks created a margin after it began
 * listening for cancels (see RecentCancels); this skips that wait.
 */
export function listeningLongAgo(w: Worker): void {
  w.cancels.listening(Date.now() - 10_000);
}

/** How many revisions of a task's record the tasks bucket stored. */
export async function recordWrites(client: BatonClient, id: string): Promise<number> {
  const { jsm, names } = client.connection;
  const stream = `KV_${names.tasksBucket}`;
  const subject = `$KV.${names.tasksBucket}.${id}`;
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

/** Creates a CoreEnv that is disposed when the current test finishes. */
export function coreEnv(nats: TestNats, overrides: BatonOptions = {}): CoreEnv {
  const env = new CoreEnv(nats, overrides);
  onTestFinished(() => env.dispose());
  return env;
}

export async function waitForState(
  client: BatonClient,
  id: string,
  accept: (r: TaskRecord) => boolean,
  what = "task state",
  ms = 15_000,
): Promise<TaskRecord> {
  return waitFor(
    `${what} of ${id}`,
    async () => {
      const r = await client.get(id);
      return accept(r) ? r : undefined;
    },
    ms,
  );
}

export function waitTerminal(client: BatonClient, id: string, ms = 15_000): Promise<TaskRecord> {
  return waitForState(client, id, (r) => isTerminal(r.state), "a terminal state", ms);
}

/** Messages of a capability's queues neither consumed nor acknowledged yet. */
export async function queueDepth(
  client: BatonClient,
  capability: string,
  priorities: readonly Priority[] = ["high", "normal", "low"],
): Promise<{ pending: number; unacked: number }> {
  const conn = client.connection;
  let pending = 0;
  let unacked = 0;
  for (const p of priorities) {
    try {
      const info = await conn.jsm.consumers.info(
        conn.names.tasksStream,
        conn.names.consumerName(capability, p),
      );
      pending += info.num_pending;
      unacked += info.num_ack_pending;
    } catch {
      // no consumer yet: count the stream's messages for that subject instead
      const info = await conn.jsm.streams.info(conn.names.tasksStream, {
        subjects_filter: conn.names.tasksSubject(capability, p),
      });
      pending += info.state.subjects?.[conn.names.tasksSubject(capability, p)] ?? 0;
    }
  }
  return { pending, unacked };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}
