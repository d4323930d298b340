import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import { TaskState, type DeadLetter, type TaskPage, type TaskRecord } from "../../src/types.js";
import type { Demand } from "../../src/registry/demand.js";
import { waitFor } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "baton.mjs");
const SLEEP_AGENT = "agents/sleep/index.ts";
const TASK_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The parent's environment without any BATON_* setting, plus `extra`. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("BATON_")) out[k] = v;
  return { ...out, ...extra };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A CLI process whose output is collected and can be waited on line by line. */
class Cli {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(args: readonly string[], childEnv: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(this);
    this.child.stdout?.setEncoding("utf8").on("data", (c: string) => this.append("stdout", c));
    this.child.stderr?.setEncoding("utf8").on("data", (c: string) => this.append("stderr", c));
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        live.delete(this);
        resolve({ code, signal });
        this.notify();
      });
    });
  }

  private append(stream: "stdout" | "stderr", chunk: string): void {
    this[stream] += chunk;
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits. */
  waitForLine(pattern: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      let done = false;
      const check = (): void => {
        const line = this.stdout.split("\n").find((l) => pattern.test(l));
        if (line !== undefined) {
          this.waiters.delete(check);
          done = true;
          resolve(line);
        }
      };
      check();
      if (done) return;
      this.waiters.add(check);
      void this.exited.then(() => {
        check();
        if (!done) {
          this.waiters.delete(check);
          reject(new Error(`exited before printing ${pattern}:\n${this.stdout}\n${this.stderr}`));
        }
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

const live = new Set<Cli>();

interface Result extends Exit {
  stdout: string;
  stderr: string;
}

async function baton(args: readonly string[], childEnv: NodeJS.ProcessEnv): Promise<Result> {
  const cli = new Cli(args, childEnv);
  const exit = await cli.exited;
  return { ...exit, stdout: cli.stdout, stderr: cli.stderr };
}

afterAll(() => {
  for (const cli of live) cli.kill("SIGKILL");
});

describe("baton CLI against a NATS server", () => {
  let nats: TestNats;
  let cliEnv: NodeJS.ProcessEnv;
  let agent: Cli;
  let client: BatonClient;
  const run = (...args: string[]): Promise<Result> => baton(args, cliEnv);

  beforeAll(async () => {
    nats = await startNats();
    cliEnv = env({
      BATON_NATS_URL: nats.url,
      BATON_PREFIX: nats.prefix,
      BATON_LOG_LEVEL: "warn",
      BATON_RETRY_INITIAL_INTERVAL: "100ms",
      BATON_SHUTDOWN_GRACE: "20s",
    });
    agent = new Cli(["agent", SLEEP_AGENT], cliEnv);
    await agent.waitForLine(/^agent \S+ started: capabilities sleep/);
    client = await createClient({ natsUrl: nats.url, prefix: nats.prefix, logLevel: "warn" });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    agent?.kill("SIGKILL");
    await nats?.[Symbol.asyncDispose]();
  });

  let finishedId = "";

  it("submit --wait prints the final record and exits 0", async () => {
    const r = await run("submit", "sleep", "--input", '{"ms":50,"steps":2}', "--wait");
    expect(r.stderr).toContain("SUCCEEDED");
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout) as TaskRecord;
    expect(record.state).toBe(TaskState.Succeeded);
    expect(record.result).toEqual({ slept: 50, steps: 2, attempt: 1 });
    finishedId = record.id;
  });

  it("submit prints the task id, and get prints its record", async () => {
    const r = await run("submit", "sleep", "--input", '{"ms":0}', "--priority", "high");
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(TASK_ID);
    const got = await run("get", id);
    expect(got.code).toBe(0);
    const record = JSON.parse(got.stdout) as TaskRecord;
    expect(record).toMatchObject({ id, capability: "sleep", priority: "high" });
  });

  it("rejects malformed --input, naming the flag", async () => {
    const r = await run("submit", "sleep", "--input", "{ms: 5");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^baton: submit: --input: not valid JSON/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects a bad option with the field named", async () => {
    const r = await run("submit", "sleep", "--input", "{}", "--priority", "urgent");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("baton: submit: options.priority: must be one of high, normal, low\n");
  });

  it("get of an unknown id fails with not found", async () => {
    const r = await run("get", "0000000000AAAAAAAAAAAAAAAA");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not found/);
  });

  it("tasks lists the submitted tasks, as a table or JSON", async () => {
    const table = await run("tasks");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+CAPABILITY\s+STATE\s+ATTEMPT\s+AGE/);
    expect(table.stdout).toMatch(new RegExp(`${finishedId}\\s+sleep\\s+SUCCEEDED\\s+1\\s`));
    const page = await run("tasks", "--json", "--state", "succeeded", "--capability", "sleep");
    expect(page.code).toBe(0);
    const ids = (JSON.parse(page.stdout) as TaskPage).tasks.map((t) => t.id);
    expect(ids).toContain(finishedId);
  });

  it("cancel of a finished task fails; of a delayed one succeeds", async () => {
    const finished = await run("cancel", finishedId);
    expect(finished.code).not.toBe(0);
    expect(finished.stderr).toMatch(/already SUCCEEDED/);

    const submitted = await run("submit", "sleep", "--input", '{"ms":0}', "--delay", "10m");
    const id = submitted.stdout.trim();
    const cancelled = await run("cancel", id);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toBe(`${id} CANCELLED\n`);
    expect((await client.get(id)).state).toBe(TaskState.Cancelled);
  });

  it("dlq lists a dead task and --replay queues it again", async () => {
    const dead = await run(
      "submit",
      "sleep",
      "--input",
      '{"ms":0,"failTimes":5}',
      "--max-attempts",
      "1",
      "--wait",
    );
    expect(dead.code).toBe(1);
    const record = JSON.parse(dead.stdout) as TaskRecord;
    expect(record.state).toBe(TaskState.Dead);

    const table = await run("dlq", "--capability", "sleep");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${record.id}\\s+sleep\\s+1\\s`));
    const letters = JSON.parse((await run("dlq", "--json")).stdout) as DeadLetter[];
    expect(letters.map((d) => d.taskId)).toContain(record.id);

    const replayed = await run("dlq", "--replay", record.id);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toBe(`${record.id} PENDING (replayed)\n`);
    // It fails again (failTimes 5, one attempt): a second DEAD with both attempts recorded.
    const again = await client.wait(record.id, { timeoutMs: 30_000 });
    expect(again.state).toBe(TaskState.Dead);
    expect(again.attempts).toHaveLength(2);

    const notDead = await run("dlq", "--replay", finishedId);
    expect(notDead.code).not.toBe(0);
    expect(notDead.stderr).toMatch(/not DEAD/);
  });

  it("submit --require leaves a task waiting that get, tasks and demand explain", async () => {
    // The sleep agent offers no GPU, so the task is negotiated and waits.
    const r = await run("submit", "sleep", "--input", '{"ms":0}', "--require", "gpu=a100");
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    const waiting = await waitFor("the task to wait", async () => (await client.get(id)).waiting);
    expect(waiting.resourceClass).toBe("gpu:a100x1");

    const got = await run("get", id);
    expect(got.code).toBe(0);
    const record = JSON.parse(got.stdout) as TaskRecord;
    expect(record.requirements).toEqual({ gpuType: "a100" });
    expect(got.stderr).toMatch(/^waiting \S+ for gpu:a100x1: no eligible agent .*a100/m);

    const demand = await run("demand", "--capability", "sleep");
    expect(demand.code).toBe(0);
    expect(demand.stdout).toMatch(/^CAPABILITY\s+RESOURCE CLASS\s+WAITING\s+OLDEST\s+REASON\n/);
    expect(demand.stdout).toMatch(/^sleep\s+gpu:a100x1\s+1\s+\d+[smhd]\s+no eligible agent/m);
    const asJson = JSON.parse((await run("demand", "--json")).stdout) as Demand[];
    expect(asJson).toEqual(await client.demand());
    const tasks = await run("tasks", "--state", "pending");
    expect(tasks.stdout).toMatch(
      new RegExp(`^${id}\\s+sleep\\s+PENDING\\s+0\\s+\\S+\\s+no eligible`, "m"),
    );

    const bad = await run("submit", "sleep", "--require", "gpu-mem=lots");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^baton: submit: --require: gpu-mem must be a whole number of MiB/);
    const badDemand = await run("demand", "--capability", "a b");
    expect(badDemand.stderr).toMatch(/^baton: demand: --capability: /);

    expect((await run("cancel", id)).code).toBe(0);
    expect(await run("demand")).toMatchObject({
      code: 0,
      stdout: "",
      stderr: "no waiting tasks\n",
    });
  });

  it("client commands without a server say how to get one", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "baton-cli-"));
    try {
      const r = await baton(["tasks"], env({ BATON_DATA_DIR: dataDir }));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no NATS server configured and no embedded server running/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("SIGTERM lets the running task finish, then the agent exits 0", async () => {
    const task = await client.submit("sleep", { ms: 1500, steps: 3 });
    for await (const event of client.watch(task.id)) {
      if (event.type === "state" && event.state === TaskState.Running) break;
    }
    agent.kill("SIGTERM");
    const exit = await agent.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(agent.stderr).toMatch(/SIGTERM: stopping/);
    const final = await client.get(task.id);
    expect(final.state).toBe(TaskState.Succeeded);
    expect(final.attempts).toHaveLength(1);
  });
});

describe("baton quickstart", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "baton-quickstart-"));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("runs the demo on its own embedded server and stops it", async () => {
    const r = await baton(["quickstart", "--exit"], env({ BATON_DATA_DIR: dataDir }));
    expect(r.code).toBe(0);
    // Logs stay at warn unless asked for: no info lines in a human's terminal.
    expect(r.stderr).not.toMatch(/"level":(10|20|30)\b/);
    expect(r.stdout).toMatch(/embedded nats-server nats:\/\/127\.0\.0\.1:\d+ \(started now/);
    expect(r.stdout).toMatch(/attempt 1 failed: planned failure/);
    expect(r.stdout).toMatch(/Demo task [0-9A-Z]{26} SUCCEEDED .* after 2 attempts/);
    expect(r.stdout).toMatch(/Stopped the agents and the embedded nats-server/);
    // The server is gone, so the next command must not find it.
    expect(existsSync(join(dataDir, "nats-server.json"))).toBe(false);

    // The research demo: its sub-tasks ran in agent processes other than the quickstart.
    expect(r.stdout).toMatch(/Research task [0-9A-Z]{26} SUCCEEDED .* \(pid (\d+)\)\./);
    const quickstartPid = /Research task .* \(pid (\d+)\)\./.exec(r.stdout)?.[1];
    const rows = [
      ...r.stdout.matchAll(/^ {4}(\S+) +(summarize|embed) +SUCCEEDED +(\S+) +(\d+) +\S+ +(.+)$/gm),
    ];
    expect(rows.map((m) => m[2])).toContain("summarize");
    expect(rows.map((m) => m[2])).toContain("embed");
    const pids = new Set(rows.map((m) => m[4]));
    expect(pids.size).toBeGreaterThanOrEqual(2);
    expect(pids).not.toContain(quickstartPid);
    // Handed from the research agent to its peers over gRPC (the queue is only the fallback).
    expect(rows.map((m) => m[5])).toContain("direct (gRPC)");
    const answer = r.stdout.slice(r.stdout.indexOf("\nAnswer:"));
    expect(answer).toMatch(/^ {4}A stream stores messages durably/m);
    expect(answer).toMatch(/citations by similarity to the question: \[jetstream\] /);
  }, 60_000);

  it("without nats-server, exits non-zero with the install hint", async () => {
    const r = await baton(
      ["quickstart", "--exit"],
      env({
        PATH: join(dataDir, "empty-bin"),
        BATON_NATS_SERVER_BIN: join(dataDir, "no-such-nats-server"),
        BATON_DATA_DIR: dataDir,
      }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^baton: quickstart: nats-server was not found/);
    expect(r.stderr).toContain("sudo apt-get install nats-server");
  }, 60_000);
});
