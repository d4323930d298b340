/**
 * The gRPC gateway: a stateless server that exposes baton.v1.TaskService and ClusterService
 * over a BatonClient, plus the standard health service and server reflection. Any number of
 * gateways can serve one NATS namespace side by side.
 */
import { ReflectionService } from "@grpc/reflection";
import { Server, ServerCredentials, type ServerInterceptor } from "@grpc/grpc-js";
import { BatonClient } from "../../client/client.js";
import { compileConfig, type BatonConfig, type BatonOptions } from "../../config/index.js";
import { startHttpServer, type HttpRoute, type HttpServer } from "../../http/server.js";
import { connectBaton, type BatonConnection } from "../../nats/connection.js";
import { ClusterMetrics } from "../../telemetry/cluster-metrics.js";
import { metricsRoute } from "../../telemetry/metrics.js";
import type { Logger } from "../../telemetry/logger.js";
import { serverTracingInterceptor } from "../../telemetry/grpc-tracing.js";
import { authInterceptor, TokenChecker } from "../auth.js";
import { loadBatonProto, SERVICE_NAMES } from "../proto.js";
import type { ServiceContext } from "./calls.js";
import { clusterServiceHandlers } from "./cluster-service.js";
import {
  compileGatewayConfig,
  describeGatewaySecurity,
  parseListenAddress,
  type GatewayConfig,
  type GatewayOptions,
} from "./gateway-config.js";
import { HealthState } from "./health.js";
import { watchNatsStatus } from "./nats-status.js";
import { TaskServiceImpl } from "./task-service.js";

/** What extra HTTP routes (the dashboard) are built from. */
export interface GatewayHttpContext {
  client: BatonClient;
  logger: Logger;
  /** Aborted when the gateway stops. */
  signal: AbortSignal;
}

export interface StartGatewayOptions extends GatewayOptions {
  /** Serve through this client (not closed by the gateway). */
  client?: BatonClient;
  /** Or over this connection (not closed by the gateway). */
  connection?: BatonConnection;
  /** Or connect with these core settings (over BATON_*); the connection closes on stop. */
  config?: BatonOptions;
  /** Environment for BATON_GATEWAY_* (and BATON_* when connecting); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Gateway settings from CLI flags: they win over everything, and errors name the flag. */
  flags?: GatewayOptions;
  /** Default: the connection's logger. */
  logger?: Logger;
  /** More routes for the HTTP server (when httpAddress is set), after GET /metrics. */
  httpRoutes?: readonly HttpRoute[] | ((ctx: GatewayHttpContext) => readonly HttpRoute[]);
}

export interface Gateway extends AsyncDisposable {
  /** Where it listens, with the actual port (`127.0.0.1:50051`, `[::1]:41234`, `unix:/p`). */
  readonly address: string;
  /** The bound port (0 for a unix socket). */
  readonly port: number;
  /** Where the HTTP server (GET /metrics, dashboard) listens, with the actual port; or undefined. */
  readonly httpAddress: string | undefined;
  readonly config: GatewayConfig;
  readonly client: BatonClient;
  readonly server: Server;
  readonly health: HealthState;
  /** WatchTask streams open now. */
  readonly activeWatches: number;
  /** WaitTask calls waiting now. */
  readonly activeWaits: number;
  /**
   * Graceful stop: reports NOT_SERVING, ends open watches with UNAVAILABLE (clients resume
   * elsewhere with from_sequence), answers open waits with the task as it is (clients call
   * again), lets calls in flight finish within the shutdown timeout,
   * then cuts the rest and closes the connection it opened. Idempotent.
   */
  stop(): Promise<void>;
}

/** Methods callable without a token: load balancers and probes use them. */
const OPEN_METHODS: ReadonlySet<string> = new Set([
  `/${SERVICE_NAMES.health}/Check`,
  `/${SERVICE_NAMES.health}/Watch`,
]);

const CLOSE_TIMEOUT_MS = 2_000;

function credentials(config: GatewayConfig): ServerCredentials {
  if (!config.tls) return ServerCredentials.createInsecure();
  const { cert, key, ca, clientAuth } = config.tls;
  return ServerCredentials.createSsl(
    ca ?? null,
    [{ cert_chain: cert, private_key: key }],
    clientAuth === "require",
  );
}

function bind(server: Server, address: string, creds: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port)));
  });
}

function boundAddress(address: string, port: number): string {
  const parsed = parseListenAddress(address);
  if (!parsed || address.startsWith("unix:")) return address;
  const host = parsed.host.includes(":") ? `[${parsed.host}]` : parsed.host;
  return `${host}:${port}`;
}

async function closeWithin(conn: BatonConnection, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  // Draining waits for the server; with NATS gone it would wait forever.
  const result = await Promise.race([conn.close().catch(() => undefined), timedOut]);
  clearTimeout(timer);
  if (result === "timeout") await conn.nc.close().catch(() => undefined);
}

