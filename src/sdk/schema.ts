import type { JsonValue } from "../types.js";

/** A JSON Schema document as plain data (what `inputSchema` takes and ajv compiles). */
export type JsonSchema = Record<string, unknown>;

/** Type-level only: never set at runtime, it carries the TS type a schema describes. */
declare const TYPE: unique symbol;

/** A JSON Schema together with the TypeScript type of the values it accepts. */
export interface Schema<T> {
  readonly schema: JsonSchema;
  /** Absent at runtime; declared so an `Optional` is not accepted where a `Schema` is. */
  readonly optional?: false;
  readonly [TYPE]?: T;
}

/** An object property that may be left out; only meaningful inside `s.object`. */
export interface Optional<T> {
  readonly schema: JsonSchema;
  readonly optional: true;
  readonly [TYPE]?: T;
}

export type Infer<S> = S extends { readonly [TYPE]?: infer T } ? T : never;

type Shape = Record<string, Schema<unknown> | Optional<unknown>>;
type OptionalKeys<P extends Shape> = {
  [K in keyof P]: P[K] extends Optional<unknown> ? K : never;
}[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferObject<P extends Shape> = Simplify<
  { [K in Exclude<keyof P, OptionalKeys<P>>]: Infer<P[K]> } & {
    [K in OptionalKeys<P>]?: Infer<P[K]>;
  }
>;

interface Annotations {
  description?: string;
  title?: string;
}
export interface StringOptions extends Annotations {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}
export interface NumberOptions extends Annotations {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}
export interface ArrayOptions extends Annotations {
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}
type Primitive = string | number | boolean | null;

function make<T>(base: JsonSchema, options: object = {}): Schema<T> {
  const schema: JsonSchema = { ...base };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) schema[k] = v;
  return { schema };
}

function object<P extends Shape>(shape: P, options?: Annotations): Schema<InferObject<P>> {
  const properties: JsonSchema = {};
  const required: string[] = [];
  for (const [key, value] of Object.entries(shape)) {
    properties[key] = value.schema;
    if (value.optional !== true) required.push(key);
  }
  return make(
    {
      type: "object",
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    },
    options,
  );
}

/**
 * Builds JSON Schemas whose TS type follows: `Infer<typeof x>` is what a value matching
 * `x.schema` looks like. Objects are closed (`additionalProperties: false`) and list every
 * property not wrapped in `s.optional` as required.
 */
export const s = {
  string: (options?: StringOptions): Schema<string> => make({ type: "string" }, options),
  number: (options?: NumberOptions): Schema<number> => make({ type: "number" }, options),
  integer: (options?: NumberOptions): Schema<number> => make({ type: "integer" }, options),
  boolean: (options?: Annotations): Schema<boolean> => make({ type: "boolean" }, options),
  /** One of fixed values: `s.enum(["a", "b"])` is `"a" | "b"`. */
  enum: <const V extends readonly [Primitive, ...Primitive[]]>(
    values: V,
    options?: Annotations,
  ): Schema<V[number]> => make({ enum: [...values] }, options),
  array: <T>(items: Schema<T>, options?: ArrayOptions): Schema<T[]> =>
    make({ type: "array", items: items.schema }, options),
  object,
  /** An object with arbitrary keys whose values all match `values`. */
  record: <T>(values: Schema<T>, options?: Annotations): Schema<Record<string, T>> =>
    make({ type: "object", additionalProperties: values.schema }, options),
  /** Any JSON value. */
  json: (options?: Annotations): Schema<JsonValue> => make({}, options),
  nullable: <T>(inner: Schema<T>): Schema<T | null> => ({
    schema: { anyOf: [inner.schema, { type: "null" }] },
  }),
  optional: <T>(inner: Schema<T>): Optional<T> => ({ schema: inner.schema, optional: true }),
};
