/**
 * Fault test: 300 tasks on three agent processes while one of them is SIGKILLed every second
 * (round robin) and restarted. Every task must reach exactly one terminal state (SUCCEEDED: the
 * retry budget covers the kills), none may be lost or left RUNNING/PENDING, and the events
 * stream must hold exactly one terminal event per task.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { isTerminal } from "../../src/store/states.js";
import { TaskState, type SubmitOptions, type TaskRecord } from "../../src/types.js";
import { AgentProcesses, type AgentProcess } from "../helpers/agent-process.js";
import {
  loadRecords,
  queuedMessages,
  readEventsOnceEnded,
  sleep,
  stateEventsByTask,
  tally,
  terminalEvents,
  waitUntil,
} from "../helpers/fault.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const TASKS = 300;
const AGENTS = 3;
const LEASE = "1500ms";
const KILL_EVERY_MS = 1000;
// A task loses an attempt only when the agent running it is killed while it runs (the lost
// attempt counts toward the budget). Kills go round robin over the three agents once a second,
// only while another agent is up, and a lost task is taken over ~1.5-3 s later (lease, then the
// server's redelivery), usually by a freshly restarted agent, and then needs < 0.5 s to finish.
// So every further loss needs another kill to land on its new owner within that window; runs
// show at most 2-3 lost attempts per task, and 10 leaves a wide margin (reported as max_attempt).
const MAX_ATTEMPTS = 10;
// Few slots per agent so the run lasts long enough for many kills to hit running tasks.
const CONCURRENCY = 4;

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.[Symbol.asyncDispose]();
});

function randomInput(i: number): { ms: number; steps?: number } {
  const ms = 100 + Math.floor(Math.random() * 201);
  // Every third task is split into durable steps, so a takeover resumes mid-task.
  return i % 3 === 0 ? { ms, steps: 2 + (i % 2) } : { ms };
}

// The fast path (any agent runs the next task) and the negotiated one: with an affinity key the
// receiving agent calls for bids and may award the task to another agent while it holds the
// queue message, so kills hit negotiators holding messages for others and winners alike.
const MODES: [string, (i: number) => SubmitOptions | undefined][] = [
  ["fast path", () => undefined],
  ["negotiated (affinity keys)", (i) => ({ affinityKey: `program-${i % 12}` })],
];

describe.each(MODES)("fault: agents killed with SIGKILL, %s", (mode, optionsFor) => {
  it(`runs ${TASKS} tasks to exactly one terminal state while an agent is killed every second`, async () => {
    const started = Date.now();
    const env = {
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: nats.prefix,
      BATON_LEASE: LEASE,
      BATON_LOG_LEVEL: "warn",
      BATON_RETRY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      BATON_RETRY_INITIAL_INTERVAL: "100ms",
      BATON_RETRY_MAXIMUM_INTERVAL: "1s",
      BATON_SLEEP_CONCURRENCY: String(CONCURRENCY),
    };
    const agents = new AgentProcesses({ env });
    let client: BatonClient | undefined;
    let stopKilling = false;
    let killer: Promise<void> = Promise.resolve();
    try {
      const slots: AgentProcess[] = await Promise.all(
        Array.from({ length: AGENTS }, (_, i) => agents.start({ name: `agent-${i}` })),
      );
      const everyAgent = [...slots];
      client = await createClient({ natsUrl: nats.url, prefix: nats.prefix, lease: LEASE });
      const conn = client.connection;

      // Kill one ready agent per second, round robin, and start its replacement in the
      // background (the next kill does not wait for it).
      let kills = 0;
      let skippedTicks = 0;
      const killLog: string[] = [];
      const restartErrors: unknown[] = [];
      killer = (async () => {
        let next = 0;
        while (!stopKilling) {
          await sleep(KILL_EVERY_MS);
          if (stopKilling) return;
          // Keep one agent working: when restarts are slower than the kill rate (a loaded box),
          // killing the only live agent every second would only starve the queue.
          if (slots.filter((p) => p.isReady).length < 2) {
            skippedTicks++;
            continue;
          }
          for (let k = 0; k < AGENTS; k++) {
            const i = (next + k) % AGENTS;
            const victim = slots[i];
            if (!victim?.isReady) continue;
            next = i + 1;
            const status = await victim.kill("SIGKILL");
            if (status.signal !== "SIGKILL") {
              restartErrors.push(new Error(`${victim.name} exited with ${JSON.stringify(status)}`));
            }
            kills++;
            killLog.push(`${Date.now() - started} kill ${victim.agentIds.join()}`);
            const replacement = agents.spawn({ name: `agent-${i}` });
            slots[i] = replacement;
            everyAgent.push(replacement);
            replacement.ready().then(
              () => killLog.push(`${Date.now() - started} ready ${replacement.agentIds.join()}`),
              (err: unknown) => restartErrors.push(err),
            );
            break;
          }
        }
      })();

      // Submit while the kills run, a few at a time.
      const inputs = Array.from({ length: TASKS }, (_, i) => randomInput(i));
      const ids: string[] = new Array<string>(TASKS);
      let cursor = 0;
      const c = client;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (cursor < TASKS) {
            const i = cursor++;
            ids[i] = (await c.submit("sleep", inputs[i], optionsFor(i))).id;
          }
        }),
      );
      const submittedAt = Date.now();

      let terminal = 0;
      await waitUntil(
        async () => {
          const records = await loadRecords(conn, ids);
          terminal = [...records.values()].filter((v) => v && isTerminal(v.record.state)).length;
          return terminal === TASKS;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: `all ${TASKS} tasks terminal` },
      ).catch((err: unknown) => {
        throw new Error(`${String(err)} (${terminal} terminal)`);
      });
      const doneAt = Date.now();
      stopKilling = true;
      await killer;
      expect(restartErrors).toEqual([]);

      // Every task message is acked eventually: one whose agent died after settling but before
      // acking comes back after the lease, is seen to be finished and dropped.
      await waitUntil(async () => (await queuedMessages(conn)) === 0, {
        timeoutMs: 15_000,
        what: "work queue drained",
      });

      const records = await loadRecords(conn, ids);
      const t = tally(records);
      expect(t.missing).toBe(0);
      expect(t.byState).toEqual({ [TaskState.Succeeded]: TASKS });
      // Every attempt is closed: lost ones by the takeover, the last one by its success.
      expect(Object.keys(t.outcomes).sort()).toEqual(
        t.lostAttempts > 0 ? ["lost", "succeeded"] : ["succeeded"],
      );
      expect(t.outcomes.succeeded).toBe(TASKS);
      for (const [i, id] of ids.entries()) {
        const r = records.get(id)?.record as TaskRecord;
        const last = r.attempts.at(-1);
        expect(last?.outcome, id).toBe("succeeded");
        expect(last?.attempt, id).toBe(r.attempt);
        expect(r.owner, id).toBeUndefined();
        expect(r.result, id).toMatchObject({ slept: inputs[i]?.ms, steps: inputs[i]?.steps ?? 1 });
      }

      // Exactly one terminal event per task, the SUCCEEDED of its last attempt.
      const events = stateEventsByTask(await readEventsOnceEnded(conn, ids));
      const wrongEvents: string[] = [];
      for (const id of ids) {
        const ends = terminalEvents(events.get(id));
        const r = records.get(id)?.record;
        if (
          ends.length !== 1 ||
          ends[0]?.state !== TaskState.Succeeded ||
          ends[0]?.attempt !== r?.attempt
        ) {
          const states = events.get(id)?.map((e) => [e.state, e.attempt, e.time - started]);
          const attempts = r?.attempts.map((a) => [
            a.attempt,
            a.agentId,
            a.startedAt - started,
            (a.endedAt ?? 0) - started,
            a.outcome,
          ]);
          wrongEvents.push(
            `${id}: state events ${JSON.stringify(states)}, attempts ${JSON.stringify(attempts)}`,
          );
        }
      }
      if (wrongEvents.length > 0) console.log(`${wrongEvents.join("\n")}\n${killLog.join("\n")}`);
      expect(wrongEvents).toEqual([]);
      expect(await client.deadLetters()).toEqual([]);

      expect(kills).toBeGreaterThanOrEqual(3);
      const republished = everyAgent
        .flatMap((a) => a.stderrLines)
        .filter((l) => l.includes("terminal event republished")).length;
      console.log(
        [
          `[fault-sigkill] mode=${JSON.stringify(mode)} tasks=${TASKS} succeeded=${t.byState[TaskState.Succeeded] ?? 0}`,
          `kills=${kills} skipped_ticks=${skippedTicks} lost_attempts=${t.lostAttempts}`,
          `tasks_taken_over=${t.tasksWithTakeover} max_attempt=${t.maxAttempt}`,
          `events_repaired=${republished} submit_ms=${submittedAt - started}`,
          `run_ms=${doneAt - started} total_ms=${Date.now() - started}`,
        ].join(" "),
      );
    } finally {
      stopKilling = true;
      await killer.catch(() => undefined);
      await client?.close();
      await agents[Symbol.asyncDispose]();
    }
  }, 120_000);
});
