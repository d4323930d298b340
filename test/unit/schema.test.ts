import { Ajv } from "ajv";
import { describe, expect, expectTypeOf, it } from "vitest";
import { checkSchema } from "../../src/registry/capabilities.js";
import { s, type Infer } from "../../src/sdk/schema.js";
import type { JsonValue } from "../../src/types.js";

const input = s.object({
  n: s.integer({ minimum: 0 }),
  text: s.string({ maxLength: 10 }),
  tags: s.array(s.string()),
  mode: s.enum(["a", "b"]),
  opt: s.optional(s.number()),
  maybe: s.nullable(s.boolean()),
  nested: s.optional(s.object({ deep: s.record(s.integer()) })),
});

describe("schema builder", () => {
  it("builds the exact JSON Schema", () => {
    expect(input.schema).toEqual({
      type: "object",
      properties: {
        n: { type: "integer", minimum: 0 },
        text: { type: "string", maxLength: 10 },
        tags: { type: "array", items: { type: "string" } },
        mode: { enum: ["a", "b"] },
        opt: { type: "number" },
        maybe: { anyOf: [{ type: "boolean" }, { type: "null" }] },
        nested: {
          type: "object",
          properties: { deep: { type: "object", additionalProperties: { type: "integer" } } },
          required: ["deep"],
          additionalProperties: false,
        },
      },
      required: ["n", "text", "tags", "mode", "maybe"],
      additionalProperties: false,
    });
    // Plain data: survives JSON and is accepted by the agent definition check.
    expect(JSON.parse(JSON.stringify(input.schema))).toEqual(input.schema);
    expect(checkSchema(input.schema, "inputSchema")).toBe(input.schema);
  });

  it("omits undefined options and an empty required list", () => {
    expect(s.number({ minimum: undefined, description: "x" }).schema).toEqual({
      type: "number",
      description: "x",
    });
    expect(s.object({ a: s.optional(s.json()) }).schema).toEqual({
      type: "object",
      properties: { a: {} },
      additionalProperties: false,
    });
  });

  it("infers the TypeScript type", () => {
    expectTypeOf<Infer<typeof input>>().toEqualTypeOf<{
      n: number;
      text: string;
      tags: string[];
      mode: "a" | "b";
      opt?: number;
      maybe: boolean | null;
      nested?: { deep: Record<string, number> };
    }>();
    expectTypeOf<Infer<ReturnType<typeof s.json>>>().toEqualTypeOf<JsonValue>();
    expectTypeOf<Infer<ReturnType<typeof s.enum<[1, "x", null]>>>>().toEqualTypeOf<
      1 | "x" | null
    >();
    // An optional only makes sense as an object property.
    // @ts-expect-error Optional is not a Schema
    s.array(s.optional(s.string()));
  });

  it("validates values with ajv in strict mode", () => {
    const validate = new Ajv({ strict: true }).compile(input.schema);
    const good: Infer<typeof input> = { n: 1, text: "hi", tags: [], mode: "a", maybe: null };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, opt: 2.5, nested: { deep: { x: 1 } } })).toBe(true);
    expect(validate({ ...good, n: -1 })).toBe(false);
    expect(validate({ ...good, mode: "c" })).toBe(false);
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ n: 1, text: "hi", tags: [], mode: "a" })).toBe(false); // maybe is required
    expect(validate({ ...good, nested: { deep: { x: 1.5 } } })).toBe(false);
  });
});
