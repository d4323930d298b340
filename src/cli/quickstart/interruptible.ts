/** Thrown by `Interruptible.run` when Ctrl-C came before the work finished. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

const STOP: unique symbol = Symbol("stop");

/**
 * The quickstart's stages until the first Ctrl-C. A stage cut short keeps going in the
 * background without a word (its task is durable and finishes on the next run) while the
 * quickstart shuts down.
 */
export class Interruptible {
  private readonly controller = new AbortController();

  constructor(
    requested: Promise<unknown>,
    private readonly out: (line: string) => void,
  ) {
    void requested.then(() => this.controller.abort());
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Writes a line unless interrupted. */
  readonly write = (line: string): void => {
    if (!this.signal.aborted) this.out(line);
  };

  /** Resolves like `work`, or throws Interrupted at the first Ctrl-C. */
  async run<T>(work: Promise<T>): Promise<T> {
    let onAbort = (): void => undefined;
    const stop = new Promise<typeof STOP>((resolve) => {
      onAbort = () => resolve(STOP);
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([work, stop]);
      if (outcome === STOP) {
        work.catch(() => undefined);
        throw new Interrupted();
      }
      return outcome;
    } finally {
      this.signal.removeEventListener("abort", onAbort);
    }
  }
}
