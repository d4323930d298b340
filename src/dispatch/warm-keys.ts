/** Affinity keys an agent ran recently, most recent last; bounded so memory stays flat. */
export class WarmKeys {
  private readonly keys = new Map<string, number>();

  constructor(private readonly capacity = 1000) {}

  touch(key: string, now = Date.now()): void {
    this.keys.delete(key);
    this.keys.set(key, now);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** The `n` most recent keys, newest first (what the registry shows). */
  recent(n: number): string[] {
    return [...this.keys.keys()].slice(-n).reverse();
  }
}
