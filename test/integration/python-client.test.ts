import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskState } from "../../src/types.js";
import { grpcClientEnv } from "../helpers/grpc-client-env.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLIENT = join(ROOT, "examples", "python", "client.py");
/** Debian's Python: the python3 first on PATH may be a build without the grpc packages. */
const PYTHON = "/usr/bin/python3";

function pythonGrpcMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ["-c", "import grpc, grpc_tools"], { encoding: "utf8" });
  if (probe.error) return `${PYTHON} not runnable (${probe.error.message})`;
  if (probe.status !== 0) {
    return (
      `${PYTHON} cannot import grpc and grpc_tools ` +
      "(apt-get install -y python3-grpcio python3-grpc-tools)"
    );
  }
  return undefined;
}

const missing = pythonGrpcMissing();
if (missing) console.warn(`skipping the Python client test: ${missing}`);

function python(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, [CLIENT, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

let nats: TestNats;
beforeAll(async () => {
  if (!missing) nats = await startNats();
});
afterAll(() => nats?.[Symbol.asyncDispose]());

describe.skipIf(missing !== undefined)("examples/python/client.py against a live gateway", () => {
  it("submits, streams the events and prints the SUCCEEDED task", async () => {
    const env = await grpcClientEnv(nats, { gateway: { auth: { tokens: ["py-token"] } } });
    const r = await python([
      "--address",
      env.address,
      "--capability",
      "sleep",
      "--input",
      '{"ms": 100, "steps": 2}',
      "--token",
      "py-token",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const id = /^submitted (\S+) \(TASK_STATE_PENDING\)$/.exec(lines[0] ?? "")?.[1];
    expect(id).toBeDefined();

    const events = lines
      .filter((l) => l.startsWith("event "))
      .map((l) => JSON.parse(l.slice("event ".length)) as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual([
      "state_change",
      "state_change",
      "progress",
      "progress",
      "state_change",
    ]);
    expect(events.filter((e) => e.type === "state_change").map((e) => e.state)).toEqual([
      "TASK_STATE_PENDING",
      "TASK_STATE_RUNNING",
      "TASK_STATE_SUCCEEDED",
    ]);
    expect(events.at(-1)?.result).toEqual({ slept: 100, steps: 2, attempt: 1 });

    const finalLine = lines.find((l) => l.startsWith("final "));
    const final = JSON.parse(finalLine?.slice("final ".length) ?? "null") as Record<
      string,
      unknown
    >;
    expect(final).toMatchObject({ id, state: "TASK_STATE_SUCCEEDED", capability: "sleep" });
    expect((await env.direct.get(id!)).state).toBe(TaskState.Succeeded);
  });

  it("prints the status and exits 2 when the call fails", async () => {
    const env = await grpcClientEnv(nats, { agents: [] });
    const r = await python(["--address", env.address, "--capability", "nobody-serves-this"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^call failed: INVALID_ARGUMENT: .*capability/);
  });
});
