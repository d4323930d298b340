/**
 * A string-keyed table for entries that come and go all the time: one per request or task in
 * flight, held by an object that lives as long as the process.
 *
 * A long-lived `Map` with that churn moves to a new backing table whenever live and deleted
 * entries fill the old one, and V8 links each replaced table to its successor (iterators follow
 * the link). Once a full collection has promoted a table to the old generation, each successor
 * is reachable from its dead predecessor until the next full collection, so every scavenge keeps,
 * and then promotes, everything the recent tables point at: every request and task in flight.
 * In a no-op task loop that made scavenges about 5 ms each instead of under 2 and promoted about
 * 8 KB a task. A null-prototype object used as a dictionary rehashes without such links.
 */
export class InFlightTable<V> {
  private table: Record<string, V> = Object.create(null) as Record<string, V>;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return this.table[key];
  }

  has(key: string): boolean {
    return this.table[key] !== undefined;
  }

  /** `value` must not be undefined (undefined reads as absent). */
  set(key: string, value: V): this {
    if (this.table[key] === undefined) this.count++;
    this.table[key] = value;
    return this;
  }

  delete(key: string): boolean {
    if (this.table[key] === undefined) return false;
    delete this.table[key];
    this.count--;
    return true;
  }

  clear(): void {
    this.table = Object.create(null) as Record<string, V>;
    this.count = 0;
  }

  *keys(): IterableIterator<string> {
    for (const key in this.table) yield key;
  }

  *values(): IterableIterator<V> {
    for (const key in this.table) {
      const value = this.table[key];
      if (value !== undefined) yield value;
    }
  }

  *entries(): IterableIterator<[string, V]> {
    for (const key in this.table) {
      const value = this.table[key];
      if (value !== undefined) yield [key, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
