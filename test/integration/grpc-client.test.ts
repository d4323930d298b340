import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { createGrpcClient, GrpcCallError } from "../../src/index.js";
import { TaskState, type TaskEvent, type TaskRecord } from "../../src/types.js";
import { rejection, waitFor, waitForState, waitTerminal } from "../helpers/core.js";
import { grpcClientEnv } from "../helpers/grpc-client-env.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(() => nats[Symbol.asyncDispose]());

/** A well-formed task id that no task has. */
const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

async function collect(events: AsyncIterable<TaskEvent>): Promise<TaskEvent[]> {
  const out: TaskEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** The fields a gRPC round trip keeps (stacks and the replay budget stay on the server). */
function comparable(r: TaskRecord): Partial<TaskRecord> {
  return {
    id: r.id,
    capability: r.capability,
    state: r.state,
    input: r.input,
    result: r.result,
    priority: r.priority,
    idempotencyKey: r.idempotencyKey,
    labels: r.labels,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    attempt: r.attempt,
    attempts: r.attempts,
    rootId: r.rootId,
  };
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCerts(
  dir: string,
): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", string> {
  const f = (name: string): string => join(dir, name);
  const run = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  };
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  run(
    "req",
    "-x509",
    ...newKey,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-days",
    "1",
    "-subj",
    "/CN=baton-test-ca",
  );
  const issue = (name: string, cn: string, ext: string): void => {
    writeFileSync(f(`${name}.ext`), `${ext}\n`);
    run(
      "req",
      ...newKey,
      "-keyout",
      f(`${name}.key`),
      "-out",
      f(`${name}.csr`),
      "-subj",
      `/CN=${cn}`,
    );
    run(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f("ca.crt"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-out",
      f(`${name}.crt`),
      "-days",
      "1",
      "-extfile",
      f(`${name}.ext`),
    );
  };
  issue("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost");
  issue("client", "baton-test-client", "extendedKeyUsage=clientAuth");
  return {
    ca: f("ca.crt"),
    serverCert: f("server.crt"),
    serverKey: f("server.key"),
    clientCert: f("client.crt"),
    clientKey: f("client.key"),
  };
}

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("GrpcClient against a live gateway", () => {
  it("submits, watches and reads a task with the library's types", async () => {
    const env = await grpcClientEnv(nats);
    const task = await env.grpc.submit(
      "sleep",
      { ms: 200, steps: 2 },
      {
        priority: "high",
        labels: { team: "a" },
        timeout: "30s",
        retry: { maxAttempts: 2, initialInterval: "50ms", jitter: 0 },
      },
    );
    expect(task.state).toBe(TaskState.Pending);
    expect(task.priority).toBe("high");
    expect(task.labels).toEqual({ team: "a" });
    expect(task.timeoutMs).toBe(30_000);
    // jitter 0 is sent as set (proto3 optional), not mistaken for "default".
    expect(task.retry).toMatchObject({ maxAttempts: 2, initialIntervalMs: 50, jitter: 0 });
    // No key given: the client made one so the UNAVAILABLE retry cannot submit twice. It names
    // the task's id, so the gateway stores no separate key.
    expect(task.idempotencyKey).toBe(`task:${task.id}`);

    const events = await collect(env.grpc.watch(task.id));
    const states = events.flatMap((e) => (e.type === "state" ? [e.state] : []));
    expect(states).toEqual([TaskState.Pending, TaskState.Running, TaskState.Succeeded]);
    expect(events.filter((e) => e.type === "progress").map((e) => e.seq).length).toBe(2);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    const done = await env.grpc.get(task.id);
    expect(done.state).toBe(TaskState.Succeeded);
    expect(done.result).toEqual({ slept: 200, steps: 2, attempt: 1 });
    expect(comparable(done)).toEqual(comparable(await env.direct.get(task.id)));
    // The same events as the library's own watch, in the same order.
    expect(events).toEqual(await collect(env.direct.watch(task.id)));
  });

  it("deduplicates by idempotency key and submits batches in order", async () => {
    const env = await grpcClientEnv(nats);
    const first = await env.grpc.submitDetailed("sleep", { ms: 1 }, { idempotencyKey: "k-1" });
    const again = await env.grpc.submitDetailed("sleep", { ms: 999 }, { idempotencyKey: "k-1" });
    expect(first.deduplicated).toBe(false);
    expect(again.deduplicated).toBe(true);
    expect(again.task.id).toBe(first.task.id);

    const batch = await env.grpc.submitMany([
      { capability: "sleep", input: { ms: 1 } },
      { capability: "sleep", input: { ms: 2 }, options: { idempotencyKey: "k-1" } },
      { capability: "sleep", input: { ms: 3 }, options: { priority: "low" } },
    ]);
    expect(batch.map((r) => r.deduplicated)).toEqual([false, true, false]);
    expect(batch[1]?.task.id).toBe(first.task.id);
    expect(batch[2]?.task.priority).toBe("low");
    expect(batch[0]?.task.input).toEqual({ ms: 1 });

    // Client-side validation names the field as the library does, with the request index.
    const err = await rejection(
      env.grpc.submitMany([
        { capability: "sleep", input: 1 },
        { capability: "sleep", input: 1, options: { priority: "urgent" as "low" } },
      ]),
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/^requests\[1\]\.options\.priority: must be one of/);
  });

  it("surfaces gateway errors as GrpcCallError with code and details", async () => {
    const env = await grpcClientEnv(nats);
    const notFound = await rejection(env.grpc.get(UNKNOWN_ID));
    expect(notFound).toBeInstanceOf(GrpcCallError);
    expect((notFound as GrpcCallError).code).toBe(status.NOT_FOUND);
    expect((notFound as GrpcCallError).details).toBe(`task ${UNKNOWN_ID} not found`);
    expect(notFound.message).toBe(`task ${UNKNOWN_ID} not found`);

    const unknownCap = (await rejection(
      env.grpc.submit("nobody-serves-this", {}),
    )) as GrpcCallError;
    expect(unknownCap.code).toBe(status.INVALID_ARGUMENT);
    expect(unknownCap.details).toMatch(/capability/);
    expect(unknownCap.field).toBe("capability");

    const deadline = (await rejection(env.grpc.list({}, { deadlineMs: 1 }))) as GrpcCallError;
    expect(deadline.code).toBe(status.DEADLINE_EXCEEDED);
  });

  it("cancels, lists with filters and pages", async () => {
    const env = await grpcClientEnv(nats);
    const long = await env.grpc.submit("sleep", { ms: 60_000 });
    await waitForState(env.direct, long.id, (r) => r.state === TaskState.Running, "RUNNING");
    const cancelled = await env.grpc.cancel(long.id, "no longer needed");
    expect(cancelled.state).toBe(TaskState.Cancelled);
    expect(cancelled.error?.message).toBe("no longer needed");
    const again = (await rejection(env.grpc.cancel(long.id))) as GrpcCallError;
    expect(again.code).toBe(status.FAILED_PRECONDITION);

    // One after the other: ids sort by creation time, randomly within a millisecond.
    const quick: TaskRecord[] = [];
    for (const ms of [1, 2, 3]) {
      await new Promise((r) => setTimeout(r, 2));
      quick.push(await env.grpc.submit("sleep", { ms }));
    }
    await Promise.all(quick.map((t) => waitTerminal(env.direct, t.id)));
    const page1 = await env.grpc.list({ capability: "sleep", limit: 2 });
    expect(page1.tasks.map((t) => t.id)).toEqual([quick[2]?.id, quick[1]?.id]);
    expect(page1.nextCursor).toBeDefined();
    const page2 = await env.grpc.list({ capability: "sleep", limit: 2, cursor: page1.nextCursor! });
    expect(page2.tasks.map((t) => t.id)).toEqual([quick[0]?.id, long.id]);
    const onlyCancelled = await env.grpc.list({ state: TaskState.Cancelled });
    expect(onlyCancelled.tasks.map((t) => t.id)).toEqual([long.id]);

    const gold = await env.grpc.submit("sleep", { ms: 1 }, { labels: { tier: "gold" } });
    const labelled = await env.grpc.list({ labels: { tier: "gold" } });
    expect(labelled.tasks.map((t) => t.id)).toEqual([gold.id]);
    expect((await env.grpc.list({ labels: { tier: "gold", team: "a" } })).tasks).toEqual([]);
    const badLabel = (await rejection(
      env.grpc.list({ labels: { "bad key": "x" } }),
    )) as GrpcCallError;
    expect(badLabel.code).toBe(status.INVALID_ARGUMENT);
    expect(badLabel.field).toBe("labels.bad key");
  });

  it("lists dead letters and replays one", async () => {
    const env = await grpcClientEnv(nats);
    const doomed = await env.grpc.submit(
      "sleep",
      { ms: 1, failTimes: 5 },
      { retry: { maxAttempts: 1 } },
    );
    await waitForState(env.direct, doomed.id, (r) => r.state === TaskState.Dead, "DEAD");
    const letters = await waitFor("the dead letter", async () => {
      const found = await env.grpc.deadLetters({ capability: "sleep" });
      return found.length > 0 ? found : undefined;
    });
    expect(letters.map((d) => d.taskId)).toEqual([doomed.id]);
    expect(letters[0]?.input).toEqual({ ms: 1, failTimes: 5 });
    expect(letters[0]?.attempts).toHaveLength(1);
    expect(letters[0]?.error?.message).toMatch(/planned failure/);

    const replayed = await env.grpc.replay(doomed.id);
    expect(replayed.state).toBe(TaskState.Pending);
    expect(replayed.replays).toBe(1);
    // It fails again on its fresh single attempt.
    const deadAgain = await waitForState(
      env.direct,
      doomed.id,
      (r) => r.state === TaskState.Dead && r.attempt === 2,
      "DEAD after the replay",
    );
    expect(deadAgain.replays).toBe(1);

    const fine = await env.grpc.submit("sleep", { ms: 1 });
    await waitTerminal(env.direct, fine.id);
    const notDead = (await rejection(env.grpc.replay(fine.id))) as GrpcCallError;
    expect(notDead.code).toBe(status.FAILED_PRECONDITION);
    const unknown = (await rejection(env.grpc.replay(UNKNOWN_ID))) as GrpcCallError;
    expect(unknown.code).toBe(status.NOT_FOUND);
  });

  it("lists agents and queue statistics", async () => {
    const env = await grpcClientEnv(nats);
    const agents = await env.grpc.listAgents({ capability: "sleep" });
    expect(agents.map((a) => a.id)).toEqual(env.worker?.agentIds);
    expect(agents[0]?.capabilities).toEqual(["sleep"]);
    expect(agents[0]?.lastHeartbeat).toBeGreaterThan(Date.now() - 60_000);

    const stats = await env.grpc.queueStats({ capability: "sleep" });
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({
      capability: "sleep",
      backlog: 0,
      backlogByPriority: { high: 0, normal: 0, low: 0 },
      deadLetters: 0,
    });
  });

  it.each([
    { cut: "mid-stream", delay: undefined, at: (e: TaskEvent) => e.type === "progress" },
    // The first PENDING is made from the record (sequence 0): the resume must not repeat it.
    { cut: "after the first event", delay: "1500ms", at: () => true },
  ])(
    "resumes a watch across a gateway restart $cut without losing or repeating events",
    async ({ delay, at }) => {
      const env = await grpcClientEnv(nats);
      const task = await env.grpc.submit(
        "sleep",
        { ms: 2000, steps: 8 },
        delay !== undefined ? { delay } : {},
      );
      const seen: TaskEvent[] = [];
      let restart: Promise<void> | undefined;
      let eventsBeforeStop = 0;
      for await (const event of env.grpc.watch(task.id)) {
        seen.push(event);
        if (at(event) && restart === undefined) {
          eventsBeforeStop = seen.length;
          // Stop the gateway mid-stream; a new one comes up on the same port a moment later.
          restart = (async () => {
            await env.stopGateway();
            await new Promise((r) => setTimeout(r, 300));
            await env.startGatewayAgain();
          })();
        }
      }
      await restart;
      expect(restart).toBeDefined();
      expect(seen.length).toBeGreaterThan(eventsBeforeStop);
      const last = seen[seen.length - 1];
      expect(last?.type === "state" && last.state).toBe(TaskState.Succeeded);
      // Exactly the task's history: nothing lost, nothing twice.
      const history = await collect(env.direct.watch(task.id));
      expect(seen.map((e) => e.seq)).toEqual(history.map((e) => e.seq));
      expect(seen).toEqual(history);
    },
  );

  it("resumes from a given sequence", async () => {
    const env = await grpcClientEnv(nats);
    const task = await env.grpc.submit("sleep", { ms: 50, steps: 2 });
    const all = await collect(env.grpc.watch(task.id));
    const third = all[2];
    expect(third).toBeDefined();
    const rest = await collect(env.grpc.watch(task.id, { fromSeq: third!.seq + 1 }));
    expect(rest).toEqual(all.slice(3));
  });

  it("retries UNAVAILABLE through the service config while the gateway restarts", async () => {
    const env = await grpcClientEnv(nats);
    await env.grpc.get((await env.grpc.submit("sleep", { ms: 1 })).id); // channel connected
    await env.stopGateway();
    const started = Date.now();
    const back = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        env.startGatewayAgain().then(() => resolve(), reject);
      }, 400);
    });
    back.catch(() => undefined); // reported by the await below
    const submitted = await env.grpc
      .submit("sleep", { ms: 1 }, { labels: { retry: "yes" } })
      .catch((err: unknown) => err as GrpcCallError);
    const elapsed = Date.now() - started;
    if (submitted instanceof Error) {
      throw new Error(`submit failed after ${elapsed} ms: ${submitted.message}`, {
        cause: submitted,
      });
    }
    const task = submitted;
    await back;
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(10_000);
    // Stored exactly once, however many attempts reached a gateway.
    // (A Set: BatonClient.list may repeat a record updated during its key scan; that is a
    // listing artefact, not a second task.)
    const page = await env.direct.list({ capability: "sleep" });
    const ids = new Set(page.tasks.filter((t) => t.labels?.retry === "yes").map((t) => t.id));
    expect([...ids]).toEqual([task.id]);
    expect((await waitTerminal(env.direct, task.id)).state).toBe(TaskState.Succeeded);
  });

  it("gives up with UNAVAILABLE once the retry budget is spent", async () => {
    const env = await grpcClientEnv(nats, { agents: [] });
    await env.stopGateway();
    const started = Date.now();
    const err = (await rejection(env.grpc.get(UNKNOWN_ID))) as GrpcCallError;
    expect(err).toBeInstanceOf(GrpcCallError);
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.message).toMatch(/^gateway 127\.0\.0\.1:\d+ unavailable/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("sends the bearer token on every call", async () => {
    const env = await grpcClientEnv(nats, { gateway: { auth: { tokens: ["s3cret"] } } });
    const anonymous = (await rejection(env.grpc.get(UNKNOWN_ID))) as GrpcCallError;
    expect(anonymous.code).toBe(status.UNAUTHENTICATED);
    const authed = createGrpcClient({ address: env.address, token: "s3cret" });
    try {
      const task = await authed.submit("sleep", { ms: 1 });
      const events = await collect(authed.watch(task.id));
      expect(events.at(-1)).toMatchObject({ type: "state", state: TaskState.Succeeded });
    } finally {
      await authed.close();
    }
  });

  it.skipIf(!hasOpenssl())("connects with mutual TLS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-tls-"));
    try {
      const certs = makeCerts(dir);
      const env = await grpcClientEnv(nats, {
        gateway: {
          tls: {
            certFile: certs.serverCert,
            keyFile: certs.serverKey,
            caFile: certs.ca,
            clientAuth: "require",
          },
        },
        client: { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } },
      });
      const task = await env.grpc.submit("sleep", { ms: 1 });
      expect((await env.grpc.wait(task.id, { timeoutMs: 15_000 })).state).toBe(TaskState.Succeeded);
      // Without a client certificate the handshake fails; plaintext does not get through either.
      const noCert = env.grpcClient({ tls: { ca: certs.ca }, retry: { maxAttempts: 1 } });
      expect(((await rejection(noCert.get(task.id))) as GrpcCallError).code).toBe(
        status.UNAVAILABLE,
      );
      const plain = env.grpcClient({ tls: false, retry: { maxAttempts: 1 } });
      expect(((await rejection(plain.get(task.id))) as GrpcCallError).code).toBe(
        status.UNAVAILABLE,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
