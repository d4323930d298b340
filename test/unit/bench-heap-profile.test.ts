import { describe, expect, it } from "vitest";
import { allocators, type HeapProfileNode } from "../../bench/lib/heap-profile.js";

function node(name: string, url: string, selfSize: number, children: HeapProfileNode[] = []) {
  return { callFrame: { functionName: name, url, lineNumber: 0 }, selfSize, children };
}

describe("allocators (bench:profile --profile heap)", () => {
  it("sums bytes per function, self and under it, counting a recursive function once", () => {
    const src = "file:///repo/src/store/task-store.ts";
    const head = node("(root)", "", 0, [
      node("mutate", src, 100, [
        node("encode", src, 300, [node("mutate", src, 50)]),
        node("JSON.stringify", "", 200),
      ]),
      node("other", "", 350),
    ]);
    const { self, inclusive, total } = allocators({ head }, 10);
    expect(total).toBe(1000);
    expect(self[0]).toMatchObject({ name: "other", bytes: 350, percent: 35 });
    expect(self.find((r) => r.name.startsWith("mutate"))?.bytes).toBe(150);
    // mutate's outer frame holds everything under it; the inner call is not added again.
    expect(inclusive.find((r) => r.name.startsWith("mutate"))?.bytes).toBe(650);
    expect(inclusive.find((r) => r.name.startsWith("encode"))?.bytes).toBe(350);
    // Only Baton's, nats.js's and OpenTelemetry's frames rank by inclusive bytes.
    expect(inclusive.map((r) => r.name.split(" ")[0])).toEqual(["mutate", "encode"]);
  });
});
