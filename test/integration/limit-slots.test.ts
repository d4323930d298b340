import type { KV } from "@nats-io/kv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/index.js";
import { LimitSlots, decodeSlotEntry } from "../../src/dispatch/limit-slots.js";
import { connectBaton, type BatonConnection } from "../../src/nats/connection.js";
import type { ConcurrencyLimit } from "../../src/placement/concurrency-limit.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const CONNECTIONS = 4;

let nats: TestNats;
const conns: BatonConnection[] = [];

beforeAll(async () => {
  nats = await startNats();
  const config = compileConfig(
    { natsUrl: nats.url, prefix: nats.prefix, logLevel: "silent" },
    { env: {} },
  );
  for (let i = 0; i < CONNECTIONS; i++) {
    conns.push(await connectBaton(config, { name: `limits-${i}` }));
  }
});

afterAll(async () => {
  await Promise.allSettled(conns.map((c) => c.close()));
  await nats[Symbol.asyncDispose]();
});

function conn(i = 0): BatonConnection {
  const c = conns[i];
  if (!c) throw new Error(`no connection ${i}`);
  return c;
}

/** The bucket, recording the holder count of every value it successfully writes. */
function recording(kv: KV, counts: number[]): KV {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "put") {
        return async (...args: Parameters<KV["put"]>): Promise<number> => {
          const revision = await target.put(...args);
          const data = args[1];
          if (data instanceof Uint8Array) {
            counts.push(Object.keys(decodeSlotEntry("", data).holders).length);
          }
          return revision;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

async function holders(key: string): Promise<string[]> {
  const entry = await new LimitSlots(conn().limits, []).read(key);
  return Object.keys(entry.holders).sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("LimitSlots on NATS KV", () => {
  it("admits exactly max holders when many agents race on one key", async () => {
    const limits: ConcurrencyLimit[] = [{ label: "tenant", max: 2 }];
    const counts: number[] = [];
    const slots = conns.map((c) => new LimitSlots(recording(c.limits, counts), limits));
    const labels = { tenant: "race" };
    const leaseUntil = Date.now() + 60_000;

    const race = async (round: string, perConnection: number) => {
      const calls = slots.flatMap((s, i) =>
        Array.from({ length: perConnection }, (_, j) => {
          const taskId = `${round}-${i}-${j}`;
          return s.acquire(taskId, 1, labels, leaseUntil).then((r) => ({ taskId, r }));
        }),
      );
      return Promise.all(calls);
    };

    const first = await race("a", 10);
    const winners = first.filter((x) => x.r.ok).map((x) => x.taskId);
    expect(winners).toHaveLength(2);
    for (const { r } of first.filter((x) => !x.r.ok)) {
      expect(r).toMatchObject({ ok: false, key: "tenant=race", running: 2, max: 2 });
    }
    expect(await holders("tenant=race")).toEqual([...winners].sort());
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);

    // While both hold, nobody else gets in; after one releases, exactly one more does.
    expect((await race("b", 3)).filter((x) => x.r.ok)).toHaveLength(0);
    const [gone, stays] = winners;
    if (gone === undefined || stays === undefined) throw new Error("expected two winners");
    await slots[0]?.release(gone, ["tenant=race"]);
    const third = await race("c", 5);
    const next = third.filter((x) => x.r.ok).map((x) => x.taskId);
    expect(next).toHaveLength(1);
    expect(await holders("tenant=race")).toEqual([stays, ...next].sort());
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
  });

  it("frees a slot on release", async () => {
    const slots = new LimitSlots(conn(0).limits, [{ label: "tenant", max: 1 }]);
    const other = new LimitSlots(conn(1).limits, [{ label: "tenant", max: 1 }]);
    const labels = { tenant: "release" };
    const leaseUntil = Date.now() + 60_000;

    expect(await slots.acquire("r1", 1, labels, leaseUntil)).toEqual({
      ok: true,
      keys: ["tenant=release"],
    });
    expect(await other.acquire("r2", 1, labels, leaseUntil)).toEqual({
      ok: false,
      key: "tenant=release",
      running: 1,
      max: 1,
      reason: "limit tenant=release reached (1/1 running)",
    });
    await slots.release("r1", ["tenant=release"]);
    expect(await holders("tenant=release")).toEqual([]);
    expect((await other.acquire("r2", 1, labels, leaseUntil)).ok).toBe(true);
    // Releasing a slot the task does not hold changes nothing.
    await slots.release("r1", ["tenant=release"]);
    expect(await holders("tenant=release")).toEqual(["r2"]);
  });

  it("re-acquiring for the same task refreshes its holder instead of taking another slot", async () => {
    const slots = new LimitSlots(conn().limits, [{ label: "tenant", max: 1 }]);
    const labels = { tenant: "again" };
    expect((await slots.acquire("g1", 1, labels, Date.now() + 60_000)).ok).toBe(true);
    const later = Date.now() + 120_000;
    expect((await slots.acquire("g1", 2, labels, later)).ok).toBe(true);
    expect((await slots.read("tenant=again")).holders).toEqual({
      g1: { attempt: 2, leaseUntil: later },
    });
  });

  it("prunes an expired holder and reuses its slot", async () => {
    const limits: ConcurrencyLimit[] = [{ label: "tenant", max: 1 }];
    const crashed = new LimitSlots(conn(0).limits, limits);
    const slots = new LimitSlots(conn(1).limits, limits);
    const labels = { tenant: "expiry" };
    const start = Date.now();

    // An agent takes a slot and dies without releasing it.
    expect((await crashed.acquire("dead", 1, labels, start + 200)).ok).toBe(true);
    expect((await slots.acquire("e1", 1, labels, start + 60_000, start + 100)).ok).toBe(false);
    expect((await slots.acquire("e1", 1, labels, start + 60_000, start + 300)).ok).toBe(true);
    expect(await holders("tenant=expiry")).toEqual(["e1"]);

    // The same on the real clock.
    await slots.release("e1", ["tenant=expiry"]);
    expect((await crashed.acquire("dead2", 1, labels, Date.now() + 150)).ok).toBe(true);
    expect((await slots.acquire("e2", 1, labels, Date.now() + 60_000)).ok).toBe(false);
    await sleep(250);
    expect((await slots.acquire("e2", 1, labels, Date.now() + 60_000)).ok).toBe(true);
    expect(await holders("tenant=expiry")).toEqual(["e2"]);
  });

  it("keeps a renewed holder alive past its first lease", async () => {
    const limits: ConcurrencyLimit[] = [{ label: "tenant", max: 1 }];
    const slots = new LimitSlots(conn(0).limits, limits);
    const other = new LimitSlots(conn(1).limits, limits);
    const labels = { tenant: "renew" };

    const r = await slots.acquire("n1", 3, labels, Date.now() + 200);
    if (!r.ok) throw new Error("expected the first acquire to succeed");
    const leaseUntil = Date.now() + 60_000;
    await slots.renew("n1", r.keys, leaseUntil);
    await sleep(300);
    expect((await other.acquire("n2", 1, labels, Date.now() + 60_000)).ok).toBe(false);
    expect((await slots.read("tenant=renew")).holders).toEqual({
      n1: { attempt: 3, leaseUntil },
    });
  });

  it("takes every key or none", async () => {
    const limits: ConcurrencyLimit[] = [
      { label: "tenant", max: 1 },
      { label: "model", max: 1 },
    ];
    const a = new LimitSlots(conn(0).limits, limits);
    const b = new LimitSlots(conn(1).limits, limits);
    const leaseUntil = Date.now() + 60_000;

    expect(b.keysFor({ tenant: "both", model: "both" })).toEqual(["model=both", "tenant=both"]);
    expect((await a.acquire("x", 1, { tenant: "both" }, leaseUntil)).ok).toBe(true);
    // model=both is free and taken first, then tenant=both is full: model=both is given back.
    expect(await b.acquire("y", 1, { tenant: "both", model: "both" }, leaseUntil)).toMatchObject({
      ok: false,
      key: "tenant=both",
      running: 1,
      max: 1,
    });
    expect(await holders("model=both")).toEqual([]);
    expect(await holders("tenant=both")).toEqual(["x"]);
    expect((await b.acquire("z", 1, { model: "both" }, leaseUntil)).ok).toBe(true);

    await a.release("x", ["tenant=both"]);
    await b.release("z", ["model=both"]);
    expect(await b.acquire("y", 1, { tenant: "both", model: "both" }, leaseUntil)).toEqual({
      ok: true,
      keys: ["model=both", "tenant=both"],
    });
  });
});
