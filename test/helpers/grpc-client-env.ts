import { randomInt } from "node:crypto";
import { onTestFinished } from "vitest";
import sleepAgent from "../../agents/sleep/index.js";
import type { BatonClient } from "../../src/client/client.js";
import type { BatonOptions } from "../../src/config/index.js";
import type { Worker } from "../../src/dispatch/worker.js";
import {
  createGrpcClient,
  type GrpcClient,
  type GrpcClientOptions,
} from "../../src/grpc/client/client.js";
import {
  startGateway,
  type Gateway,
  type StartGatewayOptions,
} from "../../src/grpc/server/gateway.js";
import type { AgentDefinition } from "../../src/sdk/types.js";
import { coreEnv, type CoreEnv } from "./core.js";
import type { TestNats } from "./nats.js";

type AnyAgent = AgentDefinition<never, unknown>;

export interface GrpcClientEnv {
  core: CoreEnv;
  /** A library client on the same namespace, to check what the gateway did. */
  direct: BatonClient;
  worker: Worker | undefined;
  /** The gateway serving now (replaced by restartGateway). */
  gateway: Gateway;
  /** host:port of the gateway; stays the same across restarts. */
  address: string;
  grpc: GrpcClient;
  /** Another client of the same gateway address with other options. */
  grpcClient(options?: Partial<GrpcClientOptions>): GrpcClient;
  stopGateway(): Promise<void>;
  /** Starts a new gateway on the same port (after stopGateway). */
  startGatewayAgain(): Promise<Gateway>;
}

export interface GrpcClientEnvOptions {
  /** Agents of the in-process worker (default: the sleep agent); [] for none. */
  agents?: AnyAgent[];
  core?: BatonOptions;
  gateway?: Omit<StartGatewayOptions, "client" | "connection" | "config" | "env">;
  client?: Partial<GrpcClientOptions>;
}

/**
 * A test's namespace on the file's nats-server with a worker, an in-process gateway (its own NATS
 * connection, so it can be stopped and started again on the same port) and a GrpcClient; all
 * stopped when the test finishes.
 */
export async function grpcClientEnv(
  nats: TestNats,
  options: GrpcClientEnvOptions = {},
): Promise<GrpcClientEnv> {
  const core = coreEnv(nats, options.core);
  const agents = options.agents ?? [sleepAgent];
  const worker = agents.length > 0 ? await core.worker(agents) : undefined;
  const direct = await core.client();
  const gateways: Gateway[] = [];
  const clients: GrpcClient[] = [];
  const start = async (address: string): Promise<Gateway> => {
    const g = await startGateway({
      ...options.gateway,
      address,
      config: core.options,
      env: {},
      shutdownTimeout: options.gateway?.shutdownTimeout ?? "2s",
    });
    gateways.push(g);
    return g;
  };
  // A fixed port below the ephemeral range (32768+ on Linux): while the gateway is down between
  // a stop and a restart, a port from bind(0) elsewhere (another test file's nats-server) cannot
  // take it, so clients never reach a stranger.
  let first: Gateway | undefined;
  for (let tries = 0; first === undefined; tries++) {
    try {
      first = await start(`127.0.0.1:${randomInt(20_000, 32_000)}`);
    } catch (err) {
      if (tries >= 20 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
  const address = first.address;
  const grpcClient = (extra: Partial<GrpcClientOptions> = {}): GrpcClient => {
    const c = createGrpcClient({ address, ...options.client, ...extra });
    clients.push(c);
    return c;
  };
  const env: GrpcClientEnv = {
    core,
    direct,
    worker,
    gateway: first,
    address,
    grpc: grpcClient(),
    grpcClient,
    stopGateway: () => env.gateway.stop(),
    async startGatewayAgain() {
      env.gateway = await start(address);
      return env.gateway;
    },
  };
  onTestFinished(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(gateways.map((g) => g.stop()));
  });
  return env;
}
