/**
 * An OpenTelemetry Context as a chain of one-entry links. The API's own context copies its whole
 * Map and makes three closures on every setValue; an attempt's context (the producer's span, the
 * attempt span, the agent) took three of those per task. A link is one small object, and a
 * lookup walks at most MAX_DEPTH links before the chain is folded into a flat one.
 */
import type { Context } from "@opentelemetry/api";

/** Links a lookup may walk; a longer chain is folded into one flat link. */
const MAX_DEPTH = 8;
/** What deleteValue stores: the key reads as absent. */
const DELETED: unique symbol = Symbol("deleted");

class LinkedContext implements Context {
  constructor(
    private readonly parent: LinkedContext | undefined,
    private readonly key: symbol | undefined,
    private readonly value: unknown,
    private readonly depth: number,
    /** Set on a folded link: every entry of the chain it replaced. */
    private readonly flat?: ReadonlyMap<symbol, unknown>,
  ) {}

  getValue(key: symbol): unknown {
    return LinkedContext.find(this, key);
  }

  private static find(start: LinkedContext, key: symbol): unknown {
    for (let c: LinkedContext | undefined = start; c; c = c.parent) {
      if (c.flat) return c.flat.get(key);
      if (c.key === key) return c.value === DELETED ? undefined : c.value;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return this.link(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.link(key, DELETED);
  }

  private link(key: symbol, value: unknown): LinkedContext {
    if (this.depth < MAX_DEPTH) return new LinkedContext(this, key, value, this.depth + 1);
    const entries = LinkedContext.entries(this);
    if (value === DELETED) entries.delete(key);
    else entries.set(key, value);
    return new LinkedContext(undefined, undefined, undefined, 0, entries);
  }

  /** Every live entry of the chain from `start`, the nearest link's value winning. */
  private static entries(start: LinkedContext): Map<symbol, unknown> {
    const into = new Map<symbol, unknown>();
    const seen = new Set<symbol>();
    for (let c: LinkedContext | undefined = start; c; c = c.parent) {
      if (c.flat) {
        for (const [k, v] of c.flat) if (!seen.has(k)) into.set(k, v);
        break;
      }
      if (c.key === undefined || seen.has(c.key)) continue;
      seen.add(c.key);
      if (c.value !== DELETED) into.set(c.key, c.value);
    }
    return into;
  }
}

/** An empty context (like ROOT_CONTEXT) whose descendants are links. */
export const LINKED_ROOT: Context = new LinkedContext(undefined, undefined, undefined, 0);
