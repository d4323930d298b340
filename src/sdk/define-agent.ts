import { ValidationError } from "../errors.js";
import { durationField } from "../client/submit-options.js";
import { checkSchema } from "../registry/capabilities.js";
import { validateCapability } from "../nats/subjects.js";
import { compileRetryPolicy, DEFAULT_RETRY_POLICY } from "../retry.js";
import type { JsonValue } from "../types.js";
import type { Resources } from "../placement/types.js";
import type { AgentDefinition, AgentOptions } from "./types.js";

const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const KNOWN = new Set([
  "name",
  "capabilities",
  "concurrency",
  "retry",
  "timeout",
  "inputSchema",
  "input",
  "output",
  "resources",
  "cost",
  "handler",
]);

/** Validates an agent definition at load time; errors name the field and the agent. */
export function defineAgent<I = JsonValue, O = JsonValue>(
  options: AgentOptions<I, O>,
): AgentDefinition<I, O> {
  const label = typeof options?.name === "string" ? options.name : "?";
  const field = (f: string): string => `agent(${label}).${f}`;
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("agent", "defineAgent needs an options object");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new ValidationError(field(key), "unknown option");
  }
  if (typeof options.name !== "string" || !NAME_RE.test(options.name)) {
    throw new ValidationError(field("name"), "must be 1-64 letters, digits, '-' or '_'");
  }
  if (!Array.isArray(options.capabilities) || options.capabilities.length === 0) {
    throw new ValidationError(field("capabilities"), "must list at least one capability");
  }
  options.capabilities.forEach((c, i) => validateCapability(c, field(`capabilities[${i}]`)));
  if (new Set(options.capabilities).size !== options.capabilities.length) {
    throw new ValidationError(field("capabilities"), "lists a capability twice");
  }
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100_000) {
    throw new ValidationError(field("concurrency"), "must be an integer from 1 to 100000");
  }
  if (options.retry !== undefined)
    compileRetryPolicy(options.retry, DEFAULT_RETRY_POLICY, field("retry"));
  let timeoutMs: number | undefined;
  if (options.timeout !== undefined) {
    timeoutMs = durationField(options.timeout, field("timeout"));
    if (timeoutMs <= 0) throw new ValidationError(field("timeout"), "must be greater than zero");
  }
  if (options.input !== undefined && options.inputSchema !== undefined) {
    throw new ValidationError(field("inputSchema"), "give either input or inputSchema, not both");
  }
  const inputSchema =
    options.input !== undefined
      ? checkSchema(options.input.schema, field("input"))
      : options.inputSchema === undefined
        ? undefined
        : checkSchema(options.inputSchema, field("inputSchema"));
  const outputSchema =
    options.output === undefined ? undefined : checkSchema(options.output.schema, field("output"));
  const resources =
    options.resources === undefined
      ? undefined
      : checkResources(options.resources, field("resources"));
  const cost = options.cost;
  if (cost !== undefined && (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0)) {
    throw new ValidationError(field("cost"), "must be a number of at least 0");
  }
  if (typeof options.handler !== "function") {
    throw new ValidationError(field("handler"), "must be a function");
  }
  return {
    kind: "baton.agent",
    name: options.name,
    capabilities: [...options.capabilities],
    concurrency,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(inputSchema ? { inputSchema } : {}),
    ...(outputSchema ? { outputSchema } : {}),
    ...(resources ? { resources } : {}),
    ...(cost !== undefined ? { cost } : {}),
    handler: options.handler,
  };
}

function checkResources(r: Resources, f: string): Resources {
  if (typeof r !== "object" || r === null || Array.isArray(r))
    throw new ValidationError(f, "must be an object");
  const count = (v: unknown, name: string): void => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0)) {
      throw new ValidationError(`${f}.${name}`, "must be a non-negative integer");
    }
  };
  count(r.cpuSlots, "cpuSlots");
  (r.gpus ?? []).forEach((g, i) => {
    if (typeof g.type !== "string" || g.type.length === 0) {
      throw new ValidationError(`${f}.gpus[${i}].type`, "must be a GPU model name");
    }
    count(g.count, `gpus[${i}].count`);
    count(g.memoryMib, `gpus[${i}].memoryMib`);
  });
  if (r.models !== undefined && !r.models.every((m) => typeof m === "string" && m.length > 0)) {
    throw new ValidationError(`${f}.models`, "must be a list of model names");
  }
  for (const [k, v] of Object.entries(r.labels ?? {})) {
    if (typeof v !== "string") throw new ValidationError(`${f}.labels.${k}`, "must be a string");
  }
  return structuredClone(r);
}

export function isAgentDefinition(value: unknown): value is AgentDefinition<never, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "baton.agent"
  );
}
