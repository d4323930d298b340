/**
 * The cancellations this process heard of lately, so an agent can tell that a task it just
 * received was not cancelled without reading its record: every cancel is broadcast after it is
 * stored, so a task created while the process was listening, and recently enough to be within
 * memory, was cancelled only if its id is here. Clocks of agents and clients are assumed within
 * `marginMs` of each other (leases assume as much).
 */
export class RecentCancels {
  private readonly ids = new Map<string, number>();
  /** Since when every broadcast reached this process; undefined while not listening. */
  private since: number | undefined;

  constructor(
    private readonly memoryMs = 120_000,
    private readonly marginMs = 1_000,
    private readonly maxIds = 100_000,
  ) {}

  /** Subscribed (or resubscribed after a reconnect): cancels from now on arrive. */
  listening(now: number): void {
    this.since = now;
    this.ids.clear();
  }

  /** Disconnected or unsubscribed: cancels may be missed until listening() again. */
  deaf(): void {
    this.since = undefined;
    this.ids.clear();
  }

  add(id: string, now: number): void {
    if (this.since === undefined) return;
    for (const [old, at] of this.ids) {
      if (now - at <= this.memoryMs) break;
      this.ids.delete(old);
    }
    // A storm of cancels: forget them all and start over, which only makes tasks created
    // before now read their record again.
    if (this.ids.size >= this.maxIds) this.listening(now);
    else this.ids.set(id, now);
  }

  /**
   * True when a task created at `createdAt` is surely not cancelled: it was created while this
   * process listened and recently enough that its cancel would still be remembered.
   */
  uncancelled(id: string, createdAt: number, now: number): boolean {
    if (this.since === undefined) return false;
    if (createdAt - this.marginMs < this.since) return false;
    if (now - createdAt + this.marginMs > this.memoryMs) return false;
    return !this.ids.has(id);
  }

  /** From when on created tasks can be vouched for; undefined while not listening. */
  vouchesFrom(): number | undefined {
    return this.since === undefined ? undefined : this.since + this.marginMs;
  }

  /** Whether a cancel of `id` was heard lately. */
  heard(id: string): boolean {
    return this.ids.has(id);
  }
}
