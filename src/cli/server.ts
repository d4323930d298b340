import { join } from "node:path";
import { createClient, type BatonClient } from "../client/client.js";
import type { BatonConfig } from "../config/index.js";
import { connectBaton, type BatonConnection } from "../nats/connection.js";
import { findEmbeddedServer } from "../nats/embedded.js";
import { CliError } from "./errors.js";

export const NO_SERVER_MESSAGE =
  "no NATS server configured and no embedded server running; start one with `npm start` " +
  "or set BATON_NATS_URL";

/** Where the connection's server came from, for messages to the user. */
export type ServerOrigin = "configured" | "embedded-running" | "embedded-started";

export interface OpenedServer {
  conn: BatonConnection;
  origin: ServerOrigin;
}

/**
 * Connects for a long-running process (agents, quickstart): with no URL configured it reuses
 * the embedded server of the data dir or starts one that lives as long as this process.
 */
export async function connectServing(config: BatonConfig, name: string): Promise<OpenedServer> {
  if (config.natsUrl) return { conn: await connectBaton(config, { name }), origin: "configured" };
  const running = await findEmbeddedServer(config.dataDir);
  const conn = await connectBaton(config, { name });
  return { conn, origin: running ? "embedded-running" : "embedded-started" };
}

/**
 * Connects for a one-shot command. It never starts a server: one that died with the command
 * would lose whatever was just submitted to it.
 */
export async function connectExisting(config: BatonConfig, name: string): Promise<BatonConnection> {
  let url = config.natsUrl;
  if (!url) {
    url = await findEmbeddedServer(config.dataDir);
    if (!url) throw new CliError(NO_SERVER_MESSAGE);
  }
  return connectBaton({ ...config, natsUrl: url }, { name });
}

/** Runs `fn` with a client on an existing server and closes the connection afterwards. */
export async function withClient<T>(
  config: BatonConfig,
  fn: (client: BatonClient) => Promise<T>,
): Promise<T> {
  const conn = await connectExisting(config, "baton-cli");
  try {
    return await fn(await createClient({ connection: conn }));
  } finally {
    await conn.close();
  }
}

export function describeOrigin(origin: ServerOrigin, url: string, config: BatonConfig): string {
  switch (origin) {
    case "configured":
      return `NATS server ${url}`;
    case "embedded-running":
      return `embedded nats-server ${url} (already running for ${config.dataDir})`;
    case "embedded-started":
      return `embedded nats-server ${url} (started now; JetStream store in ${join(config.dataDir, "nats")})`;
  }
}
