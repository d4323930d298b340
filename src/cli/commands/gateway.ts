import { formatDuration } from "../../config/index.js";
import { dashboardRoutes } from "../../dashboard/routes.js";
import { startGateway, type Gateway } from "../../grpc/server/gateway.js";
import {
  compileGatewayConfig,
  DEFAULT_GATEWAY_HTTP,
  describeGatewaySecurity,
  type GatewayOptions,
} from "../../grpc/server/gateway-config.js";
import { takePositionals } from "../args.js";
import { booleanFlag, stringFlag, type Command, type FlagValues } from "../command.js";
import { connectExisting } from "../server.js";
import { watchShutdown } from "../shutdown.js";

/** The command's flags as gateway options (only those given, so env and defaults still apply). */
function gatewayFlags(values: FlagValues): GatewayOptions {
  const flags: GatewayOptions = {};
  const address = stringFlag(values, "address");
  if (address !== undefined) flags.address = address;
  const http = stringFlag(values, "http");
  if (http !== undefined) flags.httpAddress = http;
  const tokensFile = stringFlag(values, "tokens-file");
  if (tokensFile !== undefined) flags.auth = { tokensFile };
  const tls: NonNullable<GatewayOptions["tls"]> = {};
  const cert = stringFlag(values, "tls-cert");
  if (cert !== undefined) tls.certFile = cert;
  const key = stringFlag(values, "tls-key");
  if (key !== undefined) tls.keyFile = key;
  const ca = stringFlag(values, "tls-ca");
  if (ca !== undefined) tls.caFile = ca;
  const clientAuth = stringFlag(values, "tls-client-auth");
  if (clientAuth !== undefined) tls.clientAuth = clientAuth as "none" | "require";
  if (Object.keys(tls).length > 0) flags.tls = tls;
  if (booleanFlag(values, "insecure")) flags.insecure = true;
  const maxMessageSize = stringFlag(values, "max-message-size");
  if (maxMessageSize !== undefined) flags.maxMessageSize = maxMessageSize;
  const shutdownTimeout = stringFlag(values, "shutdown-timeout");
  if (shutdownTimeout !== undefined) flags.shutdownTimeout = shutdownTimeout;
  return flags;
}

export const gatewayCommand: Command = {
  name: "gateway",
  summary: "Serve the gRPC API (TaskService, ClusterService) until SIGTERM or Ctrl-C",
  usage: [
    "gateway [--address host:port] [--http host:port|off] [--tokens-file f] [--tls-cert f --tls-key f [--tls-ca f]] " +
      "[--insecure] [options]",
  ],
  description:
    "Listens on 127.0.0.1:50051 by default (BATON_GATEWAY_ADDRESS), and serves HTTP (GET " +
    `/metrics for Prometheus, the dashboard) on ${DEFAULT_GATEWAY_HTTP} (BATON_GATEWAY_HTTP, ` +
    "--http off to turn it off). Without tokens or TLS it " +
    "only serves a loopback address unless --insecure is given. Tokens: BATON_GATEWAY_TOKENS " +
    "(comma-separated) or --tokens-file (one per line); clients send `authorization: Bearer " +
    "<token>`; health checks need none. NATS: BATON_NATS_URL, or the embedded server of " +
    "`npm start`. SIGTERM or Ctrl-C stops accepting calls, ends open watches (clients resume " +
    "with from_sequence), waits up to --shutdown-timeout for calls in flight, and exits 0.",
  options: {
    address: {
      type: "string",
      value: "host:port",
      description: "Listen address (default 127.0.0.1:50051)",
    },
    http: {
      type: "string",
      value: "host:port|off",
      description: `HTTP address for /metrics and the dashboard (default ${DEFAULT_GATEWAY_HTTP})`,
    },
    "tokens-file": {
      type: "string",
      value: "file",
      description: "Accepted bearer tokens, one per line (env BATON_GATEWAY_TOKENS_FILE)",
    },
    "tls-cert": { type: "string", value: "file", description: "PEM certificate: serve TLS" },
    "tls-key": { type: "string", value: "file", description: "PEM private key of the certificate" },
    "tls-ca": {
      type: "string",
      value: "file",
      description: "PEM CA for client certificates: mutual TLS",
    },
    "tls-client-auth": {
      type: "string",
      value: "none|require",
      description: "Require client certificates (default: require with --tls-ca)",
    },
    insecure: {
      type: "boolean",
      description: "Serve a non-loopback address without tokens or TLS",
    },
    "max-message-size": {
      type: "string",
      value: "size",
      description: "Largest request accepted (default 4MiB; RESOURCE_EXHAUSTED beyond)",
    },
    "shutdown-timeout": {
      type: "string",
      value: "duration",
      description: "Wait for calls in flight on stop (default 10s)",
    },
  },
  defaultLogLevel: "info",
  async run({ values, positionals, config, env, stdout, stderr }) {
    takePositionals(this, positionals, []);
    const flags = gatewayFlags(values);
    // The command serves HTTP unless told otherwise; in code it is off by default.
    const httpDefault: GatewayOptions =
      (env.BATON_GATEWAY_HTTP ?? "").trim() === "" ? { httpAddress: DEFAULT_GATEWAY_HTTP } : {};
    // Check the gateway settings before connecting, so a bad flag fails at once.
    const checked = compileGatewayConfig(httpDefault, {
      env,
      flags,
      maxInputBytes: config.maxInputBytes,
    });
    const shutdown = watchShutdown(stderr);
    try {
      const conn = await connectExisting(config, "baton-gateway");
      let gateway: Gateway;
      try {
        gateway = await startGateway({
          ...httpDefault,
          connection: conn,
          env,
          flags,
          httpRoutes: (ctx) => dashboardRoutes(ctx.client, ctx),
        });
      } catch (err) {
        await conn.close();
        throw err;
      }
      stdout.write(`gateway listening on ${gateway.address}\n`);
      if (gateway.httpAddress !== undefined) {
        stdout.write(
          `dashboard on http://${gateway.httpAddress}/ (and GET /metrics for Prometheus)\n`,
        );
      }
      stdout.write(
        `serving baton.v1.TaskService and baton.v1.ClusterService (${describeGatewaySecurity(gateway.config)}) ` +
          `on NATS ${conn.url}, prefix ${config.prefix}\n`,
      );
      const signal = await shutdown.requested;
      stderr.write(
        `${signal}: stopping the gateway; calls in flight get up to ` +
          `${formatDuration(checked.shutdownTimeoutMs)}\n`,
      );
      await gateway.stop();
      await conn.close();
      stderr.write("stopped\n");
      return 0;
    } finally {
      shutdown.dispose();
    }
  },
};
