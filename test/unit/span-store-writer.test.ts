/**
 * The span store's writer on its own: when a batch leaves (full, on the timer, on flush), what
 * it carries, and what happens with no connection or too many spans waiting. A stand-in
 * connection records what would be published; the integration tests publish for real.
 */
import { gunzipSync } from "node:zlib";
import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import type { BatonConnection } from "../../src/nats/connection.js";
import { SpanStoreExporter } from "../../src/telemetry/span-store.js";
import { waitFor } from "../helpers/core.js";

interface Published {
  subject: string;
  spans: { traceId: string; n: number }[];
}

function connection(): { conn: BatonConnection; published: Published[] } {
  const published: Published[] = [];
  const conn = {
    url: "nats://stand-in:4222",
    names: { prefix: "T", spansSubject: (shard: string) => `T.spans.${shard}` },
    nc: {
      isClosed: () => false,
      publish: (subject: string, data: Uint8Array) => {
        const spans = JSON.parse(gunzipSync(data).toString("utf8")) as Published["spans"];
        published.push({ subject, spans });
      },
    },
  };
  return { conn: conn as unknown as BatonConnection, published };
}

const span = (traceId: string, n: number): string => JSON.stringify({ traceId, n });
const A = "a".repeat(32);
const B = "b".repeat(32);

afterEach(() => diag.disable());

describe("span store writer", () => {
  // Two stores, so no assertion races the timer: with a 50 ms one, a slow gzip let the timer
  // send shard b before the test looked.
  const fill = (store: SpanStoreExporter): void => {
    // About 40 bytes a span: 30 fill one 1 KiB batch and start another.
    for (let i = 0; i < 30; i++) store.record(A, span(A, i));
    store.record(B, span(B, 0));
  };

  it("sends a shard's batch as soon as it is full, without waiting for the timer", async () => {
    const store = new SpanStoreExporter({ delayMs: 60_000, batchBytes: 1024 });
    const { conn, published } = connection();
    store.attach(conn);
    fill(store);
    const full = await waitFor("the full batch", () => published[0]);
    expect(full.subject).toBe("T.spans.a");
    expect(full.spans.length).toBeGreaterThan(10);
    expect(published.some((p) => p.subject === "T.spans.b")).toBe(false);
    await store.flush();
  });

  it("sends the rest on its timer, every span once and in order", async () => {
    const store = new SpanStoreExporter({ delayMs: 50, batchBytes: 1024 });
    const { conn, published } = connection();
    store.attach(conn);
    fill(store);
    await waitFor("the timed batches", () => published.length === 3);
    const ofShard = (shard: string): number[] =>
      published
        .filter((p) => p.subject === `T.spans.${shard}`)
        .flatMap((p) => p.spans.map((s) => s.n));
    expect(ofShard("a")).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(ofShard("b")).toEqual([0]);
  });

  it("flush() sends everything waiting and resolves once it is published", async () => {
    const store = new SpanStoreExporter({ delayMs: 60_000 });
    const { conn, published } = connection();
    store.attach(conn);
    store.record(A, span(A, 1));
    store.record(B, span(B, 2));
    store.record(A, span(A, 3));
    await store.flush();
    expect(published.map((p) => [p.subject, p.spans.map((s) => s.n)]).sort()).toEqual([
      ["T.spans.a", [1, 3]],
      ["T.spans.b", [2]],
    ]);
    await store.flush();
    expect(published).toHaveLength(2);
  });

  it("keeps nothing with no connection attached, and drops past maxPending with a warning", async () => {
    const store = new SpanStoreExporter({ delayMs: 60_000, maxPending: 3 });
    store.record(A, span(A, 0));
    const { conn, published } = connection();
    store.attach(conn);
    await store.flush();
    expect(published).toEqual([]);

    const warnings: string[] = [];
    const logger: DiagLogger = {
      error: () => undefined,
      warn: (message: string) => void warnings.push(message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    for (let i = 0; i < 5; i++) store.record(A, span(A, i));
    expect(store.dropped).toBe(2);
    await store.flush();
    expect(published.flatMap((p) => p.spans.map((s) => s.n))).toEqual([0, 1, 2]);
    expect(warnings).toEqual([expect.stringMatching(/2 spans dropped/)]);
    await store.flush();
    expect(warnings).toHaveLength(1);
  });
});