/** Starts a gateway and resolves once it listens. */
export async function startGateway(options: StartGatewayOptions = {}): Promise<Gateway> {
  const {
    client: givenClient,
    connection: givenConnection,
    config: coreOptions,
    env = process.env,
    flags,
    logger: givenLogger,
    httpRoutes,
    ...gatewayOptions
  } = options;

  const coreConfig: BatonConfig =
    givenClient?.connection.config ??
    givenConnection?.config ??
    compileConfig(coreOptions, { env });
  const config = compileGatewayConfig(gatewayOptions, {
    env,
    ...(flags ? { flags } : {}),
    maxInputBytes: coreConfig.maxInputBytes,
  });

  let ownedConnection: BatonConnection | undefined;
  let client: BatonClient;
  if (givenClient) client = givenClient;
  else if (givenConnection) client = new BatonClient(givenConnection, false);
  else {
    ownedConnection = await connectBaton(coreConfig, { name: "baton-gateway" });
    client = new BatonClient(ownedConnection, false);
  }
  const conn = client.connection;
  const logger = (givenLogger ?? conn.logger).child({ component: "gateway" });

  const health = new HealthState([SERVICE_NAMES.task, SERVICE_NAMES.cluster]);
  let stopping: Promise<void> | undefined;
  const nats = watchNatsStatus(conn.nc, (up) => {
    if (stopping) return;
    logger.warn({ nats: up ? "connected" : "disconnected" }, "NATS connection changed");
    health.setAll(up ? "SERVING" : "NOT_SERVING");
  });
  const ctx: ServiceContext = { client, logger, natsConnected: () => nats.connected };

  const proto = loadBatonProto();
  // Tracing first, so its span also covers (and records) a call the token check denies.
  const interceptors: ServerInterceptor[] = [serverTracingInterceptor()];
  if (config.tokens.length > 0) {
    interceptors.push(authInterceptor(new TokenChecker(config.tokens), OPEN_METHODS));
  }
  const server = new Server({
    "grpc.max_receive_message_length": config.maxMessageBytes,
    "grpc.max_send_message_length": -1,
    // Notice vanished watch clients (a dead peer otherwise keeps its stream for hours).
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 10_000,
    interceptors,
  });
  const taskService = new TaskServiceImpl(ctx);
  server.addService(proto.TaskService.service, taskService.handlers());
  server.addService(proto.ClusterService.service, clusterServiceHandlers(ctx));
  server.addService(proto.Health.service, health.handlers());
  new ReflectionService(proto.packageDefinition).addToServer(server);

  const stopped = new AbortController();
  const fail = async (what: string, err: unknown): Promise<never> => {
    stopped.abort();
    nats.stop();
    server.forceShutdown();
    if (ownedConnection) await closeWithin(ownedConnection, CLOSE_TIMEOUT_MS);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot ${what}: ${reason}`, { cause: err });
  };
  let port: number;
  try {
    port = await bind(server, config.address, credentials(config));
  } catch (err) {
    return fail(`listen on ${config.address}`, err);
  }
  let http: HttpServer | undefined;
  if (config.httpAddress !== undefined) {
    const listen = parseListenAddress(config.httpAddress);
    const cluster = new ClusterMetrics(client, logger);
    try {
      const extra =
        typeof httpRoutes === "function"
          ? httpRoutes({ client, logger, signal: stopped.signal })
          : (httpRoutes ?? []);
      http = await startHttpServer({
        host: listen?.host ?? "127.0.0.1",
        port: listen?.port ?? 0,
        routes: [metricsRoute(cluster.registry, () => cluster.refresh()), ...extra],
        logger,
      });
    } catch (err) {
      return fail(`serve HTTP on ${config.httpAddress}`, err);
    }
  }
  health.setAll(nats.connected ? "SERVING" : "NOT_SERVING");
  const address = boundAddress(config.address, port);
  const httpAddress = http?.address;
  logger.info(
    { address, http: httpAddress, security: describeGatewaySecurity(config) },
    "gateway listening",
  );

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      health.setAll("NOT_SERVING");
      health.endWatches();
      taskService.stopWatches();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn(
            { timeoutMs: config.shutdownTimeoutMs },
            "calls still running; cutting them off",
          );
          server.forceShutdown();
          resolve();
        }, config.shutdownTimeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      stopped.abort();
      await http?.close();
      nats.stop();
      if (ownedConnection) await closeWithin(ownedConnection, CLOSE_TIMEOUT_MS);
      logger.info({ address }, "gateway stopped");
    })();
    return stopping;
  };

  return {
    address,
    port,
    httpAddress,
    config,
    client,
    server,
    health,
    get activeWatches() {
      return taskService.activeWatches;
    },
    get activeWaits() {
      return taskService.activeWaits;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
