import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kvSnapshot, readSnapshot } from "../../src/nats/snapshot.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  nats = await startNats();
  nc = await nats.connect();
  js = jetstream(nc);
});

afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

describe("kvSnapshot", () => {
  it("finds every key while the keys are rewritten during the read", async () => {
    const kv = await new Kvm(js).create("SNAPREWRITE", { history: 1 });
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k) => kv.put(k, "0")));
    let writing = true;
    let rewrites = 0;
    // Two writers rewrite the keys in opposite orders, so keys not yet read move past the read's
    // starting count while it runs (on the old last-per-subject read, about 1 snapshot in 12 lost
    // a key this way).
    const writers = [keys, [...keys].reverse()].map((order) =>
      (async () => {
        for (let round = 1; writing; round++) {
          for (const k of order) {
            if (!writing) break;
            await kv.put(k, String(round));
            rewrites++;
          }
        }
      })(),
    );
    try {
      for (let i = 0; i < 20; i++) {
        const snapshot = await kvSnapshot(js, "SNAPREWRITE");
        expect([...snapshot.keys()].sort()).toEqual([...keys].sort());
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    expect(rewrites).toBeGreaterThan(0);
  });

  it("gives each key its newest value when the bucket keeps older revisions", async () => {
    const kv = await new Kvm(js).create("SNAPHISTORY", { history: 3 });
    for (const v of ["1", "2", "3", "4"]) await kv.put("a", v);
    await kv.put("b", "1");
    await kv.put("b", "2");
    await kv.put("gone", "1");
    await kv.put("gone", "2");
    await kv.delete("gone");
    const snapshot = await kvSnapshot(js, "SNAPHISTORY");
    const text = new TextDecoder();
    expect(Object.fromEntries([...snapshot].map(([k, v]) => [k, text.decode(v)]))).toEqual({
      a: "4",
      b: "2",
    });
  });

  it("leaves out deleted and purged keys", async () => {
    const kv = await new Kvm(js).create("SNAPDELETE");
    await kv.put("live", "1");
    await kv.put("gone", "1");
    await kv.put("purged", "1");
    await kv.delete("gone");
    await kv.purge("purged");
    expect([...(await kvSnapshot(js, "SNAPDELETE")).keys()]).toEqual(["live"]);
  });
});

describe("readSnapshot", () => {
  it("stops at the count held at the start while appends go on", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SNAPAPPEND", subjects: ["snapappend.>"] });
    await Promise.all(Array.from({ length: 300 }, (_, i) => js.publish("snapappend.a", `${i}`)));
    let writing = true;
    const writer = (async () => {
      while (writing) await js.publish("snapappend.a", "later");
    })();
    try {
      const read = await readSnapshot(js, "SNAPAPPEND", { filter: "snapappend.>" });
      expect(read.length).toBeGreaterThanOrEqual(300);
      expect(read.slice(0, 300).map((m) => new TextDecoder().decode(m.data))).toEqual(
        Array.from({ length: 300 }, (_, i) => `${i}`),
      );
      // It may take what was appended before its count was read, never an unbounded run.
      expect(read.length).toBeLessThan(300 + 1024);
    } finally {
      writing = false;
      await writer;
    }
  });

  it("returns when the messages it counted are purged before delivery", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SNAPPURGE", subjects: ["snappurge.>"] });
    const payload = new Uint8Array(8_000);
    await Promise.all(Array.from({ length: 2_000 }, () => js.publish("snappurge.a", payload)));
    const reading = readSnapshot(js, "SNAPPURGE", { filter: "snappurge.>" });
    await jsm.streams.purge("SNAPPURGE");
    const read = await reading;
    expect(read.length).toBeLessThan(2_000);
  });
});
