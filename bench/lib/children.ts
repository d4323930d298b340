/**
 * Child processes of the harness (scenarios that need a process of their own: a fresh OTel SDK,
 * or a gateway and an agent whose memory and CPU are read from /proc). Children get SIGKILL when
 * the harness dies (setpriv --pdeathsig where available) and are killed on the harness's exit.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parentDeathWrapper } from "../../src/nats/server-process.js";
import { forEachLine } from "../../src/lines.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The `baton` executable (registers tsx itself). */
export const BATON_BIN = join(ROOT, "bin", "baton.mjs");

const live = new Set<ChildProcess>();
let exitHook = false;

let ticks: number | undefined;
/** Clock ticks per second of /proc/<pid>/stat times (CLK_TCK; 100 on Linux almost always). */
function ticksPerSecond(): number {
  if (ticks === undefined) {
    const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const n = Number(`${out.stdout}`.trim());
    ticks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticks;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces); utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
}

/** Resident memory now (VmRSS) and its peak so far (VmHWM), bytes, from /proc/<pid>/status. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

export const mb = (bytes: number): number => bytes / 2 ** 20;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A node child process with line-wise stdout and the tail of its stderr. */
export class Child {
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private readonly stderrTail: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();

  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    this.exited = new Promise<Exit>((resolve) => {
      proc.once("exit", (code, signal) => {
        live.delete(proc);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    forEachLine(proc.stdout, (line) => {
      for (const l of this.lineListeners) l(line);
    });
    forEachLine(proc.stderr, (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 40) this.stderrTail.shift();
    });
  }

  /** Starts `node <args>` in the repository root with `env` added to this process's. */
  static start(name: string, args: string[], env: Record<string, string> = {}): Child {
    const wrapper = parentDeathWrapper();
    const [command, argv] =
      wrapper === null
        ? [process.execPath, args]
        : [wrapper, ["--pdeathsig", "KILL", "--", process.execPath, ...args]];
    const proc = spawn(command, argv, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (proc.pid === undefined) throw new Error(`${name}: could not start ${process.execPath}`);
    live.add(proc);
    if (!exitHook) {
      exitHook = true;
      process.on("exit", () => {
        for (const p of live) p.kill("SIGKILL");
      });
    }
    return new Child(name, proc);
  }

  /** The process id (setpriv execs node, so it is node's). */
  get pid(): number {
    const pid = this.proc.pid;
    if (pid === undefined) throw new Error(`${this.name}: no pid`);
    return pid;
  }

  get stderr(): string {
    return this.stderrTail.join("\n");
  }

  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Resolves with the first stdout line matching `re`; rejects if the process exits first. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(
          new Error(`${this.name}: no line matching ${re} after ${timeoutMs} ms\n${this.stderr}`),
        );
      }, timeoutMs);
      const off = this.onLine((line) => {
        const m = re.exec(line);
        if (!m) return;
        clearTimeout(timer);
        off();
        resolve(m);
      });
      void this.exited.then((e) => {
        clearTimeout(timer);
        off();
        reject(
          new Error(`${this.name} exited (${e.code ?? e.signal}) before ${re}\n${this.stderr}`),
        );
      });
    });
  }

  /** Sends `signal`, waits up to `timeoutMs` for the exit, then SIGKILL. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">(
      (r) => (timer = setTimeout(() => r("timeout"), timeoutMs)),
    );
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first === "timeout") {
      this.proc.kill("SIGKILL");
      return this.exited;
    }
    return first;
  }
}
