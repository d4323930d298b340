/**
 * WatchTask through the gateway: clients that disconnect mid-stream and resume with
 * from_sequence see every event exactly once; cancelled watches release their subscription;
 * a stopping gateway ends its watches with UNAVAILABLE and the client resumes on another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, defineAgent, Worker, type BatonClient } from "../../src/index.js";
import { startGateway, type Gateway } from "../../src/grpc/server/gateway.js";
import { gate, waitFor, type Gate } from "../helpers/core.js";
import {
  collect,
  GenericClient,
  grpcError,
  json,
  parse,
  status,
  type PbEvent,
} from "../helpers/grpc-gateway.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
let worker: Worker;
let core: BatonClient;
let gateway: Gateway;
const gates = new Map<string, Gate>();

const CHUNKS = 30;

beforeAll(async () => {
  nats = await startNats();
  const options = {
    natsUrl: nats.url,
    prefix: nats.prefix,
    lease: "2s",
    logLevel: "silent" as const,
  };
  // Emits CHUNKS tokens, waits for the test to open its gate, emits CHUNKS more.
  const chatty = defineAgent<{ gate: string }>({
    name: "chatty",
    capabilities: ["chatty"],
    concurrency: 4,
    handler: async (ctx) => {
      for (let i = 0; i < CHUNKS; i++) await ctx.emit(`a${i}`);
      await ctx.progress({ half: true });
      await gates.get(ctx.input.gate)?.promise;
      for (let i = 0; i < CHUNKS; i++) await ctx.emit(`b${i}`);
      return { chunks: 2 * CHUNKS };
    },
  });
  worker = await Worker.start([chatty], options);
  core = await createClient(options);
  await core.declareCapability("idle");
  gateway = await startGateway({ client: core, address: "127.0.0.1:0", env: {} });
});

afterAll(async () => {
  for (const g of gates.values()) g.open();
  await gateway?.stop();
  await worker?.stop(0);
  await worker?.connection.close();
  await core?.close();
  await nats?.[Symbol.asyncDispose]();
});

function submitChatty(rpc: GenericClient, name: string): Promise<{ task: { id: string } }> {
  gates.set(name, gate());
  return rpc.call("SubmitTask", { capability: "chatty", input: json({ gate: name }) });
}

/** Reads `count` events from a fresh connection, then drops the whole connection. */
async function readThenDisconnect(
  address: string,
  id: string,
  fromSequence: number,
  count: number,
): Promise<PbEvent[]> {
  const rpc = new GenericClient(address);
  const stream = rpc.watch({ id, fromSequence });
  stream.on("error", () => undefined);
  const seen: PbEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (e: PbEvent) => {
      if (seen.length >= count) return;
      seen.push(e);
      if (seen.length === count) resolve();
    });
    stream.on("end", () => resolve());
    stream.on("error", (err: Error & { code?: number }) => {
      if (err.code !== status.CANCELLED) reject(err);
    });
  });
  rpc.close();
  return seen;
}

const brief = (e: PbEvent): string =>
  e.event === "stateChange"
    ? (e.stateChange?.state ?? "?")
    : e.event === "output"
      ? String(parse(e.output?.chunk))
      : "progress";

describe("WatchTask resume", () => {
  it("a client that disconnects mid-stream and resumes sees every event exactly once", async () => {
    const rpc = new GenericClient(gateway.address);
    const { task } = await submitChatty(rpc, "resume");
    // Wait until the first half is out, so the first reconnect replays history.
    await waitFor(
      "first half emitted",
      async () => (await core.get(task.id)).progress !== undefined,
    );

    const full = collect(rpc.watch({ id: task.id }));
    const got: PbEvent[] = [];
    // 1: history, cut in the middle of the replay.
    got.push(...(await readThenDisconnect(gateway.address, task.id, 0, 12)));
    // 2: resume after the last one; read the rest of the history and drop again.
    const last1 = got.at(-1)?.sequence ?? 0;
    got.push(...(await readThenDisconnect(gateway.address, task.id, last1 + 1, 10)));
    // 3: resume; the second half is emitted live while this connection is open, then cut.
    const last2 = got.at(-1)?.sequence ?? 0;
    const third = new GenericClient(gateway.address);
    const stream = third.watch({ id: task.id, fromSequence: last2 + 1 });
    stream.on("error", () => undefined);
    const partial: PbEvent[] = [];
    const liveSeen = new Promise<void>((resolve) => {
      stream.on("data", (e: PbEvent) => {
        partial.push(e);
        if (brief(e) === "b5") resolve();
      });
    });
    gates.get("resume")?.open();
    await liveSeen;
    third.close();
    got.push(...partial);
    // 4: resume to the end.
    const last3 = got.at(-1)?.sequence ?? 0;
    got.push(...(await collect(rpc.watch({ id: task.id, fromSequence: last3 + 1 }))));

    const reference = await full;
    expect(reference.map(brief)).toEqual([
      "TASK_STATE_PENDING",
      "TASK_STATE_RUNNING",
      ...Array.from({ length: CHUNKS }, (_, i) => `a${i}`),
      "progress",
      ...Array.from({ length: CHUNKS }, (_, i) => `b${i}`),
      "TASK_STATE_SUCCEEDED",
    ]);
    expect(got.map((e) => e.sequence)).toEqual(reference.map((e) => e.sequence));
    expect(got.map(brief)).toEqual(reference.map(brief));
    // The gateway noticed every dropped connection and ended those watches.
    await waitFor("watches closed", () => gateway.activeWatches === 0);
    rpc.close();
  });

  it("from_sequence in the middle of a finished task's history returns exactly the rest", async () => {
    const rpc = new GenericClient(gateway.address);
    const { task } = await submitChatty(rpc, "finished");
    gates.get("finished")?.open();
    const all = await collect(rpc.watch({ id: task.id }));
    expect(all.at(-1)?.stateChange?.state).toBe("TASK_STATE_SUCCEEDED");
    const mid = all[20];
    const rest = await collect(rpc.watch({ id: task.id, fromSequence: mid?.sequence ?? 0 }));
    expect(rest.map((e) => e.sequence)).toEqual(all.slice(20).map((e) => e.sequence));
    rpc.close();
  });
});

