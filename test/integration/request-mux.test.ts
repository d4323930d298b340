import { JetStreamApiError, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kvm } from "@nats-io/kv";
import { directLast, jsPublish, kvCreate } from "../../src/nats/js-fast.js";
import { RequestMux, RequestTimeoutError } from "../../src/nats/request-mux.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
let nc: NatsConnection;
let mux: RequestMux;
const STREAM = "MUXTEST";

beforeAll(async () => {
  nats = await startNats();
  nc = await nats.connect();
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: STREAM, subjects: ["mux.>"], allow_direct: true });
  mux = new RequestMux(nc, 300);
});

afterAll(async () => {
  mux.close();
  await nats[Symbol.asyncDispose]();
});

describe("RequestMux", () => {
  it("matches many concurrent replies to their requests", async () => {
    const sub = nc.subscribe("echo", {
      callback: (_e, m) => {
        m.respond(m.data);
      },
    });
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        mux.request("echo", `n${i}`).then((m) => new TextDecoder().decode(m.data)),
      ),
    );
    expect(replies).toEqual(Array.from({ length: 500 }, (_, i) => `n${i}`));
    expect(mux.inFlight).toBe(0);
    sub.unsubscribe();
  });

  it("times out a request nobody answers, naming the subject", async () => {
    const sub = nc.subscribe("silent", { callback: () => undefined });
    await expect(mux.request("silent", "x")).rejects.toThrow(RequestTimeoutError);
    await expect(mux.request("silent", "x")).rejects.toThrow(/silent within 300 ms/);
    expect(mux.inFlight).toBe(0);
    sub.unsubscribe();
  });

  it("gathers replies from many responders until the expected count", async () => {
    const subs = ["a", "b", "c"].map((name) =>
      nc.subscribe("bids.x", {
        callback: (_e, m) => {
          m.respond(name);
        },
      }),
    );
    const started = Date.now();
    const replies = await mux.gather("bids.x", "call", 3, 5_000);
    expect(replies.map((m) => m.string()).sort()).toEqual(["a", "b", "c"]);
    // It returned on the third reply, not at the end of the wait.
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const sub of subs) sub.unsubscribe();
  });

  it("gathers what arrived when the wait ends, and nothing from no responders", async () => {
    const sub = nc.subscribe("bids.y", {
      callback: (_e, m) => {
        m.respond("only");
      },
    });
    const replies = await mux.gather("bids.y", "call", 2, 200);
    expect(replies.map((m) => m.string())).toEqual(["only"]);
    sub.unsubscribe();
    // No subscriber: the server's no-responders status ends it without counting as a reply.
    const asked = Date.now();
    expect(await mux.gather("bids.nobody", "call", 2, 5_000)).toEqual([]);
    expect(Date.now() - asked).toBeLessThan(5_000);
  });

  it("holds a deferred send until the next batch goes out, ahead of it", async () => {
    const seen: string[] = [];
    const sub = nc.subscribe("deferred.>", {
      callback: (_e, m) => {
        seen.push(m.subject);
        if (m.reply) m.respond("ok");
      },
    });
    mux.sendLater("deferred.ack", new Uint8Array(), 60_000);
    await nc.flush(); // a round trip: anything written before it has been delivered
    expect(seen).toEqual([]);
    await mux.request("deferred.request", "x");
    expect(seen).toEqual(["deferred.ack", "deferred.request"]);
    sub.unsubscribe();
  });

  it("sends a deferred send on its own after its longest wait, and on close", async () => {
    const arrived = (subject: string): Promise<void> =>
      new Promise((resolve) => {
        nc.subscribe(subject, { max: 1, callback: () => resolve() });
      });
    const alone = arrived("deferred.alone");
    await nc.flush();
    mux.sendLater("deferred.alone", new Uint8Array(), 20);
    await alone;

    const other = new RequestMux(nc, 1_000);
    const closing = arrived("deferred.closing");
    await nc.flush();
    other.sendLater("deferred.closing", new Uint8Array(), 60_000);
    other.close();
    await closing;
  });

  it("fails requests after close", async () => {
    const other = new RequestMux(nc, 1_000);
    const sub = nc.subscribe("later", { callback: () => undefined });
    const waiting = other.request("later", "x");
    const gathering = other.gather("later", "x", 1, 5_000);
    other.close();
    await expect(waiting).rejects.toThrow(/closed/);
    expect(await gathering).toEqual([]);
    expect(await other.gather("later", "x", 1, 5_000)).toEqual([]);
    await expect(other.request("later", "x")).rejects.toThrow(/closed/);
    sub.unsubscribe();
  });
});

describe("jsPublish and directLast", () => {
  it("stores with an expected last sequence and refuses a stale one with the API error", async () => {
    const first = await jsPublish(mux, "mux.k1", "one", { expectedLastSubjectSequence: 0 });
    expect(first.stream).toBe(STREAM);
    const second = await jsPublish(mux, "mux.k1", "two", {
      expectedLastSubjectSequence: first.seq,
    });
    const stale = jsPublish(mux, "mux.k1", "three", { expectedLastSubjectSequence: first.seq });
    await expect(stale).rejects.toBeInstanceOf(JetStreamApiError);
    await expect(
      jsPublish(mux, "mux.k1", "three", { expectedLastSubjectSequence: first.seq }),
    ).rejects.toMatchObject({ code: 10071 });
    const last = await directLast(mux, STREAM, "mux.k1");
    expect(last?.seq).toBe(second.seq);
    expect(new TextDecoder().decode(last?.data)).toBe("two");
  });

  it("deduplicates by message id", async () => {
    const a = await jsPublish(mux, "mux.d", "x", { msgID: "same" });
    const b = await jsPublish(mux, "mux.d", "x", { msgID: "same" });
    expect(b.duplicate).toBe(true);
    expect(b.seq).toBe(a.seq);
  });

  it("reports a subject no stream stores as an error, and a missing message as undefined", async () => {
    await expect(jsPublish(mux, "nostream.x", "x")).rejects.toThrow(/nostream\.x/);
    expect(await directLast(mux, STREAM, "mux.absent")).toBeUndefined();
  });
});

describe("kvCreate", () => {
  it("creates once, refuses a live key, and writes over a deleted or purged one", async () => {
    const kv = await new Kvm(jetstream(nc)).create("muxkv", { history: 1 });
    const data = (t: string): Uint8Array => new TextEncoder().encode(t);
    const first = await kvCreate(mux, kv, "muxkv", "k", data("a"));
    expect(first).toBeGreaterThan(0);
    expect(await kvCreate(mux, kv, "muxkv", "k", data("b"))).toBeUndefined();
    expect(new TextDecoder().decode((await kv.get("k"))?.value)).toBe("a");

    await kv.purge("k");
    const again = await kvCreate(mux, kv, "muxkv", "k", data("c"));
    expect(again).toBeGreaterThan(first ?? 0);
    expect(new TextDecoder().decode((await kv.get("k"))?.value)).toBe("c");

    await kv.delete("k");
    expect(await kvCreate(mux, kv, "muxkv", "k", data("d"))).toBeGreaterThan(again ?? 0);
    expect(await kvCreate(mux, kv, "muxkv", "k", data("e"))).toBeUndefined();
  });
});
