import { Ajv, type ValidateFunction } from "ajv";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { kvSnapshot } from "../nats/snapshot.js";
import { ValidationError } from "../errors.js";

/** What is stored per capability: who declared it and the input schema agents accept. */
export interface CapabilityEntry {
  declaredAt: number;
  agent?: string;
  inputSchema?: Record<string, unknown>;
}

const encoder = new TextEncoder();
const ajv = new Ajv({ allErrors: false, strict: false });

export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  return ajv.compile(schema);
}

/** Throws a ValidationError naming `field` when the schema itself is not valid JSON Schema. */
export function checkSchema(schema: unknown, field: string): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new ValidationError(field, "must be a JSON Schema object");
  }
  try {
    ajv.compile(schema);
  } catch (err) {
    throw new ValidationError(field, `is not a valid JSON Schema: ${(err as Error).message}`);
  }
  return schema as Record<string, unknown>;
}

export async function declareCapability(
  kv: KV,
  capability: string,
  entry: CapabilityEntry,
): Promise<void> {
  await kv.put(capability, encoder.encode(JSON.stringify(entry)));
}

/**
 * Caches capability entries and their compiled schemas by KV revision, for `maxAgeMs`. With
 * `cacheUndeclared` (a client that accepts undeclared capabilities), "not declared" is cached
 * too: submitting to a capability before any agent declares it would otherwise read the KV on
 * every submit. A declaration is then seen within `maxAgeMs`, as a changed schema is. Without
 * it a miss is read again each time, so a capability declared a moment ago is accepted at once.
 */
/** What a lookup finds: the input schema's validator, if the capability declared one. */
export interface CapabilityHit {
  validate?: ValidateFunction;
}

interface CachedCapability extends CapabilityHit {
  revision: number;
  at: number;
}

export class CapabilityCache {
  private readonly cache = new Map<string, CachedCapability>();
  /** When each capability was last read as not declared (only with cacheUndeclared). */
  private readonly undeclared = new Map<string, number>();

  private readonly maxAgeMs: number;
  private readonly cacheUndeclared: boolean;

  constructor(
    private readonly kv: KV,
    options: { maxAgeMs?: number; cacheUndeclared?: boolean } = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5000;
    this.cacheUndeclared = options.cacheUndeclared ?? false;
  }

  /**
   * The capability's entry, or undefined when nobody declared it; a fresh cached answer comes
   * back as is, not as a promise (every submit asks).
   */
  lookup(capability: string): CapabilityHit | undefined | Promise<CapabilityHit | undefined> {
    const hit = this.cache.get(capability);
    if (hit && Date.now() - hit.at < this.maxAgeMs) return hit;
    const missedAt = this.undeclared.get(capability);
    if (missedAt !== undefined && Date.now() - missedAt < this.maxAgeMs) return undefined;
    return this.read(capability, hit);
  }

  private async read(
    capability: string,
    hit: CachedCapability | undefined,
  ): Promise<CapabilityHit | undefined> {
    const e = await this.kv.get(capability);
    if (!e || e.operation !== "PUT" || e.length === 0) {
      this.cache.delete(capability);
      if (this.cacheUndeclared) this.undeclared.set(capability, Date.now());
      return undefined;
    }
    this.undeclared.delete(capability);
    if (hit && hit.revision === e.revision) {
      hit.at = Date.now();
      return hit;
    }
    const entry = e.json<CapabilityEntry>();
    const fresh = {
      revision: e.revision,
      at: Date.now(),
      ...(entry.inputSchema ? { validate: ajv.compile(entry.inputSchema) } : {}),
    };
    this.cache.set(capability, fresh);
    return fresh;
  }

  /** Records a declaration made by this process so the next lookup sees it at once. */
  forget(capability: string): void {
    this.cache.delete(capability);
    this.undeclared.delete(capability);
  }

  /** Every declared capability, sorted. */
  async names(js: JetStreamClient, bucket: string): Promise<string[]> {
    return [...(await kvSnapshot(js, bucket)).keys()].sort();
  }
}

/** Validates input against a compiled schema; the error names the offending path. */
export function validateInput(validate: ValidateFunction, input: unknown, field = "input"): void {
  if (validate(input)) return;
  const first = validate.errors?.[0];
  const path = (first?.instancePath ?? "")
    .split("/")
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join("");
  const missing =
    first?.keyword === "required"
      ? `.${String((first.params as { missingProperty?: unknown }).missingProperty)}`
      : "";
  const where = `${field}${path}${missing}`;
  throw new ValidationError(
    where,
    first?.keyword === "required" ? "is required" : (first?.message ?? "does not match the schema"),
  );
}