/** Consumers on the events stream: each live watch holds one. */
async function eventConsumers(): Promise<number> {
  const conn = core.connection;
  let n = 0;
  for await (const _c of conn.jsm.consumers.list(conn.names.eventsStream)) n++;
  return n;
}

describe("WatchTask lifecycle", () => {
  /** Watches a PENDING task that nothing happens to, then cancels the call. */
  async function cancelQuietWatch(rpc: GenericClient): Promise<{ before: number }> {
    const { task } = await rpc.call<{ task: { id: string } }>("SubmitTask", { capability: "idle" });
    const before = await eventConsumers();
    const stream = rpc.watch({ id: task.id });
    stream.on("error", () => undefined);
    const first = await new Promise<PbEvent>((resolve) => stream.once("data", resolve));
    expect(first.stateChange?.state).toBe("TASK_STATE_PENDING");
    expect(gateway.activeWatches).toBe(1);
    expect(await eventConsumers()).toBe(before + 1);
    stream.cancel();
    await waitFor("watch ended on the gateway", () => gateway.activeWatches === 0, 2_000);
    return { before };
  }

  it("a cancelled watch of a quiet task ends on the gateway at once", async () => {
    const rpc = new GenericClient(gateway.address);
    await cancelQuietWatch(rpc);
    rpc.close();
  });

  // Needs two core changes (src/client/watch.ts, src/store/events.ts): client.watch() must
  // honour the AbortSignal the gateway passes (today a watch cancelled while it waits keeps its
  // subscription until the task's next event), and stopping a subscription must delete its
  // ordered consumer (today it lingers on the server for its 5-minute inactive threshold).
  it("a cancelled watch of a quiet task releases its events consumer at once", async () => {
    const rpc = new GenericClient(gateway.address);
    const { before } = await cancelQuietWatch(rpc);
    await waitFor(
      "events consumer deleted",
      async () => (await eventConsumers()) === before,
      3_000,
    );
    rpc.close();
  });

  it("a stopping gateway ends its watches with UNAVAILABLE; the client resumes on another", async () => {
    const second = await startGateway({ client: core, address: "127.0.0.1:0", env: {} });
    const doomed = await startGateway({ client: core, address: "127.0.0.1:0", env: {} });
    try {
      const rpcA = new GenericClient(doomed.address);
      const rpcB = new GenericClient(second.address);
      const { task } = await submitChatty(rpcB, "failover");
      const seen: PbEvent[] = [];
      const stream = rpcA.watch({ id: task.id });
      const ended = new Promise<number | undefined>((resolve) => {
        stream.on("data", (e: PbEvent) => seen.push(e));
        stream.on("error", (err: Error & { code?: number }) => resolve(err.code));
        stream.on("end", () => resolve(undefined));
      });
      await waitFor("first half streamed", () => seen.some((e) => brief(e) === "progress"));
      const stopping = doomed.stop();
      expect(await ended).toBe(status.UNAVAILABLE);
      await stopping;
      expect((await grpcError(rpcA.healthCheck(""))).code).toBe(status.UNAVAILABLE);
      expect(doomed.health.get("")).toBe("NOT_SERVING");

      gates.get("failover")?.open();
      const last = seen.at(-1)?.sequence ?? 0;
      const rest = await collect(rpcB.watch({ id: task.id, fromSequence: last + 1 }));
      const full = await collect(rpcB.watch({ id: task.id }));
      expect([...seen, ...rest].map((e) => e.sequence)).toEqual(full.map((e) => e.sequence));
      rpcA.close();
      rpcB.close();
    } finally {
      await doomed.stop();
      await second.stop();
    }
  });
});
