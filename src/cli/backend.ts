import type { BatonConfig } from "../config/index.js";
import { createGrpcClient, type GrpcClientOptions } from "../grpc/client/client.js";
import type { Demand } from "../registry/demand.js";
import type {
  DeadLetter,
  ListOptions,
  SubmitOptions,
  TaskEvent,
  TaskPage,
  TaskRecord,
} from "../types.js";
import { stringFlag, type FlagValues, type OptionSpec } from "./command.js";
import { UsageError } from "./errors.js";
import { withClient } from "./server.js";

/**
 * What the task commands need from Baton. BatonClient (NATS) and GrpcClient (a gateway) both
 * have these methods with these result types, so each command has one code path for both.
 */
export interface TaskApi {
  submit(capability: string, input: unknown, options?: SubmitOptions): Promise<TaskRecord>;
  get(id: string): Promise<TaskRecord>;
  watch(id: string): AsyncIterable<TaskEvent>;
  cancel(id: string, reason?: string): Promise<TaskRecord>;
  list(options?: ListOptions): Promise<TaskPage>;
  deadLetters(options?: { capability?: string; limit?: number }): Promise<DeadLetter[]>;
  replay(id: string): Promise<TaskRecord>;
  demand(options?: { capability?: string }): Promise<Demand[]>;
}

/** Flags of every task command that can talk to a gateway instead of NATS. */
export const SERVER_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.freeze({
  server: {
    type: "string",
    value: "host:port",
    description: "Use a Baton gateway over gRPC instead of NATS (env BATON_SERVER)",
  },
  token: {
    type: "string",
    value: "token",
    description: "Bearer token for --server (env BATON_TOKEN keeps it off the command line)",
  },
  "tls-ca": {
    type: "string",
    value: "file",
    description: "Use TLS for --server, trusting this CA (env BATON_TLS_CA)",
  },
  "tls-cert": {
    type: "string",
    value: "file",
    description: "Client certificate for mutual TLS (env BATON_TLS_CERT)",
  },
  "tls-key": {
    type: "string",
    value: "file",
    description: "Client key for mutual TLS (env BATON_TLS_KEY)",
  },
} satisfies Record<string, OptionSpec>);

function setting(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  flag: string,
  name: string,
): string | undefined {
  const v = stringFlag(values, flag) ?? env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/**
 * Gateway client options from --server/--token/--tls-* (or BATON_SERVER, BATON_TOKEN,
 * BATON_TLS_CA/CERT/KEY); undefined when no server is given, meaning "use NATS".
 */
export function gatewayTarget(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
): GrpcClientOptions | undefined {
  const address = setting(values, env, "server", "BATON_SERVER");
  const token = setting(values, env, "token", "BATON_TOKEN");
  const ca = setting(values, env, "tls-ca", "BATON_TLS_CA");
  const cert = setting(values, env, "tls-cert", "BATON_TLS_CERT");
  const key = setting(values, env, "tls-key", "BATON_TLS_KEY");
  if (address === undefined) {
    // Flags only make sense with a server; variables may be set for other tools, so ignore them.
    for (const flag of ["token", "tls-ca", "tls-cert", "tls-key"]) {
      if (stringFlag(values, flag) !== undefined) throw new UsageError(`--${flag} needs --server`);
    }
    return undefined;
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  const tls = ca !== undefined || cert !== undefined;
  return {
    address,
    ...(token !== undefined ? { token } : {}),
    ...(tls
      ? {
          tls: {
            ...(ca !== undefined ? { ca } : {}),
            ...(cert !== undefined ? { cert } : {}),
            ...(key !== undefined ? { key } : {}),
          },
        }
      : {}),
  };
}

/**
 * Runs `fn` against a gateway when --server (or BATON_SERVER) is given, else against NATS as
 * before; the client is closed afterwards either way.
 */
export async function withTaskApi<T>(
  ctx: { values: FlagValues; config: BatonConfig; env: NodeJS.ProcessEnv },
  fn: (api: TaskApi) => Promise<T>,
): Promise<T> {
  const target = gatewayTarget(ctx.values, ctx.env);
  if (target === undefined) return withClient(ctx.config, fn);
  const client = createGrpcClient(target);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
