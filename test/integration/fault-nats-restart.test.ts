/**
 * Fault test: the nats-server process (file store) is restarted mid-run while a submitter
 * keeps submitting and two agent processes keep working; the server stays down for longer than
 * the lease. Every task whose submit call returned (acknowledged) must reach SUCCEEDED exactly
 * once: one record per idempotency key, one terminal state, one terminal event, and every task
 * message acked. Run twice: a graceful stop (SIGTERM) and a crash (SIGKILL) of the server.
 *
 * Submits made while the server is away time out (the client drops what it could not send while
 * disconnected) and are retried with the same idempotency key; none creates a second task.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { hashKey } from "../../src/nats/subjects.js";
import { isTerminal } from "../../src/store/states.js";
import { TaskState, type TaskRecord } from "../../src/types.js";
import { AgentProcesses } from "../helpers/agent-process.js";
import {
  loadRecords,
  queuedTaskIds,
  readEventsOnceEnded,
  sleep,
  stateEventsByTask,
  tally,
  terminalEvents,
  waitUntil,
} from "../helpers/fault.js";
import { startNats, uniquePrefix, type TestNats } from "../helpers/nats.js";

const TASKS = 200;
const LEASE = "2s";
/** One submit started every SUBMIT_EVERY_MS, so submits are in flight during the restart. */
const SUBMIT_EVERY_MS = 20;
const RESTART_AFTER_MS = 1500;
const SUBMIT_TRIES = 10;
/** Server down this long (longer than the lease, so leases lapse while it is away). */
const DOWNTIME_MS = 3000;

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.[Symbol.asyncDispose]();
});

interface SubmitResult {
  key: string;
  id?: string;
  /** Failed tries before the one that returned (or all of them). */
  errors: string[];
  /** The record returned was stored by an earlier, failed try. */
  storedByFailedTry: boolean;
}

