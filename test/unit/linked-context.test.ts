import { createContextKey, ROOT_CONTEXT, trace, type Context } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { LINKED_ROOT } from "../../src/telemetry/linked-context.js";

const A = createContextKey("a");
const B = createContextKey("b");

/** The values of `keys` in `ctx`, as an object for comparing. */
const read = (ctx: Context, keys: symbol[]): unknown[] => keys.map((k) => ctx.getValue(k));

describe("LINKED_ROOT", () => {
  it("reads, replaces and deletes values as the API's own context does", () => {
    const steps = (base: Context): unknown[][] => {
      const one = base.setValue(A, 1);
      const two = one.setValue(B, 2).setValue(A, 3);
      const gone = two.deleteValue(A);
      return [read(base, [A, B]), read(one, [A, B]), read(two, [A, B]), read(gone, [A, B])];
    };
    expect(steps(LINKED_ROOT)).toEqual(steps(ROOT_CONTEXT));
    expect(steps(LINKED_ROOT)).toEqual([
      [undefined, undefined],
      [1, undefined],
      [3, 2],
      [undefined, 2],
    ]);
  });

  it("keeps every value through a chain long enough to be folded", () => {
    const keys = Array.from({ length: 40 }, (_, i) => createContextKey(`k${i}`));
    let linked = LINKED_ROOT;
    let base = ROOT_CONTEXT;
    keys.forEach((k, i) => {
      linked = linked.setValue(k, i);
      base = base.setValue(k, i);
      if (i % 7 === 3) {
        const dropped = keys[i - 2] as symbol;
        linked = linked.deleteValue(dropped);
        base = base.deleteValue(dropped);
      }
    });
    linked = linked.setValue(A, "last");
    base = base.setValue(A, "last");
    expect(read(linked, [...keys, A])).toEqual(read(base, [...keys, A]));
    expect(linked.getValue(keys[1] as symbol)).toBeUndefined();
  });

  it("carries a span through the trace API", () => {
    const sc = {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
    };
    const ctx = trace.setSpanContext(LINKED_ROOT, sc);
    expect(trace.getSpanContext(ctx)).toEqual(sc);
    expect(trace.getSpan(LINKED_ROOT)).toBeUndefined();
  });
});
