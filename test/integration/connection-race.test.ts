/**
 * Processes starting at the same moment on a fresh prefix all create the same streams and
 * buckets; each must come up (the server reports a lost creation race as overlapping subjects).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/index.js";
import { connectBaton, type BatonConnection } from "../../src/nats/connection.js";
import { startNats, uniquePrefix, type TestNats } from "../helpers/nats.js";

let nats: TestNats;

beforeAll(async () => {
  nats = await startNats();
});

afterAll(async () => {
  await nats?.[Symbol.asyncDispose]();
});

describe("connectBaton", () => {
  it("comes up in every one of several processes creating the topology at once", async () => {
    for (let round = 0; round < 30; round++) {
      const config = compileConfig(
        { natsUrl: nats.url, prefix: uniquePrefix(), logLevel: "silent" },
        { env: {} },
      );
      const settled = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => connectBaton(config, { name: `race-${round}-${i}` })),
      );
      const conns = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
      const failures = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
      await Promise.all(conns.map((c: BatonConnection) => c.close()));
      expect(failures).toEqual([]);
    }
  });
});
