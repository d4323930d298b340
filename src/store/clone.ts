/**
 * A deep copy of a JSON value (a task record as read from the store). Several times cheaper than
 * structuredClone, which serializes; records are copied on every claim and write.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson<unknown>(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    out[key] = cloneJson<unknown>((value as Record<string, unknown>)[key]);
  }
  return out as T;
}
