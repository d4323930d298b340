import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent } from "../../src/sdk/define-agent.js";
import type { Demand } from "../../src/registry/demand.js";
import { TaskState, type TaskRecord } from "../../src/types.js";
import { waitFor, waitTerminal } from "../helpers/core.js";
import { grpcClientEnv, type GrpcClientEnv } from "../helpers/grpc-client-env.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "baton.mjs");
const TASK_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The parent's environment without BATON_* settings, plus `extra`. BATON_NATS_URL points at a
 * port nothing listens on: with --server the CLI must not need NATS at all.
 */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("BATON_")) out[k] = v;
  return { ...out, BATON_NATS_URL: "nats://127.0.0.1:1", BATON_LOG_LEVEL: "warn", ...extra };
}

function baton(args: readonly string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Record fields that read the same over NATS and over gRPC. */
function comparable(r: TaskRecord): Partial<TaskRecord> {
  const { owner: _owner, budgetFrom: _budget, ...rest } = r;
  return rest;
}

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(() => nats[Symbol.asyncDispose]());

describe("baton CLI with --server (through a gateway)", () => {
  let env: GrpcClientEnv;

  it("submit --wait prints the final record as JSON and exits 0", async () => {
    env = await grpcClientEnv(nats);
    const r = await baton([
      "submit",
      "sleep",
      "--input",
      '{"ms":10}',
      "--wait",
      "--server",
      env.address,
    ]);
    expect(r.stderr).not.toMatch(/baton: submit:/);
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout) as TaskRecord;
    expect(record.id).toMatch(TASK_ID);
    expect(record.state).toBe(TaskState.Succeeded);
    expect(record.result).toEqual({ slept: 10, steps: 1, attempt: 1 });
    expect(r.stderr).toContain(`${record.id} SUCCEEDED`);
    // The same record the library reads straight from NATS.
    expect(comparable(record)).toEqual(comparable(await env.direct.get(record.id)));
  });

  it("get of an unknown id fails with a not-found line and exit 1", async () => {
    env = await grpcClientEnv(nats, { agents: [] });
    const r = await baton(["get", UNKNOWN_ID, "--server", env.address]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`baton: get: task ${UNKNOWN_ID} not found\n`);
  });

  it("get, watch, tasks, cancel and dlq take BATON_SERVER and print what the NATS path prints", async () => {
    env = await grpcClientEnv(nats);
    const task = await env.direct.submit("sleep", { ms: 50, steps: 2 });
    await waitTerminal(env.direct, task.id);
    const viaServer = cliEnv({ BATON_SERVER: env.address });

    const get = await baton(["get", task.id], viaServer);
    expect(get.code).toBe(0);
    expect(comparable(JSON.parse(get.stdout) as TaskRecord)).toEqual(
      comparable(await env.direct.get(task.id)),
    );

    const watch = await baton(["watch", task.id], viaServer);
    expect(watch.code).toBe(0);
    const lines = watch.stdout.trim().split("\n");
    const expected: string[] = [];
    for await (const e of env.direct.watch(task.id)) expected.push(JSON.stringify(e));
    expect(lines).toEqual(expected);

    const tasks = await baton(["tasks", "--json", "--capability", "sleep"], viaServer);
    expect(tasks.code).toBe(0);
    const page = JSON.parse(tasks.stdout) as { tasks: TaskRecord[] };
    expect(page.tasks.map((t) => t.id)).toEqual([task.id]);
    const table = await baton(["tasks"], viaServer);
    expect(table.stdout).toMatch(new RegExp(`^${task.id}\\s+sleep\\s+SUCCEEDED\\s+1\\s`, "m"));
    const labelled = await env.direct.submit("sleep", { ms: 1 }, { labels: { team: "a" } });
    const byLabel = await baton(["tasks", "--json", "--label", "team=a"], viaServer);
    expect(byLabel.code).toBe(0);
    expect((JSON.parse(byLabel.stdout) as { tasks: TaskRecord[] }).tasks.map((t) => t.id)).toEqual([
      labelled.id,
    ]);
    const badLabel = await baton(["tasks", "--label", "team"], viaServer);
    expect(badLabel.code).not.toBe(0);
    expect(badLabel.stderr).toMatch(/--label: expected key=value, got team/);

    const cancel = await baton(["cancel", task.id], viaServer);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toBe(`baton: cancel: task ${task.id} is already SUCCEEDED\n`);

    const dlq = await baton(["dlq", "--json"], viaServer);
    expect(dlq.code).toBe(0);
    expect(JSON.parse(dlq.stdout)).toEqual([]);
  });

  it("reports option errors like the NATS path and checks its own flags", async () => {
    env = await grpcClientEnv(nats, { agents: [] });
    const bad = await baton(["submit", "sleep", "--priority", "urgent", "--server", env.address]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("baton: submit: options.priority: must be one of high, normal, low\n");
    const tokenAlone = await baton(["get", UNKNOWN_ID, "--token", "t"]);
    expect(tokenAlone.code).toBe(2);
    expect(tokenAlone.stderr).toBe("baton: get: --token needs --server\n");
  });

  it("submit --require/--affinity, get and demand show placement through the gateway", async () => {
    const t4 = defineAgent({
      name: "t4",
      capabilities: ["infer"],
      resources: { gpus: [{ type: "t4", count: 1, memoryMib: 16_384 }], models: ["small"] },
      handler: () => Promise.resolve("done"),
    });
    env = await grpcClientEnv(nats, { agents: [t4] });
    const server = ["--server", env.address];

    const placed = await baton([
      "submit",
      "infer",
      "--require",
      "gpu=t4",
      "--require",
      "gpu-mem=16GiB",
      "--require",
      "model=small",
      "--affinity",
      "chat-1",
      "--wait",
      ...server,
    ]);
    expect(placed.code).toBe(0);
    const done = JSON.parse(placed.stdout) as TaskRecord;
    expect(done.requirements).toEqual({ gpuMemoryMib: 16_384, gpuType: "t4", models: ["small"] });
    expect(done.affinityKey).toBe("chat-1");
    expect(done.placements?.at(-1)?.winner).toBe(env.worker?.agentIds[0]);
    const got = await baton(["get", done.id, ...server]);
    expect(got.code).toBe(0);
    expect(got.stderr).toMatch(
      new RegExp(`^placed \\S+ ago by \\S+: awarded to ${env.worker?.agentIds[0]}$`, "m"),
    );
    expect(got.stderr).toMatch(/^ {2}BID\s+SCORE\s+FIT\s+FREE\s+LOAD\s+COST\s+WARM$/m);

    const submitted = await baton([
      "submit",
      "infer",
      "--require",
      "gpu=a100",
      "--require",
      "gpus=2",
      ...server,
    ]);
    expect(submitted.code).toBe(0);
    const id = submitted.stdout.trim();
    await waitFor("the task to wait", async () => (await env.direct.get(id)).waiting);
    const waiting = await baton(["get", id, ...server]);
    expect(waiting.code).toBe(0);
    expect((JSON.parse(waiting.stdout) as TaskRecord).waiting?.resourceClass).toBe("gpu:a100x2");
    expect(waiting.stderr).toMatch(/^waiting \S+ for gpu:a100x2: no eligible agent .*a100/m);

    const table = await baton(["demand", ...server]);
    expect(table.code).toBe(0);
    const [header, row, ...rest] = table.stdout.trim().split("\n");
    expect(header).toMatch(/^CAPABILITY\s+RESOURCE CLASS\s+WAITING\s+OLDEST\s+REASON$/);
    expect(row).toMatch(/^infer\s+gpu:a100x2\s+1\s+\d+[smhd]\s+no eligible agent/);
    expect(rest).toEqual([]);
    const asJson = await baton(["demand", "--json", "--capability", "infer", ...server]);
    expect(JSON.parse(asJson.stdout) as Demand[]).toEqual(await env.direct.demand());
    const tasks = await baton(["tasks", "--state", "pending", ...server]);
    expect(tasks.stdout).toMatch(/^ID\s+CAPABILITY\s+STATE\s+ATTEMPT\s+AGE\s+WAITING$/m);
    expect(tasks.stdout).toMatch(
      new RegExp(`^${id}\\s+infer\\s+PENDING\\s+0\\s+\\S+\\s+no eligible agent`, "m"),
    );

    await env.direct.cancel(id);
    const empty = await baton(["demand", ...server]);
    expect(empty).toEqual({ code: 0, stdout: "", stderr: "no waiting tasks\n" });

    const bad = await baton(["submit", "infer", "--require", "gpus=many", ...server]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'baton: submit: --require: gpus must be a positive integer, got "many"\n',
    );
    const badLabel = await baton(["submit", "infer", "--require", "label.a b=x", ...server]);
    expect(badLabel.stderr).toBe(
      "baton: submit: options.requirements.labels.a b: invalid label name\n",
    );
  });

  it("sends --token and reports an unreachable gateway", async () => {
    env = await grpcClientEnv(nats, { gateway: { auth: { tokens: ["s3cret"] } } });
    const denied = await baton(["get", UNKNOWN_ID, "--server", env.address]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^baton: get: unauthenticated: /);
    const allowed = await baton(["get", UNKNOWN_ID, "--server", env.address, "--token", "s3cret"]);
    expect(allowed.stderr).toBe(`baton: get: task ${UNKNOWN_ID} not found\n`);

    await env.stopGateway();
    const down = await baton(["get", UNKNOWN_ID, "--server", env.address]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`^baton: get: gateway ${env.address} unavailable: `));
  });
});
