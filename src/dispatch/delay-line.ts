/**
 * Items come out `delayMs` after they went in, in order, on one timer for all of them: a fixed
 * delay needs no timer per item (arming and clearing one per task costs more than the work).
 */
export class DelayLine<T> {
  private items: (T | undefined)[] = [];
  private dues: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly onDue: (item: T) => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  add(item: T): void {
    this.items.push(item);
    this.dues.push(Date.now() + this.delayMs);
    this.timer ??= setTimeout(this.fire, this.delayMs).unref();
  }

  /** Drops every item without calling onDue (on shutdown). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
    this.dues = [];
    this.head = 0;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = Date.now();
    while (this.head < this.items.length && (this.dues[this.head] ?? 0) <= now) {
      const item = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head++;
      this.onDue(item);
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.dues = [];
      this.head = 0;
      return;
    }
    if (this.head >= 1024) {
      this.items = this.items.slice(this.head);
      this.dues = this.dues.slice(this.head);
      this.head = 0;
    }
    // A timer may fire a millisecond before Date.now() reaches the due time: never arm for 0.
    const wait = Math.max(1, (this.dues[this.head] ?? now) - now);
    clearTimeout(this.timer); // armed by an add() from onDue
    this.timer = setTimeout(this.fire, wait).unref();
  };
}
