import { randomInt } from "node:crypto";
import {
  connect as natsConnect,
  type NatsConnection,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { NatsServerProcess, type NatsServerProcessOptions } from "../../src/nats/server-process.js";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A fresh namespace for stream/bucket names: "T" + 10 uppercase alnum (valid for both). */
export function uniquePrefix(): string {
  let out = "T";
  for (let i = 0; i < 10; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

export interface TestNats extends AsyncDisposable {
  server: NatsServerProcess;
  url: string;
  prefix: string;
  /** Connects to this server; the connection is closed on dispose. */
  connect(opts?: NodeConnectionOptions): Promise<NatsConnection>;
}

/**
 * Starts a private nats-server (JetStream, temp store) for one test file.
 * Typical use: `let nats: TestNats; beforeAll(async () => (nats = await startNats()));
 * afterAll(() => nats[Symbol.asyncDispose]());`
 */
export async function startNats(opts: NatsServerProcessOptions = {}): Promise<TestNats> {
  const server = await NatsServerProcess.start(opts);
  const connections = new Set<NatsConnection>();
  return {
    server,
    url: server.url,
    prefix: uniquePrefix(),
    async connect(connOpts: NodeConnectionOptions = {}): Promise<NatsConnection> {
      const nc = await natsConnect({
        servers: server.url,
        name: "baton-test",
        ...connOpts,
      });
      connections.add(nc);
      void nc.closed().then(() => connections.delete(nc));
      return nc;
    },
    async [Symbol.asyncDispose](): Promise<void> {
      // Close clients first so they do not spin on reconnects while the server stops.
      await Promise.allSettled([...connections].map((nc) => nc.close()));
      connections.clear();
      await server[Symbol.asyncDispose]();
    },
  };
}