async function submitWithRetry(client: BatonClient, i: number): Promise<SubmitResult> {
  const key = `restart-${i}`;
  const ms = 150 + Math.floor(Math.random() * 251);
  const input = i % 4 === 0 ? { ms, steps: 2 } : { ms };
  const result: SubmitResult = { key, errors: [], storedByFailedTry: false };
  let delay = 200;
  const firstTry = Date.now();
  for (let attempt = 1; attempt <= SUBMIT_TRIES; attempt++) {
    const tryStarted = Date.now();
    try {
      const record = await client.submit("sleep", input, { idempotencyKey: key });
      result.id = record.id;
      result.storedByFailedTry = attempt > 1 && record.createdAt < tryStarted;
      return result;
    } catch (err) {
      result.errors.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      if (Date.now() - firstTry > 30_000) break;
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
  }
  return result;
}

/** Error messages without ids, for a compact tally. */
function errorKind(message: string): string {
  return message.replace(/[0-9A-Z]{26}/g, "<id>").slice(0, 120);
}

async function runRestart(how: "stop" | "kill"): Promise<void> {
  const started = Date.now();
  // Both cases share the file's server: each gets its own namespace.
  const prefix = uniquePrefix();
  const agents = new AgentProcesses({
    env: {
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: prefix,
      BATON_LEASE: LEASE,
      BATON_LOG_LEVEL: "warn",
      BATON_RETRY_MAX_ATTEMPTS: "10",
      BATON_RETRY_INITIAL_INTERVAL: "200ms",
      BATON_RETRY_MAXIMUM_INTERVAL: "2s",
      BATON_SLEEP_CONCURRENCY: "8",
    },
  });
  let client: BatonClient | undefined;
  try {
    const pair = await Promise.all([
      agents.start({ name: "agent-0" }),
      agents.start({ name: "agent-1" }),
    ]);
    client = await createClient({ natsUrl: nats.url, prefix, lease: LEASE });
    const conn = client.connection;
    const c = client;

    // Submit at a steady pace; restart the server while submits and tasks are in flight.
    const submits: Promise<SubmitResult>[] = [];
    const submitting = (async () => {
      for (let i = 0; i < TASKS; i++) {
        submits.push(submitWithRetry(c, i));
        await sleep(SUBMIT_EVERY_MS);
      }
    })();
    await sleep(RESTART_AFTER_MS);
    const restartStarted = Date.now();
    if (how === "stop") await nats.server.stop();
    else await nats.server.kill("SIGKILL");
    await sleep(DOWNTIME_MS);
    await nats.server.restart();
    const restartMs = Date.now() - restartStarted;
    await submitting;
    const results = await Promise.all(submits);
    const submittedAt = Date.now();

    const acked = results.filter((r) => r.id !== undefined);
    const ids = acked.map((r) => r.id as string);
    expect(new Set(ids).size).toBe(ids.length);

    let terminal = 0;
    await waitUntil(
      async () => {
        const records = await loadRecords(conn, ids);
        terminal = [...records.values()].filter((v) => v && isTerminal(v.record.state)).length;
        return terminal === ids.length;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: `all ${ids.length} acknowledged tasks terminal`,
      },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)} (${terminal} terminal)`);
    });
    const doneAt = Date.now();
    // Every task message gets acked. After a SIGKILL, nats-server 2.9's file store may bring
    // back messages that were acked (removed) shortly before the crash while the consumer keeps
    // its ack floor: those are never delivered again. They must all belong to finished tasks.
    let orphans: string[] = [];
    await waitUntil(
      async () => {
        const left = await queuedTaskIds(conn);
        const records = await loadRecords(conn, left);
        orphans = left.filter((id) => {
          const r = records.get(id)?.record;
          return r !== undefined && isTerminal(r.state);
        });
        return how === "stop" ? left.length === 0 : left.length === orphans.length;
      },
      { timeoutMs: 15_000, what: "every task message acked" },
    );

    const records = await loadRecords(conn, ids);
    const t = tally(records);
    expect(t.missing).toBe(0);
    expect(t.byState).toEqual({ [TaskState.Succeeded]: ids.length });
    for (const id of ids) {
      const r = records.get(id)?.record as TaskRecord;
      expect(
        r.attempts.filter((a) => a.outcome === "succeeded"),
        id,
      ).toHaveLength(1);
      expect(r.attempts.at(-1)?.outcome, id).toBe("succeeded");
    }

    // One task per idempotency key: every record in the bucket, grouped by key.
    const allIds = (await conn.tasks.scan()).map((r) => r.id);
    const all = await loadRecords(conn, allIds);
    const byKey = new Map<string, TaskRecord[]>();
    for (const v of all.values()) {
      if (!v) continue;
      const list = byKey.get(v.record.idempotencyKey ?? "") ?? [];
      list.push(v.record);
      byKey.set(v.record.idempotencyKey ?? "", list);
    }
    const duplicated = [...byKey.entries()].filter(([, list]) => list.length > 1);
    expect(duplicated.map(([key]) => key)).toEqual([]);
    for (const r of acked) expect(byKey.get(r.key)?.[0]?.id, r.key).toBe(r.id);

    // Exactly one terminal event per acknowledged task.
    const events = stateEventsByTask(await readEventsOnceEnded(conn, ids));
    const wrongEvents: string[] = [];
    for (const id of ids) {
      const ends = terminalEvents(events.get(id));
      if (ends.length !== 1 || ends[0]?.state !== TaskState.Succeeded) {
        const r = records.get(id)?.record;
        const logs = pair
          .flatMap((a) => a.stderrLines)
          .filter((l) => l.includes(id))
          .map((l) => (JSON.parse(l) as { msg?: string }).msg);
        const attempts = r?.attempts.map((a) => [
          a.attempt,
          a.outcome,
          a.startedAt - restartStarted,
          (a.endedAt ?? 0) - restartStarted,
        ]);
        wrongEvents.push(
          `${id}: terminal events ${JSON.stringify(ends.map((e) => [e.state, e.attempt]))}, ` +
            `attempts (ms from restart) ${JSON.stringify(attempts)}, agent logs ${JSON.stringify(logs)}`,
        );
      }
    }
    expect(wrongEvents).toEqual([]);

    // What became of submits that failed: retried until acknowledged, or given up.
    const failedTries = results.flatMap((r) => r.errors);
    const kinds = new Map<string, number>();
    for (const e of failedTries) kinds.set(errorKind(e), (kinds.get(errorKind(e)) ?? 0) + 1);
    const retriedOk = acked.filter((r) => r.errors.length > 0);
    const givenUp = results.filter((r) => r.id === undefined);
    const givenUpStates: string[] = [];
    for (const r of givenUp) {
      const entry = await conn.idempotency.get(hashKey(r.key));
      const id = entry ? new TextDecoder().decode(entry.value) : undefined;
      const rec = id ? await conn.tasks.get(id) : undefined;
      givenUpStates.push(`${r.key}:${rec?.record.state ?? "no record"}`);
    }
    const attemptErrors = new Map<string, number>();
    for (const v of records.values()) {
      for (const a of v?.record.attempts ?? []) {
        if (a.outcome !== "failed") continue;
        const k = errorKind(a.error?.message ?? "?");
        attemptErrors.set(k, (attemptErrors.get(k) ?? 0) + 1);
      }
    }
    const agentWarnings = pair
      .flatMap((a) => a.stderrLines)
      .map((l) => (JSON.parse(l) as { msg?: string }).msg ?? l);
    const warnKinds = new Map<string, number>();
    for (const w of agentWarnings) warnKinds.set(w, (warnKinds.get(w) ?? 0) + 1);

    expect(pair.every((a) => a.running)).toBe(true);
    console.log(
      [
        `[fault-nats-restart] server=${how === "stop" ? "SIGTERM" : "SIGKILL"} tasks=${TASKS}`,
        `acknowledged=${acked.length} given_up=${givenUp.length}`,
        `succeeded=${t.byState[TaskState.Succeeded] ?? 0} lost_attempts=${t.lostAttempts}`,
        `max_attempt=${t.maxAttempt} attempt_outcomes=${JSON.stringify(t.outcomes)}`,
        `failed_submit_tries=${failedTries.length} submits_retried_ok=${retriedOk.length}`,
        `stored_by_failed_try=${retriedOk.filter((r) => r.storedByFailedTry).length}`,
        `down_ms=${restartMs} orphaned_queue_messages=${orphans.length}`,
        `submit_ms=${submittedAt - started} run_ms=${doneAt - started}`,
        `total_ms=${Date.now() - started}`,
      ].join(" ") +
        `\n  submit errors: ${JSON.stringify([...kinds])}` +
        `\n  given up: ${JSON.stringify(givenUpStates)}` +
        `\n  failed attempts: ${JSON.stringify([...attemptErrors])}` +
        `\n  agent warnings: ${JSON.stringify([...warnKinds])}`,
    );
  } finally {
    await client?.close();
    await agents[Symbol.asyncDispose]();
  }
}

describe("fault: nats-server restarted mid-run (file store)", () => {
  it(`loses no acknowledged task of ${TASKS} across a graceful server restart`, async () => {
    await runRestart("stop");
  }, 120_000);

  it(`loses no acknowledged task of ${TASKS} when the server is SIGKILLed and restarted`, async () => {
    await runRestart("kill");
  }, 120_000);
});
