import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join, resolve } from "node:path";
import type { Logger } from "../telemetry/logger.js";
import { NatsServerProcess } from "./server-process.js";

interface ServerFile {
  url: string;
  pid: number;
}

const FILE = "nats-server.json";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** The URL of an embedded server some Baton process already runs for this data dir, if any. */
export async function findEmbeddedServer(dataDir: string): Promise<string | undefined> {
  const file = join(resolve(dataDir), FILE);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as ServerFile;
    if (alive(info.pid) && (await reachable(info.url))) return info.url;
  } catch {
    // A torn or stale file: treat as absent.
  }
  return undefined;
}

export interface EmbeddedServer {
  url: string;
  /** Set when this process started the server (and so must stop it). */
  owned?: NatsServerProcess;
  stop(): Promise<void>;
}

/**
 * Reuses the embedded nats-server of this data dir or starts one with its store under it,
 * so `baton submit` in a second terminal finds the server `npm start` launched.
 */
export async function ensureEmbeddedServer(
  dataDir: string,
  logger: Logger,
): Promise<EmbeddedServer> {
  const existing = await findEmbeddedServer(dataDir);
  if (existing) return { url: existing, stop: () => Promise.resolve() };
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const server = await NatsServerProcess.start({
    storeDir: join(dir, "nats"),
    logFile: join(dir, "nats-server.log"),
  });
  const file = join(dir, FILE);
  writeFileSync(
    file,
    JSON.stringify({ url: server.url, pid: server.pid } satisfies Partial<ServerFile>),
  );
  logger.info({ url: server.url, storeDir: server.storeDir }, "started embedded nats-server");
  return {
    url: server.url,
    owned: server,
    stop: async () => {
      rmSync(file, { force: true });
      await server.stop();
    },
  };
}
