/**
 * Helpers for the gateway tests: a generic grpc-js client built from the same proto loader as
 * the gateway (not the typed client in src/grpc/client), and a gateway in a child process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  credentials as grpcCredentials,
  loadPackageDefinition,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ServiceClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { loadBatonProto } from "../../src/grpc/proto.js";

export { status } from "@grpc/grpc-js";

type Unary = (
  req: unknown,
  md: Metadata,
  opts: CallOptions,
  cb: (err: ServiceError | null, res: unknown) => void,
) => void;
type Streaming = (req: unknown, md: Metadata, opts: CallOptions) => ClientReadableStream<unknown>;

export interface GenericClientOptions {
  credentials?: ChannelCredentials;
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** Channel options (e.g. grpc.ssl_target_name_override). */
  channelOptions?: Record<string, string | number>;
}

/** One grpc-js client per service, with promise-returning unary calls. */
export class GenericClient {
  readonly task: Client;
  readonly cluster: Client;
  readonly health: Client;

  constructor(
    readonly address: string,
    private readonly options: GenericClientOptions = {},
  ) {
    const proto = loadBatonProto();
    const creds = options.credentials ?? grpcCredentials.createInsecure();
    const make = (ctor: ServiceClientConstructor): Client =>
      new ctor(address, creds, options.channelOptions ?? {});
    this.task = make(proto.TaskService);
    this.cluster = make(proto.ClusterService);
    this.health = make(proto.Health);
  }

  metadata(token = this.options.token): Metadata {
    const md = new Metadata();
    if (token !== undefined) md.set("authorization", `Bearer ${token}`);
    return md;
  }

  private unary<T>(
    client: Client,
    method: string,
    req: unknown,
    opts: CallOptions = {},
  ): Promise<T> {
    const fn = (client as unknown as Record<string, Unary>)[method];
    if (!fn) throw new Error(`no method ${method}`);
    return new Promise<T>((resolve, reject) => {
      fn.call(
        client,
        req,
        this.metadata(),
        { deadline: Date.now() + 15_000, ...opts },
        (err, res) => (err ? reject(err) : resolve(res as T)),
      );
    });
  }

  /** A TaskService unary call. */
  call<T = Record<string, unknown>>(method: string, req: unknown, opts?: CallOptions): Promise<T> {
    return this.unary<T>(this.task, method, req, opts);
  }

  clusterCall<T = Record<string, unknown>>(method: string, req: unknown): Promise<T> {
    return this.unary<T>(this.cluster, method, req);
  }

  healthCheck(service: string): Promise<{ status: string }> {
    return this.unary(this.health, "Check", { service });
  }

  healthWatch(service: string): ClientReadableStream<{ status: string }> {
    const fn = (this.health as unknown as Record<string, Streaming>).Watch;
    return fn!.call(this.health, { service }, this.metadata(), {}) as ClientReadableStream<{
      status: string;
    }>;
  }

  /** WatchTask as a stream of decoded TaskEvent messages. */
  watch(req: { id: string; fromSequence?: number }): ClientReadableStream<PbEvent> {
    const fn = (this.task as unknown as Record<string, Streaming>).WatchTask;
    return fn!.call(this.task, req, this.metadata(), {}) as ClientReadableStream<PbEvent>;
  }

  close(): void {
    this.task.close();
    this.cluster.close();
    this.health.close();
  }
}

/** A decoded TaskEvent (the fields the tests read). */
export interface PbEvent {
  sequence: number;
  taskId: string;
  event: "stateChange" | "progress" | "output";
  stateChange?: { state: string; attempt: number; result: Buffer };
  progress?: { attempt: number; value: Buffer };
  output?: { attempt: number; chunk: Buffer };
}

/** Every event of a stream until it ends; rejects with the stream's error. */
export async function collect<T>(stream: ClientReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of stream) out.push(e as T);
  return out;
}

/** The error a promise rejects with (a ServiceError for grpc calls). */
export async function grpcError(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** The `baton-field` trailer of a failed call. */
export function fieldOf(err: ServiceError): string | undefined {
  const v = err.metadata?.get("baton-field")[0];
  return typeof v === "string" ? v : undefined;
}

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
export const parse = (bytes: Buffer | undefined): unknown =>
  bytes && bytes.length > 0 ? JSON.parse(bytes.toString("utf8")) : undefined;

/** A reflection client (v1alpha or v1) that lists the services a server exposes. */
export async function reflectionListServices(
  address: string,
  version: "v1" | "v1alpha",
  options: GenericClientOptions = {},
): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const root = join(dirname(require.resolve("@grpc/reflection/package.json")), "build", "proto");
  const def = loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [root],
    keepCase: true,
    defaults: true,
    oneofs: true,
  });
  const pkg = loadPackageDefinition(def) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: ServiceClientConstructor }> };
  };
  const Ctor = pkg.grpc.reflection[version]?.ServerReflection;
  if (!Ctor) throw new Error(`reflection ${version} not loaded`);
  const client = new Ctor(address, options.credentials ?? grpcCredentials.createInsecure());
  const md = new Metadata();
  if (options.token) md.set("authorization", `Bearer ${options.token}`);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const open = (client as unknown as Record<string, (md: Metadata) => unknown>)
        .ServerReflectionInfo;
      const call = open!.call(client, md) as {
        write(message: unknown): void;
        end(): void;
        on(event: string, listener: (arg: unknown) => void): void;
      };
      call.on("data", (res: unknown) => {
        const r = res as {
          list_services_response?: { service: { name: string }[] };
          error_response?: { error_message: string };
        };
        if (r.error_response) reject(new Error(r.error_response.error_message));
        else resolve((r.list_services_response?.service ?? []).map((s) => s.name).sort());
        call.end();
      });
      call.on("error", reject);
      call.write({ list_services: "*" });
    });
  } finally {
    client.close();
  }
}

// ---- a gateway in a child process (`baton gateway`) -------------------------------------------

const BIN = fileURLToPath(new URL("../../bin/baton.mjs", import.meta.url));

// Gateways still running, so the test process never leaves one behind.
const live = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once("close", () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.on("exit", () => {
    for (const c of live) c.kill("SIGKILL");
  });
}

/** `baton gateway` running in its own process; `address` is known once it listens. */
export class GatewayProcess implements AsyncDisposable {
  address = "";
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.setEncoding("utf8").on("data", (c: string) => (this.stdout += c));
    child.stderr?.setEncoding("utf8").on("data", (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) =>
      child.once("close", (code, signal) => resolve({ code, signal })),
    );
  }

  static async start(
    env: Record<string, string>,
    args: string[] = ["--address", "127.0.0.1:0"],
    timeoutMs = 30_000,
  ): Promise<GatewayProcess> {
    const child = spawn(process.execPath, [BIN, "gateway", ...args], {
      // HTTP on a free port: the command's default (8080) would clash between processes.
      env: {
        ...process.env,
        BATON_LOG_FORMAT: "json",
        BATON_LOG_LEVEL: "warn",
        BATON_GATEWAY_HTTP: "127.0.0.1:0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    track(child);
    const proc = new GatewayProcess(child);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = /gateway listening on (\S+)/.exec(proc.stdout);
      if (m?.[1]) {
        proc.address = m[1];
        return proc;
      }
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > until) {
        child.kill("SIGKILL");
        throw new Error(`gateway process did not start:\n${proc.stdout}\n${proc.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.exited;
  }
}
