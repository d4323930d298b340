/** Shared bits of the placement tests: the configurable agent, eligibility checks, event tracking. */
import { fileURLToPath } from "node:url";
import type { ConsumerMessages } from "@nats-io/jetstream";
import type { BatonConnection } from "../../src/nats/connection.js";
import type { AgentSnapshot, Resources } from "../../src/placement/types.js";
import { isTerminal } from "../../src/store/states.js";
import type { StateEvent, TaskEventBody } from "../../src/types.js";
import { afterAll, beforeAll } from "vitest";
import { AgentProcesses, type AgentProcessOptions } from "./agent-process.js";
import { startNats, type TestNats } from "./nats.js";
import { readAllEvents, readEventsOnceEnded, stateEventsByTask, terminalEvents } from "./fault.js";

/** The env-configured agent module (see test/fixtures/place-agent.ts). */
export const PLACE_AGENT = fileURLToPath(new URL("../fixtures/place-agent.ts", import.meta.url));

export interface PlaceAgentSpec {
  /** Agent name (the start of its id) and the process label. */
  name: string;
  capability?: string;
  concurrency?: number;
  resources?: Resources;
  /** More environment (BATON_LIMITS, ...). */
  env?: Record<string, string>;
}

/** Options for AgentProcesses.start: the place agent alone, configured by `spec`. */
export function placeAgent(spec: PlaceAgentSpec): AgentProcessOptions {
  return {
    name: spec.name,
    modules: [PLACE_AGENT],
    env: {
      BATON_TEST_NO_SLEEP: "1",
      BATON_TEST_AGENT_NAME: spec.name,
      BATON_TEST_CAPABILITY: spec.capability ?? "place",
      BATON_TEST_CONCURRENCY: String(spec.concurrency ?? 4),
      BATON_TEST_RESOURCES: spec.resources ? JSON.stringify(spec.resources) : "",
      ...spec.env,
    },
  };
}

/** An agent with `resources` as isEligible sees it (load plays no part in eligibility). */
export function snapshotFor(id: string, resources: Resources, capability = "place"): AgentSnapshot {
  return {
    id,
    capabilities: [capability],
    resources,
    freeSlots: 1,
    concurrency: 1,
    inFlight: 0,
    warmKeys: [],
    lastHeartbeat: Date.now(),
  };
}

/**
 * Reads the events stream from its start with an ordered consumer and keeps every terminal state
 * event per task, so a test can wait for tasks to finish without polling their records.
 */
export class TerminalTracker {
  readonly terminal = new Map<string, StateEvent[]>();
  private readonly waiters = new Set<() => void>();
  private readonly done: Promise<void>;

  private constructor(private readonly messages: ConsumerMessages) {
    this.done = (async () => {
      const decoder = new TextDecoder();
      for await (const m of messages) {
        const body = JSON.parse(decoder.decode(m.data)) as TaskEventBody;
        if (body.type !== "state" || !isTerminal(body.state)) continue;
        const list = this.terminal.get(body.taskId) ?? [];
        list.push({ ...body, seq: m.seq });
        this.terminal.set(body.taskId, list);
        for (const w of [...this.waiters]) w();
      }
    })();
  }

  static async start(conn: BatonConnection): Promise<TerminalTracker> {
    const consumer = await conn.js.consumers.get(conn.names.eventsStream);
    return new TerminalTracker(await consumer.consume());
  }

  /** How many of `ids` have a terminal event. */
  count(ids: readonly string[]): number {
    return ids.filter((id) => this.terminal.has(id)).length;
  }

  /** Resolves once every id has a terminal event; rejects after `timeoutMs` saying how many did. */
  waitAll(ids: readonly string[], timeoutMs: number, what = "tasks"): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.count(ids) === ids.length) {
          finish();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms: ${this.count(ids)} of ${ids.length} ${what} terminal`,
          ),
        );
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    await this.messages.close();
    await this.done.catch(() => undefined);
  }
}

/**
 * Tasks among `ids` whose events stream does not hold exactly one terminal state event, with
 * what it holds instead (an empty list means every task reached exactly one terminal state).
 */
export async function terminalEventProblems(
  conn: BatonConnection,
  ids: readonly string[],
): Promise<string[]> {
  // Once each has ended (or the wait gives up), so a missing end is listed, not thrown.
  const events = await readEventsOnceEnded(conn, ids).catch(() => readAllEvents(conn));
  const byTask = stateEventsByTask(events);
  const problems: string[] = [];
  for (const id of ids) {
    const ends = terminalEvents(byTask.get(id));
    if (ends.length !== 1)
      problems.push(`${id}: ${JSON.stringify(ends.map((e) => [e.state, e.attempt]))}`);
  }
  return problems;
}

/** The most intervals open at once ([start, end) so back-to-back intervals do not overlap). */
export function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const points = intervals.flatMap(([s, e]): [number, number][] => [
    [s, 1],
    [e, -1],
  ]);
  // Ends before starts at the same instant.
  points.sort(([a, da], [b, db]) => a - b || da - db);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}

/** A private nats-server for one test file and the agent groups its tests start on it. */
export interface PlacementCluster {
  readonly nats: TestNats;
  /**
   * Agent processes on this server with `lease` and warn-level logs (plus `env`); killed after
   * the file even if a test timed out before its own cleanup.
   */
  agents(lease: string, env?: Record<string, string>): AgentProcesses;
}

/** Registers the file's beforeAll/afterAll: start the server, then kill every group and it. */
export function placementCluster(): PlacementCluster {
  let server: TestNats | undefined;
  const groups: AgentProcesses[] = [];
  beforeAll(async () => {
    server = await startNats();
  });
  afterAll(async () => {
    await Promise.all(groups.map((g) => g[Symbol.asyncDispose]()));
    await server?.[Symbol.asyncDispose]();
  });
  const cluster: PlacementCluster = {
    get nats(): TestNats {
      if (!server) throw new Error("the nats-server starts in beforeAll");
      return server;
    },
    agents(lease, env = {}) {
      const { url, prefix } = cluster.nats;
      const group = new AgentProcesses({
        env: {
          BATON_NATS_URL: url,
          BATON_PREFIX: prefix,
          BATON_LEASE: lease,
          BATON_LOG_LEVEL: "warn",
          ...env,
        },
      });
      groups.push(group);
      return group;
    },
  };
  return cluster;
}
