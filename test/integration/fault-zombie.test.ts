/**
 * Fault test: a zombie owner. Agent A claims a task, is frozen with SIGSTOP past its lease,
 * agent B takes the task over and finishes it; then A is resumed with its handler's result in
 * hand. A's late result must be rejected: the record (and its KV revision) and the task's state
 * events stay exactly as B left them.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { isTerminal } from "../../src/store/states.js";
import { TaskState, type JsonValue, type StateEvent } from "../../src/types.js";
import { AgentProcesses } from "../helpers/agent-process.js";
import { queuedMessages, readAllEvents, sleep, waitUntil } from "../helpers/fault.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const LEASE_MS = 1500;
const HANDLER_MS = 4 * LEASE_MS;
const STUBBORN = fileURLToPath(new URL("../helpers/agents/stubborn-sleep.ts", import.meta.url));

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.[Symbol.asyncDispose]();
});

async function waitForRunning(client: BatonClient, id: string, timeoutMs: number): Promise<void> {
  const seen = (async () => {
    for await (const e of client.watch(id)) {
      if (e.type !== "state") continue;
      if (e.state === TaskState.Running) return;
      if (isTerminal(e.state)) throw new Error(`task ${id} ended ${e.state} before running`);
    }
    throw new Error(`watch of ${id} ended without RUNNING`);
  })();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      seen,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${id} not RUNNING in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function stateEventsOf(client: BatonClient, id: string): Promise<StateEvent[]> {
  const events = await readAllEvents(client.connection);
  return events.filter((e): e is StateEvent => e.type === "state" && e.taskId === id);
}

/** What a fenced owner logs: its result's CAS failed, or its lease renewal did first. */
const FENCED_LOG = /late result rejected|lease lost to another agent/;

interface Scenario {
  capability: string;
  input: JsonValue;
  /** What A must have logged once it has dealt with being fenced. */
  fencedLog: RegExp;
}

async function runZombie(s: Scenario): Promise<void> {
  const started = Date.now();
  const agents = new AgentProcesses({
    env: {
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: nats.prefix,
      BATON_LEASE: `${LEASE_MS}ms`,
      BATON_LOG_LEVEL: "warn",
      BATON_SLEEP_CONCURRENCY: "4",
    },
    modules: [STUBBORN],
  });
  let client: BatonClient | undefined;
  try {
    const a = await agents.start({ name: "A" });
    client = await createClient({
      natsUrl: nats.url,
      prefix: nats.prefix,
      lease: `${LEASE_MS}ms`,
    });
    const conn = client.connection;
    const { id } = await client.submit(s.capability, s.input);

    // Only A runs, so A claims it; freeze A as soon as it is RUNNING.
    await waitForRunning(client, id, 15_000);
    a.stop();
    const stoppedAt = Date.now();
    const claimed = await client.get(id);
    expect(claimed.state).toBe(TaskState.Running);
    expect(claimed.attempt).toBe(1);
    expect(a.agentIds).toContain(claimed.owner?.agentId);
    const claimedAt = claimed.attempts[0]?.startedAt ?? 0;

    // B starts only now; it gets the message once A's lease (ack wait) lapses.
    const b = await agents.start({ name: "B" });
    const final = await client.wait(id, { timeoutMs: HANDLER_MS + 20_000 });
    const finishedAt = Date.now();
    expect(final.state).toBe(TaskState.Succeeded);
    expect(final.attempt).toBe(2);
    expect(final.attempts).toHaveLength(2);
    expect(final.attempts[0]).toMatchObject({
      attempt: 1,
      agentId: claimed.owner?.agentId,
      outcome: "lost",
    });
    expect(b.agentIds).toContain(final.attempts[1]?.agentId);
    expect(final.attempts[1]).toMatchObject({ attempt: 2, outcome: "succeeded" });
    expect(final.owner).toBeUndefined();
    // A's handler would have returned while A was frozen: its result is waiting for it.
    expect(finishedAt).toBeGreaterThan(claimedAt + HANDLER_MS);

    // Snapshot what B left: the record with its KV revision, and the task's state events.
    await waitUntil(async () => (await queuedMessages(conn)) === 0, {
      timeoutMs: 5_000,
      what: "B acked the task message",
    });
    const before = await conn.tasks.get(id);
    expect(before).toBeDefined();
    const eventsBefore = await stateEventsOf(client, id);
    // Submit stores no PENDING event (a watch makes it from the record).
    expect(eventsBefore.map((e) => [e.state, e.attempt])).toEqual([
      [TaskState.Running, 1],
      [TaskState.Running, 2],
      [TaskState.Succeeded, 2],
    ]);

    // Resume the zombie and wait until it has demonstrably dealt with its stale attempt.
    a.cont();
    const resumedAt = Date.now();
    const line = await a.waitForStderr(FENCED_LOG, 20_000);
    const reactedMs = Date.now() - resumedAt;
    expect(line).toMatch(s.fencedLog);
    // Give any stray write from A (a heartbeat, an ack, an event) time to land.
    await sleep(LEASE_MS);

    const after = await conn.tasks.get(id);
    expect(after?.revision).toBe(before?.revision);
    expect(after?.record).toEqual(before?.record);
    expect(await stateEventsOf(client, id)).toEqual(eventsBefore);
    expect(await queuedMessages(conn)).toBe(0);
    expect(a.running).toBe(true);

    const msg = (JSON.parse(line) as { msg?: string }).msg;
    console.log(
      `[fault-zombie] capability=${s.capability} tasks=1 final=${final.state} attempt=${final.attempt} ` +
        `lost_attempts=1 revision=${before?.revision} unchanged=true ` +
        `stopped_ms=${resumedAt - stoppedAt} A_reacted_ms=${reactedMs} A_log="${msg}" ` +
        `total_ms=${Date.now() - started}`,
    );
  } finally {
    await client?.close();
    await agents[Symbol.asyncDispose]();
  }
}

describe("fault: zombie agent (SIGSTOP past its lease, then SIGCONT)", () => {
  it("rejects the late result of a handler that ignores its abort signal", async () => {
    // On resume both of A's timers are overdue: if the handler's fires first its result's CAS is
    // rejected; if the heartbeat's fires first the lease renewal finds B's claim and discards the
    // attempt. Either way nothing A does may change the record, which runZombie asserts.
    await runZombie({
      capability: "stubborn",
      input: { ms: HANDLER_MS },
      fencedLog: FENCED_LOG,
    });
  }, 60_000);

  it("leaves the record unchanged when the sleep agent with durable steps resumes", async () => {
    // On resume the overdue heartbeat and the finished sleep race (the sleep agent awaits its
    // step write and a progress event before returning): A is fenced either by its lease
    // renewal (result discarded) or by its result's CAS (late result rejected).
    await runZombie({
      capability: "sleep",
      input: { ms: HANDLER_MS, steps: 2 },
      fencedLog: FENCED_LOG,
    });
  }, 60_000);
});
