import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The agent child's entry point (see agent-main.ts). */
export const AGENT_MAIN = fileURLToPath(new URL("./agent-main.ts", import.meta.url));

const STDERR_LINES = 5_000;

export interface AgentProcessOptions {
  /** Extra environment (BATON_NATS_URL, BATON_PREFIX, BATON_LEASE, ...) over process.env. */
  env?: Record<string, string | undefined>;
  /** Agent modules to load besides agents/sleep. */
  modules?: string[];
  /** Label used in error messages. */
  name?: string;
  /** How long start() waits for the READY line. Default 30s (tsx start-up on a loaded box). */
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// Every child still alive, so the test process never leaves agents behind.
const live = new Set<AgentProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of live) p.killNow();
  });
}

/**
 * One agent worker running in its own Node process (`node --import tsx agent-main.ts`).
 * Logs (JSON, stderr) are kept in memory so tests can wait for a line.
 */
export class AgentProcess implements AsyncDisposable {
  readonly name: string;
  /** Agent ids the worker printed in its READY line. */
  agentIds: string[] = [];
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;

  private readonly child: ChildProcess;
  private exitStatus: ExitStatus | undefined;
  private readonly lines: string[] = [];
  private readonly lineWaiters = new Set<() => void>();
  private stdout = "";
  private readyPromise: Promise<void> | undefined;

  private constructor(
    child: ChildProcess,
    name: string,
    private readonly readyTimeoutMs: number,
  ) {
    this.child = child;
    this.name = name;
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once("close", (code, signal) => {
        this.exitStatus = { code, signal };
        live.delete(this);
        resolve(this.exitStatus);
        this.notify();
      });
      child.once("error", (error) => {
        // A failed spawn never emits 'close'.
        if (child.pid === undefined) {
          this.addLine(`spawn failed: ${error.message}`);
          this.exitStatus = { code: null, signal: null };
          live.delete(this);
          resolve(this.exitStatus);
          this.notify();
        }
      });
    });
    child.stderr?.setEncoding("utf8");
    let partial = "";
    child.stderr?.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) this.addLine(line);
    });
    child.stderr?.on("end", () => {
      if (partial !== "") this.addLine(partial);
    });
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      this.stdout += chunk;
      this.notify();
    });
  }

  /** Spawns an agent process; `ready()` resolves once it printed READY. */
  static spawn(opts: AgentProcessOptions = {}): AgentProcess {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", AGENT_MAIN, ...(opts.modules ?? [])],
      {
        env: { ...process.env, BATON_LOG_FORMAT: "json", ...opts.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const proc = new AgentProcess(child, opts.name ?? "agent", opts.readyTimeoutMs ?? 30_000);
    live.add(proc);
    installExitHook();
    return proc;
  }

  /** Spawns an agent process and resolves once it printed READY. */
  static async start(opts: AgentProcessOptions = {}): Promise<AgentProcess> {
    const proc = AgentProcess.spawn(opts);
    await proc.ready();
    return proc;
  }

  /**
   * Resolves once the worker printed READY (its consumers exist and it is pulling). Rejects,
   * after killing the process, when it exits first or is not ready in time.
   */
  ready(): Promise<void> {
    this.readyPromise ??= this.waitFor(
      () => /^READY (.*)$/m.exec(this.stdout)?.[1],
      this.readyTimeoutMs,
    ).then(
      (line) => {
        this.agentIds = line.split(",").filter((s) => s !== "");
      },
      async (err: unknown) => {
        this.killNow();
        await this.exited;
        throw new Error(
          `${this.name} did not become ready: ${String(err)}\n--- stdout ---\n` +
            `${this.stdout.slice(-2000)}\n--- stderr ---\n${this.stderrTail(40)}`,
          { cause: err },
        );
      },
    );
    return this.readyPromise;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The exit status once exited, else undefined. */
  get exitStatusNow(): ExitStatus | undefined {
    return this.exitStatus;
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** True once READY was printed (and the process has not exited since). */
  get isReady(): boolean {
    return this.agentIds.length > 0 && this.running;
  }

  /** Sends `signal` and resolves once the process has exited. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<ExitStatus> {
    if (this.exitStatus) return this.exitStatus;
    this.child.kill(signal);
    return this.exited;
  }

  /** SIGSTOP: the process freezes (timers, sockets and all) until cont(). */
  stop(): void {
    if (this.running) this.child.kill("SIGSTOP");
  }

  /** SIGCONT: resumes a stopped process. */
  cont(): void {
    if (this.running) this.child.kill("SIGCONT");
  }

  /** Every stderr line so far (the last 5000). */
  get stderrLines(): readonly string[] {
    return this.lines;
  }

  stderrTail(n = 40): string {
    return this.lines.slice(-n).join("\n");
  }

  /** Resolves with the first stderr line matching `pattern` (already seen or future). */
  async waitForStderr(pattern: RegExp, timeoutMs: number): Promise<string> {
    try {
      return await this.waitFor(() => this.lines.find((l) => pattern.test(l)), timeoutMs);
    } catch (err) {
      throw new Error(
        `${String(err)} (waiting for ${pattern})\n--- stderr ---\n${this.stderrTail(20)}`,
        { cause: err },
      );
    }
  }

  /** Synchronous SIGKILL (exit hooks, failed start). */
  killNow(): void {
    if (this.running && this.child.pid !== undefined) {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.running) return;
    this.killNow();
    await this.exited;
  }

  private addLine(line: string): void {
    this.lines.push(line);
    if (this.lines.length > STDERR_LINES) this.lines.shift();
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.lineWaiters]) w();
  }

  private waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (this.exitStatus) {
          done();
          const { code, signal } = this.exitStatus;
          reject(new Error(`${this.name} exited (code ${code}, signal ${signal})`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: nothing matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.lineWaiters.delete(check);
      };
      this.lineWaiters.add(check);
      check();
    });
  }
}

/**
 * A set of agent processes sharing one environment; disposing it SIGKILLs whatever is left.
 * `await using agents = new AgentProcesses({ env })`.
 */
export class AgentProcesses implements AsyncDisposable {
  private readonly all = new Set<AgentProcess>();

  constructor(private readonly defaults: AgentProcessOptions = {}) {}

  /** Spawns an agent (tracked at once, so dispose also kills one still starting). */
  spawn(opts: AgentProcessOptions = {}): AgentProcess {
    const proc = AgentProcess.spawn({
      ...this.defaults,
      ...opts,
      env: { ...this.defaults.env, ...opts.env },
    });
    this.all.add(proc);
    void proc.exited.then(() => this.all.delete(proc));
    return proc;
  }

  /** Spawns an agent and resolves once it is READY. */
  async start(opts: AgentProcessOptions = {}): Promise<AgentProcess> {
    const proc = this.spawn(opts);
    await proc.ready();
    return proc;
  }

  get running(): AgentProcess[] {
    return [...this.all].filter((p) => p.running);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const left = [...this.all];
    for (const p of left) p.killNow();
    await Promise.all(left.map((p) => p.exited));
    this.all.clear();
  }
}
