import type { KV, KvEntry } from "@nats-io/kv";
import { describe, expect, it } from "vitest";
import { CapabilityCache } from "../../src/registry/capabilities.js";

/** A capabilities bucket that counts reads; `declared` maps a capability to its entry JSON. */
function bucket(declared: Map<string, string>): { kv: KV; reads: () => number } {
  let reads = 0;
  let revision = 0;
  const kv = {
    get: (key: string): Promise<KvEntry | null> => {
      reads++;
      const json = declared.get(key);
      if (json === undefined) return Promise.resolve(null);
      const value = new TextEncoder().encode(json);
      return Promise.resolve({
        key,
        value,
        revision: ++revision,
        operation: "PUT",
        length: value.length,
        json: <T>() => JSON.parse(json) as T,
      } as unknown as KvEntry);
    },
  };
  return { kv: kv as unknown as KV, reads: () => reads };
}

describe("CapabilityCache", () => {
  it("reads an undeclared capability each time unless told to cache its absence", async () => {
    const declared = new Map<string, string>();
    const strict = bucket(declared);
    const strictCache = new CapabilityCache(strict.kv, { maxAgeMs: 60_000 });
    for (let i = 0; i < 5; i++) expect(await strictCache.lookup("later")).toBeUndefined();
    expect(strict.reads()).toBe(5);
    // Declared a moment later: seen at once.
    declared.set("later", JSON.stringify({ inputSchema: { type: "object" } }));
    expect(await strictCache.lookup("later")).toBeDefined();

    const lenient = bucket(new Map());
    const lenientCache = new CapabilityCache(lenient.kv, {
      maxAgeMs: 60_000,
      cacheUndeclared: true,
    });
    for (let i = 0; i < 5; i++) expect(await lenientCache.lookup("later")).toBeUndefined();
    expect(lenient.reads()).toBe(1);
    // This process's own declaration is seen at once.
    lenientCache.forget("later");
    await lenientCache.lookup("later");
    expect(lenient.reads()).toBe(2);
  });

  it("sees a declaration once the cached absence is older than maxAgeMs", async () => {
    const declared = new Map<string, string>();
    const { kv, reads } = bucket(declared);
    const cache = new CapabilityCache(kv, { maxAgeMs: 0, cacheUndeclared: true });
    expect(await cache.lookup("soon")).toBeUndefined();
    declared.set("soon", JSON.stringify({ inputSchema: { type: "object", required: ["a"] } }));
    const entry = await cache.lookup("soon");
    expect(entry?.validate).toBeTypeOf("function");
    expect(reads()).toBe(2);
  });
});
