import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { forEachLine } from "../lines.js";
import {
  accessSync,
  constants,
  createWriteStream,
  readFileSync,
  rmSync,
  statSync,
  type WriteStream,
} from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as tcpConnect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, sep } from "node:path";
import { NatsServerMissingError } from "../errors.js";

const FALLBACK_DIRS = ["/usr/sbin", "/usr/local/bin", "/usr/bin"];
const BINARY_NAME = process.platform === "win32" ? "nats-server.exe" : "nats-server";
const READY_LINE = "Server is ready";
const RING_LINES = 200;
const ERROR_TAIL_LINES = 40;
const STOP_GRACE_MS = 5_000;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [...(env.PATH ?? "").split(delimiter).filter((d) => d !== ""), ...FALLBACK_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Locates nats-server: BATON_NATS_SERVER_BIN, then PATH, then common system dirs.
 * An explicit BATON_NATS_SERVER_BIN that is not executable yields undefined rather than
 * silently falling back, so a typo is reported instead of running some other binary.
 */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.BATON_NATS_SERVER_BIN;
  if (explicit !== undefined && explicit !== "") {
    return isExecutableFile(explicit) ? explicit : undefined;
  }
  return searchPath(BINARY_NAME, env);
}

function resolveBinary(binary: string | undefined): string {
  let found: string | undefined;
  let detail: string;
  if (binary === undefined) {
    found = findNatsServer();
    const explicit = process.env.BATON_NATS_SERVER_BIN;
    detail =
      explicit !== undefined && explicit !== ""
        ? `BATON_NATS_SERVER_BIN=${explicit} is not an executable file`
        : "searched PATH, /usr/sbin, /usr/local/bin, /usr/bin";
  } else {
    found = binary.includes(sep)
      ? isExecutableFile(binary)
        ? binary
        : undefined
      : searchPath(binary, process.env);
    detail = `${binary} is not an executable file`;
  }
  if (found === undefined) {
    const err = new NatsServerMissingError();
    err.message += ` (${detail})`;
    throw err;
  }
  return found;
}

/** Asks the kernel for an unused TCP port. Racy by nature; start() retries on EADDRINUSE. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => {
        if (port > 0) resolve(port);
        else reject(new Error(`could not determine a free port on ${host}`));
      });
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// setpriv --pdeathsig makes the kernel kill nats-server if we die without running any
// handler (SIGKILL, crash), which 'exit'/signal hooks cannot cover. Linux only.
let pdeathsigWrapper: string | null | undefined;
export function parentDeathWrapper(): string | null {
  if (pdeathsigWrapper !== undefined) return pdeathsigWrapper;
  pdeathsigWrapper = null;
  if (process.platform === "linux") {
    for (const candidate of ["/usr/bin/setpriv", "/bin/setpriv"]) {
      if (!isExecutableFile(candidate)) continue;
      const help = spawnSync(candidate, ["--help"], {
        encoding: "utf8",
        timeout: 2_000,
      });
      if (`${help.stdout}`.includes("--pdeathsig")) pdeathsigWrapper = candidate;
      break;
    }
  }
  return pdeathsigWrapper;
}

// ---- orphan protection -------------------------------------------------------------------

// Symbol-keyed so the exit-time hooks stay off the public API.
const exitKill = Symbol("exitKill");
const exitCleanup = Symbol("exitCleanup");
const live = new Set<NatsServerProcess>();
const HOOK_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

function killAllNow(): void {
  const servers = [...live];
  for (const srv of servers) srv[exitKill]();
  for (const srv of servers) srv[exitCleanup]();
}

// Blocks (we are exiting, nothing async can run) until a killed child is gone, so its
// files can be removed. Uses /proc; elsewhere it returns at once.
function waitGoneSync(pid: number, ms: number): void {
  const until = Date.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < until) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      return;
    }
    // Our unreaped child stays a zombie ("Z") once dead.
    if (stat.charAt(stat.lastIndexOf(")") + 2) === "Z") return;
    Atomics.wait(cell, 0, 0, 5);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener means the app owns shutdown (and will stop() us gracefully).
  if (process.listenerCount(signal) > 1) return;
  killAllNow();
  uninstallHooks();
  // Re-raise so the default action (terminate) happens as if we had never listened.
  process.kill(process.pid, signal);
}

let hooksInstalled = false;
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllNow);
  for (const s of HOOK_SIGNALS) process.on(s, onSignal);
}
function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off("exit", killAllNow);
  for (const s of HOOK_SIGNALS) process.off(s, onSignal);
}
function track(srv: NatsServerProcess): void {
  live.add(srv);
  installHooks();
}
function untrack(srv: NatsServerProcess): void {
  live.delete(srv);
  if (live.size === 0) uninstallHooks();
}

// ---- process wrapper ---------------------------------------------------------------------

export interface NatsServerProcessOptions {
  /** JetStream store dir. Default: a new temp dir, removed on dispose. */
  storeDir?: string;
  /** Client port. Default: a free port. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** nats-server binary (path or name on PATH). Default: findNatsServer(). */
  binary?: string;
  /** Server max_payload in bytes (set through a generated config file). */
  maxPayload?: number;
  /** Append the server log here. The last lines are always kept in memory for errors. */
  logFile?: string;
  /** How long to wait for readiness. Default 10s. */
  readyTimeoutMs?: number;
}

