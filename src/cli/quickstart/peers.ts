import type { Output } from "../command.js";
import type { PeerAgent } from "../examples.js";
import { StatusLine } from "../status-line.js";
import { PeerProcess, type PeerSpawnOptions } from "./peer-process.js";

/** A cold start compiles the TypeScript sources; a healthy one takes a second or two. */
export const PEER_START_TIMEOUT_MS = 30_000;

export interface StartedPeer {
  capability: string;
  agentId: string;
  pid: number | undefined;
}

/** The quickstart's peer agent processes: started together, stopped together, never left behind. */
export class PeerGroup {
  private readonly processes: PeerProcess[];
  private readonly killAll = (): void => {
    for (const p of this.processes) p.killNow();
  };

  /** Spawns one process per agent at once; `ready` waits for them. */
  constructor(
    private readonly agents: readonly PeerAgent[],
    options: PeerSpawnOptions,
  ) {
    const counts = new Map<string, number>();
    this.processes = agents.map((a) => {
      const n = (counts.get(a.capability) ?? 0) + 1;
      counts.set(a.capability, n);
      return new PeerProcess(`${a.capability} #${n}`, a.module, options);
    });
    // Only reached when the graceful path was skipped (a second Ctrl-C, a crash).
    process.once("exit", this.killAll);
  }

  /** "2 x summarize, 1 x embed" */
  describe(): string {
    const counts = new Map<string, number>();
    for (const a of this.agents) counts.set(a.capability, (counts.get(a.capability) ?? 0) + 1);
    return [...counts].map(([c, n]) => `${n} x ${c}`).join(", ");
  }

  /**
   * Resolves once every process printed its started line, showing a progress line on `out`
   * until then or until `signal` aborts; rejects with the first failure (with its stderr tail).
   */
  async ready(
    out: Output,
    signal: AbortSignal,
    timeoutMs = PEER_START_TIMEOUT_MS,
  ): Promise<StartedPeer[]> {
    const status = new StatusLine(out);
    const begun = Date.now();
    const total = this.processes.length;
    let ready = 0;
    let ticker: NodeJS.Timeout | undefined;
    const show = (): void => {
      if (signal.aborted) return;
      const secs = out.isTTY ? ` (${Math.floor((Date.now() - begun) / 1000)}s)` : "";
      status.update(
        `Starting ${total} agent processes (${this.describe()}): ${ready}/${total} ready${secs}`,
      );
    };
    const done = (): void => {
      clearInterval(ticker);
      status.end();
    };
    show();
    // On a terminal the elapsed time ticks; elsewhere a line per started process is enough.
    if (out.isTTY) ticker = setInterval(show, 250);
    signal.addEventListener("abort", done, { once: true });
    try {
      return await Promise.all(
        this.processes.map(async (p, i) => {
          const agentId = await p.started(timeoutMs);
          ready++;
          show();
          return { capability: this.agents[i]?.capability ?? "?", agentId, pid: p.pid };
        }),
      );
    } finally {
      signal.removeEventListener("abort", done);
      done();
    }
  }

  /** Calls `report` once for each process that exits without being asked to. */
  onCrash(report: (message: string) => void): void {
    for (const p of this.processes) {
      void p.exited.then((exit) => {
        if (!p.stopRequested) report(p.describeExit(exit));
      });
    }
  }

  /** Graceful stop of every process (SIGTERM), SIGKILL for those still there after `killAfterMs`. */
  async stop(killAfterMs: number): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(killAfterMs)));
    process.off("exit", this.killAll);
  }
}
