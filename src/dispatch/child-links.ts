/**
 * A parent's links to its sub-tasks, written one write at a time (see linkChildren): children
 * stored while a write is in flight go together in the next one. Linked one by one, delegateAll's
 * children all wrote from the same revision, and every conflict cost a read and another write.
 */
export class ChildLinks {
  private readonly waiting: string[] = [];
  private writing: Promise<void> | undefined;

  /** `write` links these ids to the parent (skipping any already linked). */
  constructor(private readonly write: (ids: readonly string[]) => Promise<void>) {}

  /** Resolves once `id` is stored, with whatever else was waiting; rejects if its write fails. */
  link(id: string): Promise<void> {
    this.waiting.push(id);
    this.writing ??= this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.write(this.waiting.splice(0));
    } finally {
      // In the same turn as the last check: a link from here on starts the next drain.
      this.writing = undefined;
    }
  }
}