interface Run {
  child: ChildProcess;
  /** Resolves once the process has exited and its output is drained. */
  exited: Promise<void>;
  exit?: { code: number | null; signal: NodeJS.Signals | null; error?: Error };
  sawReady: Promise<void>;
  addressInUse: boolean;
}

class LogRing {
  private readonly lines: string[] = [];
  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > RING_LINES) this.lines.shift();
  }
  tail(n: number): string[] {
    return this.lines.slice(-n);
  }
}

export class NatsServerProcess implements AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly host: string;
  readonly binary: string;

  private readonly log = new LogRing();
  private readonly ownsStoreDir: boolean;
  private readonly readyTimeoutMs: number;
  private readonly maxPayload: number | undefined;
  private readonly logFile: string | undefined;
  private logStream: WriteStream | undefined;
  private configDir: string | undefined;
  private run: Run | undefined;
  private disposed = false;

  private constructor(
    binary: string,
    host: string,
    port: number,
    storeDir: string,
    ownsStoreDir: boolean,
    opts: NatsServerProcessOptions,
  ) {
    this.binary = binary;
    this.host = host;
    this.port = port;
    this.storeDir = storeDir;
    this.ownsStoreDir = ownsStoreDir;
    this.url = `nats://${host.includes(":") ? `[${host}]` : host}:${port}`;
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
    this.maxPayload = opts.maxPayload;
    this.logFile = opts.logFile;
  }

  /**
   * Spawns nats-server with JetStream and waits until it is ready.
   * @throws NatsServerMissingError when no binary is found.
   * @throws Error with the server's last log lines when it exits or is not ready in time.
   */
  static async start(opts: NatsServerProcessOptions = {}): Promise<NatsServerProcess> {
    const binary = resolveBinary(opts.binary);
    if (
      opts.maxPayload !== undefined &&
      !(Number.isInteger(opts.maxPayload) && opts.maxPayload > 0)
    ) {
      throw new RangeError(`maxPayload must be a positive integer, got ${opts.maxPayload}`);
    }
    const host = opts.host ?? "127.0.0.1";
    const ownsStoreDir = opts.storeDir === undefined;
    const storeDir = opts.storeDir ?? (await mkdtemp(join(tmpdir(), "baton-nats-")));
    // A port picked by freePort() can be taken before the server binds it; pick again then.
    let attemptsLeft = opts.port === undefined ? 3 : 1;
    for (;;) {
      const port = opts.port ?? (await freePort(host));
      const srv = new NatsServerProcess(binary, host, port, storeDir, ownsStoreDir, opts);
      try {
        await srv.launch();
        return srv;
      } catch (err) {
        const retry = --attemptsLeft > 0 && srv.run?.addressInUse === true;
        await srv.cleanup(!retry);
        if (!retry) throw err;
      }
    }
  }

  get pid(): number | undefined {
    const run = this.run;
    return run !== undefined && run.exit === undefined ? run.child.pid : undefined;
  }

  /** The last lines the server logged (across restarts). */
  logTail(lines = ERROR_TAIL_LINES): string {
    return this.log.tail(lines).join("\n");
  }

  /** SIGTERM (graceful; JetStream flushes), SIGKILL after 5s. Resolves once exited. */
  async stop(): Promise<void> {
    const run = this.run;
    if (run === undefined || run.exit !== undefined) return;
    run.child.kill("SIGTERM");
    const timer = setTimeout(() => run.child.kill("SIGKILL"), STOP_GRACE_MS);
    try {
      await run.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and resolves once the process has exited (so only use terminating signals). */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const run = this.run;
    if (run === undefined || run.exit !== undefined) return;
    run.child.kill(signal);
    await run.exited;
  }

  /** Stops the server if running, then starts it again on the same port and store dir. */
  async restart(): Promise<void> {
    if (this.disposed) throw new Error("NatsServerProcess: restart() after dispose");
    await this.stop();
    try {
      await this.launch();
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cleanup(true);
  }

  /** Last-resort kill from the process exit/signal hooks (synchronous). */
  [exitKill](): void {
    const run = this.run;
    if (run !== undefined && run.exit === undefined) run.child.kill("SIGKILL");
  }

  /** Removes our temp dirs once the killed server is gone (synchronous). */
  [exitCleanup](): void {
    const pid = this.run?.exit === undefined ? this.run?.child.pid : undefined;
    if (pid !== undefined) waitGoneSync(pid, 1_000);
    const opts = {
      recursive: true,
      force: true,
      maxRetries: 3,
      retryDelay: 20,
    };
    try {
      if (this.ownsStoreDir) rmSync(this.storeDir, opts);
      if (this.configDir !== undefined) rmSync(this.configDir, opts);
    } catch {
      // nothing more we can do while exiting
    }
  }

  private async cleanup(removeStore: boolean): Promise<void> {
    this.disposed = true;
    await this.stop();
    untrack(this);
    const stream = this.logStream;
    this.logStream = undefined;
    if (stream !== undefined) await new Promise<void>((r) => stream.end(r));
    if (this.configDir !== undefined) await rm(this.configDir, { recursive: true, force: true });
    this.configDir = undefined;
    if (removeStore && this.ownsStoreDir) {
      await rm(this.storeDir, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  private async args(): Promise<string[]> {
    const args: string[] = [];
    if (this.maxPayload !== undefined) {
      // nats-server has no command-line flag for max_payload, only a config setting.
      if (this.configDir === undefined) {
        this.configDir = await mkdtemp(join(tmpdir(), "baton-nats-conf-"));
      }
      const conf = join(this.configDir, "server.conf");
      await writeFile(conf, `max_payload: ${this.maxPayload}\n`);
      args.push("-c", conf);
    }
    args.push("-a", this.host, "-p", String(this.port), "-js", "-sd", this.storeDir);
    return args;
  }

  private async launch(): Promise<void> {
    const args = await this.args();
    if (this.logFile !== undefined && this.logStream === undefined) {
      const stream = createWriteStream(this.logFile, { flags: "a" });
      stream.on("error", (err) => {
        // Losing the log file must not take the server down; the ring still has the tail.
        this.log.add(`[baton] cannot write ${this.logFile}: ${err.message}`);
        if (this.logStream === stream) this.logStream = undefined;
      });
      this.logStream = stream;
    }
    const wrapper = parentDeathWrapper();
    const [command, argv] =
      wrapper === null
        ? [this.binary, args]
        : [wrapper, ["--pdeathsig", "KILL", "--", this.binary, ...args]];
    // Own process group: a terminal Ctrl-C reaches us, and we decide when the server stops
    // (an embedded Baton drains before the server goes away).
    const child = spawn(command, argv, {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const run = this.attach(child);
    this.run = run;
    track(this);
    await this.waitReady(run);
  }

  private attach(child: ChildProcess): Run {
    let markReady!: () => void;
    const sawReady = new Promise<void>((r) => (markReady = r));
    let markExited!: () => void;
    const exited = new Promise<void>((r) => (markExited = r));
    const run: Run = { child, exited, sawReady, addressInUse: false };

    const onLine = (line: string): void => {
      this.log.add(line);
      if (line.includes(READY_LINE)) markReady();
      if (line.includes("address already in use")) run.addressInUse = true;
    };
    for (const stream of [child.stdout, child.stderr]) {
      forEachLine(stream, onLine, (chunk) => this.logStream?.write(chunk));
    }
    child.once("exit", (code, signal) => {
      run.exit ??= { code, signal };
    });
    child.once("close", (code, signal) => {
      run.exit ??= { code, signal };
      markExited();
    });
    // 'on', not 'once': a failed kill() also emits 'error' and must not crash us.
    child.on("error", (error) => {
      // A failed spawn may never emit 'close'.
      if (child.pid === undefined) {
        run.exit ??= { code: null, signal: null, error };
        markExited();
      }
    });
    return run;
  }

  private async waitReady(run: Run): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const failure = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (!settled) reject(this.failure(`was not ready within ${this.readyTimeoutMs} ms`));
      }, this.readyTimeoutMs);
      void run.exited.then(() => {
        if (!settled) reject(this.failure(`exited (${describeExit(run)}) before it was ready`));
      });
    });
    failure.catch(() => undefined);
    const probe = async (): Promise<void> => {
      while (!settled && run.exit === undefined && Date.now() < deadline) {
        if (await canConnect(this.host, this.port)) return;
        await sleep(25);
      }
      await failure;
    };
    try {
      await Promise.race([run.sawReady, failure]);
      await Promise.race([probe(), failure]);
    } catch (err) {
      if (
        run.exit?.error !== undefined &&
        (run.exit.error as NodeJS.ErrnoException).code === "ENOENT"
      ) {
        throw new NatsServerMissingError();
      }
      throw err;
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  private failure(what: string): Error {
    const where = this.logFile === undefined ? "" : ` Full log: ${this.logFile}.`;
    const tail = this.logTail(ERROR_TAIL_LINES);
    return new Error(
      `nats-server (${this.binary}) on ${this.host}:${this.port} with store ${this.storeDir} ` +
        `${what}.${where}\n--- last server log lines ---\n${tail === "" ? "(no output)" : tail}`,
    );
  }
}

function describeExit(run: Run): string {
  const exit = run.exit;
  if (exit === undefined) return "still running";
  if (exit.error !== undefined) return `spawn failed: ${exit.error.message}`;
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}
