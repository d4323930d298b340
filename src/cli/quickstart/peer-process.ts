import { spawn, type ChildProcess } from "node:child_process";
import { parentDeathWrapper } from "../../nats/server-process.js";
import { CliError } from "../errors.js";

const STARTED = /^agent (\S+) started: /m;
const TAIL_CHARS = 2000;

export interface PeerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface PeerSpawnOptions {
  /** The `baton` executable (bin/baton.mjs). */
  bin: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** One `baton agent <module>` child process, its agent id once it printed its started line. */
export class PeerProcess {
  agentId: string | undefined;
  readonly exited: Promise<PeerExit>;
  private stdout = "";
  private stderrTail = "";
  private exit: PeerExit | undefined;
  private stopping = false;
  private readonly listeners = new Set<() => void>();
  private readonly child: ChildProcess;

  constructor(
    /** For messages: "summarize #2". */
    readonly label: string,
    module: string,
    options: PeerSpawnOptions,
  ) {
    // With setpriv the kernel stops the peer if the quickstart dies without cleaning up
    // (SIGKILL); SIGTERM lets it give its tasks back first.
    const wrapper = parentDeathWrapper();
    const argv = [options.bin, "agent", module];
    const [command, args] =
      wrapper === null
        ? [process.execPath, argv]
        : [wrapper, ["--pdeathsig", "TERM", "--", process.execPath, ...argv]];
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: Ctrl-C reaches only the quickstart, which stops the peers itself
      // (a second signal would make a peer exit without waiting for its tasks).
      detached: true,
    });
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      // Only the lines up to the started one matter; later output is drained and dropped.
      if (this.agentId === undefined) this.stdout += chunk;
      this.agentId ??= STARTED.exec(this.stdout)?.[1];
      this.notify();
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-TAIL_CHARS);
    });
    this.exited = new Promise((resolve) => {
      const done = (exit: PeerExit): void => {
        this.exit ??= exit;
        resolve(this.exit);
        this.notify();
      };
      this.child.once("exit", (code, signal) => done({ code, signal }));
      this.child.once("error", (err) => {
        this.stderrTail += `\n${err.message}`;
        done({ code: null, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether stop() asked it to exit (any other exit is a crash). */
  get stopRequested(): boolean {
    return this.stopping;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** "exited with code 1" / "was killed by SIGKILL", plus the tail of its stderr. */
  describeExit(exit: PeerExit): string {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return `${this.describe()} ${how}${this.tail()}`;
  }

  private describe(): string {
    return `peer agent ${this.label} (pid ${this.pid ?? "?"})`;
  }

  private tail(): string {
    const text = this.stderrTail.trim();
    return text ? `; its stderr ends with:\n${text}` : "";
  }

  /** Resolves with the agent id once it started; rejects if it exits first or takes too long. */
  started(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        const secs = Math.round(timeoutMs / 1000);
        reject(new CliError(`${this.describe()} did not start within ${secs}s${this.tail()}`));
      }, timeoutMs);
      const check = (): void => {
        if (this.agentId !== undefined) {
          finish();
          resolve(this.agentId);
        } else if (this.exit) {
          finish();
          reject(new CliError(`${this.describeExit(this.exit)}`));
        }
      };
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /**
   * SIGTERM (a graceful stop), then SIGKILL if it is still there after `killAfterMs`; one that
   * has not started yet is killed at once.
   */
  async stop(killAfterMs: number): Promise<void> {
    this.stopping = true;
    if (this.exit) return;
    // Before its started line it holds no task, so there is nothing to wait for.
    this.signal(this.agentId === undefined ? "SIGKILL" : "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), killAfterMs)));
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === "late") {
      this.signal("SIGKILL");
      await this.exited;
    }
  }

  /** For exit hooks: no waiting possible, so no grace either. */
  killNow(): void {
    this.stopping = true;
    if (!this.exit) this.signal("SIGKILL");
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}
