import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager, jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NatsServerMissingError } from "../../src/errors.js";
import { findNatsServer, NatsServerProcess } from "../../src/nats/server-process.js";
import { startNats, uniquePrefix, type TestNats } from "../helpers/nats.js";

const serverModule = fileURLToPath(new URL("../../src/nats/server-process.ts", import.meta.url));

/** Alive and not a zombie (a reparented child may linger unreaped in a container). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return process.platform === "linux" ? false : true;
  }
}

async function waitDead(pid: number, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/** Runs a Node child that starts a server, prints its pid, then does `then`. */
function spawnOwner(then: "exit" | "hang"): Promise<{
  ownerPid: number;
  serverPid: number;
  storeDir: string;
  exited: Promise<void>;
}> {
  const code = `
    const { NatsServerProcess } = await import(${JSON.stringify(serverModule)});
    const srv = await NatsServerProcess.start();
    console.log("PID " + srv.pid + " " + srv.storeDir);
    ${then === "exit" ? "process.exit(0);" : "setInterval(() => {}, 1000);"}
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      const m = /PID (\d+) (\S+)\n/.exec(out);
      if (m?.[1] !== undefined && m[2] !== undefined && child.pid !== undefined) {
        resolve({
          ownerPid: child.pid,
          serverPid: Number(m[1]),
          storeDir: m[2],
          exited,
        });
      }
    });
    child.once("error", reject);
    child.once("exit", (c) => {
      if (!/PID \d+/.test(out)) reject(new Error(`owner exited (${c}) without a pid: ${out}`));
    });
  });
}

describe("NatsServerProcess", () => {
  let nats: TestNats;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats[Symbol.asyncDispose]();
  });

  it("starts a JetStream-enabled server on a private port", async () => {
    expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(nats.server.port).not.toBe(4222);
    expect(nats.prefix).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,31}$/);
    expect(uniquePrefix()).not.toBe(nats.prefix);
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const info = await jsm.getAccountInfo();
    expect(info.limits).toBeDefined();
  });

  it("keeps stream data across restart (file store)", async () => {
    const stream = `${nats.prefix}_RESTART`;
    const subject = `${nats.prefix}.restart`;
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const js = jetstream(nc);
    for (let i = 0; i < 3; i++) await js.publish(subject, `m${i}`);
    await nc.close();

    const pidBefore = nats.server.pid;
    await nats.server.restart();
    expect(nats.server.pid).toBeDefined();
    expect(nats.server.pid).not.toBe(pidBefore);

    const nc2 = await nats.connect();
    const jsm2 = await jetstreamManager(nc2);
    const info = await jsm2.streams.info(stream);
    expect(info.state.messages).toBe(3);
    const msg = await jsm2.streams.getMessage(stream, { seq: 2 });
    expect(msg?.string()).toBe("m1");
  });

  it("reports a clear error with the server log when the port is taken", async () => {
    const err: unknown = await NatsServerProcess.start({
      port: nats.server.port,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/before it was ready/);
    expect((err as Error).message).toMatch(/address already in use/);
  });

  it("appends the server log to logFile", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baton-log-"));
    try {
      const logFile = join(dir, "nats.log");
      const srv = await NatsServerProcess.start({ logFile });
      await srv[Symbol.asyncDispose]();
      expect(readFileSync(logFile, "utf8")).toContain("Server is ready");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails clearly when the server is not ready in time", async () => {
    await expect(NatsServerProcess.start({ readyTimeoutMs: 1 })).rejects.toThrow(
      /not ready within 1 ms/,
    );
  });

  it("applies maxPayload", async () => {
    await using srv = await NatsServerProcess.start({
      maxPayload: 2 * 1024 * 1024,
    });
    const nc = await nats.connect({ servers: srv.url });
    expect(nc.info?.max_payload).toBe(2 * 1024 * 1024);
    await nc.close();
  });
});

describe("missing binary", () => {
  it("findNatsServer honours BATON_NATS_SERVER_BIN strictly", () => {
    expect(findNatsServer({ BATON_NATS_SERVER_BIN: "/nonexistent/nats-server" })).toBeUndefined();
    expect(findNatsServer({ PATH: "" })).toBeDefined();
  });

  it("throws NatsServerMissingError for a bogus binary option", async () => {
    await expect(NatsServerProcess.start({ binary: "/nonexistent/nats-server" })).rejects.toThrow(
      NatsServerMissingError,
    );
  });

  it("throws NatsServerMissingError for a bogus BATON_NATS_SERVER_BIN", async () => {
    vi.stubEnv("BATON_NATS_SERVER_BIN", "/nonexistent/nats-server");
    try {
      await expect(NatsServerProcess.start()).rejects.toThrow(NatsServerMissingError);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("process lifetime", () => {
  it("kill() leaves no process and dispose removes the temp store", async () => {
    const srv = await NatsServerProcess.start();
    const pid = srv.pid;
    expect(pid).toBeDefined();
    expect(existsSync(srv.storeDir)).toBe(true);
    await srv.kill();
    expect(srv.pid).toBeUndefined();
    expect(await waitDead(pid ?? -1, 1_000)).toBe(true);
    await srv[Symbol.asyncDispose]();
    expect(existsSync(srv.storeDir)).toBe(false);
  });

  it("stop() then restart() after kill works", async () => {
    await using srv = await NatsServerProcess.start();
    await srv.kill("SIGTERM");
    expect(srv.pid).toBeUndefined();
    await srv.restart();
    expect(srv.pid).toBeDefined();
    await srv.stop();
    expect(srv.pid).toBeUndefined();
  });

  it("does not orphan the server when the owning process exits without disposing", async () => {
    const { serverPid, storeDir, exited } = await spawnOwner("exit");
    await exited;
    expect(await waitDead(serverPid)).toBe(true);
    // Only the 'exit' hook removes the temp store (pdeathsig would just kill the server).
    expect(existsSync(storeDir)).toBe(false);
  });

  it("does not orphan the server when the owner gets SIGTERM", async () => {
    const { ownerPid, serverPid, storeDir, exited } = await spawnOwner("hang");
    expect(isAlive(serverPid)).toBe(true);
    process.kill(ownerPid, "SIGTERM");
    await exited;
    expect(await waitDead(serverPid)).toBe(true);
    expect(existsSync(storeDir)).toBe(false);
  });

  it.runIf(existsSync("/usr/bin/setpriv") || existsSync("/bin/setpriv"))(
    "does not orphan the server when the owner is SIGKILLed (Linux pdeathsig)",
    async () => {
      const { ownerPid, serverPid, storeDir } = await spawnOwner("hang");
      process.kill(ownerPid, "SIGKILL");
      const dead = await waitDead(serverPid);
      if (!dead) process.kill(serverPid, "SIGKILL");
      // A SIGKILLed owner cannot clean up its temp store.
      await rm(storeDir, { recursive: true, force: true });
      expect(dead).toBe(true);
    },
  );
});
