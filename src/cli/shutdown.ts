import type { Output } from "./command.js";

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
// `npm start` forwards the terminal's Ctrl-C to us, so one keypress can arrive twice.
const REPEAT_IGNORE_MS = 1000;

export interface ShutdownWatch {
  /** Resolves with the first SIGINT or SIGTERM. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Removes the handlers (the process may then die from a signal as usual). */
  dispose(): void;
}

/**
 * Turns SIGINT/SIGTERM into a graceful-stop request. A second signal, sent deliberately a moment
 * later, exits at once (exit hooks still stop an embedded nats-server).
 */
export function watchShutdown(stderr: Output): ShutdownWatch {
  let first: number | undefined;
  let resolve!: (signal: NodeJS.Signals) => void;
  const requested = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals): void => {
    const now = Date.now();
    if (first === undefined) {
      first = now;
      resolve(signal);
      return;
    }
    if (now - first < REPEAT_IGNORE_MS) return;
    stderr.write(`\nbaton: ${signal} again: exiting without waiting\n`);
    process.exit(130);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    requested,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
