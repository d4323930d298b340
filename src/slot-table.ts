/**
 * Entries named by a token the table hands out: things in flight that come and go all the time,
 * such as requests waiting for their reply. The token names the entry's slot in an array (and a
 * serial, so a late reply cannot reach the slot's next entry), so a lookup hashes nothing, and
 * unlike a long-lived Map (see in-flight.ts) the table is never rebuilt behind the GC's back.
 * Tokens are letters, digits and `-`, so they can end a NATS subject.
 */
export class SlotTable<V> {
  private readonly values: (V | undefined)[] = [];
  private readonly tokens: string[] = [];
  private readonly free: number[] = [];
  private serial = 0;
  private count = 0;

  /** `tag` starts every token, so tables with different tags never take each other's. */
  constructor(private readonly tag: string) {}

  get size(): number {
    return this.count;
  }

  /** Stores `value` in a free slot; returns its token. */
  add(value: V): string {
    const slot = this.free.pop() ?? this.values.length;
    const token = `${this.tag}${slot.toString(36)}-${(this.serial++).toString(36)}`;
    this.values[slot] = value;
    this.tokens[slot] = token;
    this.count++;
    return token;
  }

  get(token: string): V | undefined {
    const slot = this.slotOf(token);
    return slot < 0 ? undefined : this.values[slot];
  }

  /** Removes and returns the entry, or undefined when the token names none (any more). */
  take(token: string): V | undefined {
    const slot = this.slotOf(token);
    if (slot < 0) return undefined;
    const value = this.values[slot];
    this.values[slot] = undefined;
    this.tokens[slot] = "";
    this.free.push(slot);
    this.count--;
    return value;
  }

  /** Every entry with its token; taking entries while iterating is allowed. */
  *entries(): IterableIterator<[string, V]> {
    for (let slot = 0; slot < this.values.length; slot++) {
      const value = this.values[slot];
      const token = this.tokens[slot];
      if (value !== undefined && token) yield [token, value];
    }
  }

  private slotOf(token: string): number {
    if (!token.startsWith(this.tag)) return -1;
    const dash = token.indexOf("-", this.tag.length);
    if (dash <= this.tag.length) return -1;
    const slot = parseInt(token.slice(this.tag.length, dash), 36);
    return this.tokens[slot] === token ? slot : -1;
  }
}
