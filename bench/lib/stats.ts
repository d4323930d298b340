/** Small statistics helpers shared by the scenarios and the report. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function min(xs: readonly number[]): number {
  return xs.length ? Math.min(...xs) : Number.NaN;
}

export function max(xs: readonly number[]): number {
  return xs.length ? Math.max(...xs) : Number.NaN;
}

/** Formats a number with a sensible number of digits for a table cell. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Milliseconds with two decimals. */
export const fmtMs = (x: number): string => fmt(x, 2);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `total` calls from `callers` concurrent loops, each call taking the next index. */
export async function closedLoop(
  total: number,
  callers: number,
  call: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(callers, total)) }, async () => {
      for (let i = next++; i < total; i = next++) await call(i);
    }),
  );
}

/** Resolves `promise`, or rejects after `ms` naming `what`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A counter that resolves a promise once it reaches a target. */
export class Countdown {
  private count = 0;
  private resolve: (() => void) | undefined;
  private target = Infinity;

  /** Arms the countdown for `target` completions; the returned promise settles at the target. */
  arm(target: number): Promise<void> {
    this.count = 0;
    this.target = target;
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      if (this.count >= this.target) resolve();
    });
  }

  tick(): void {
    if (++this.count >= this.target) this.resolve?.();
  }

  get value(): number {
    return this.count;
  }
}

/** A ~100-byte JSON task input, the same for every system. */
export function payload(i: number): { kind: string; seq: number; user: string; note: string } {
  return { kind: "bench.noop", seq: i, user: "user-0042", note: "x".repeat(40) };
}

/** Nearest-rank percentile (0 < p <= 100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}
