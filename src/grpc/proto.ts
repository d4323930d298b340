/**
 * The one place that loads Baton's protobuf contract (`proto/`), shared by the gateway and the
 * TypeScript client so both see the same JavaScript shapes:
 *
 * - field names in lowerCamelCase (`idempotencyKey`), as proto-loader's `keepCase: false` makes;
 * - 64-bit integers (`int64`, `uint64`: sequences, queue counts) as JavaScript numbers
 *   (`longs: Number`; exact up to 2^53, far beyond any stream sequence or count Baton has);
 * - enums as their names (`"TASK_STATE_RUNNING"`); bytes as Buffers;
 * - every field present on decoded messages (`defaults: true`; unset sub-messages are null),
 *   and a `oneof` field naming the member that is set (`event: "stateChange"`).
 */
import { fileURLToPath } from "node:url";
import { loadPackageDefinition as grpcLoadPackageDefinition } from "@grpc/grpc-js";
import type { GrpcObject, ServiceClientConstructor } from "@grpc/grpc-js";
import { existsSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";

/**
 * Absolute path of the `proto/` directory (the include root): the nearest one above this file,
 * which is two levels up from source and three from the build output (dist/src/grpc).
 */
export const PROTO_DIR = findProtoDir(dirname(fileURLToPath(import.meta.url)));

function findProtoDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "proto");
    if (existsSync(join(candidate, "baton", "v1"))) return candidate + sep;
    if (dirname(dir) === dir) throw new Error(`proto/ not found above ${from}`);
  }
}

/** Baton's own proto files, relative to PROTO_DIR. */
export const BATON_PROTO_FILES: readonly string[] = Object.freeze([
  "baton/v1/task.proto",
  "baton/v1/task_service.proto",
  "baton/v1/cluster_service.proto",
]);

/** The standard health-checking protocol served by the gateway, relative to PROTO_DIR. */
export const HEALTH_PROTO_FILE = "grpc/health/v1/health.proto";

/** Every proto file the gateway serves, relative to PROTO_DIR. */
export const PROTO_FILES: readonly string[] = Object.freeze([
  ...BATON_PROTO_FILES,
  HEALTH_PROTO_FILE,
]);

/** proto-loader options used everywhere; see the module comment for what they mean. */
export const PROTO_LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
});

/** Fully qualified service names. */
export const SERVICE_NAMES = Object.freeze({
  task: "baton.v1.TaskService",
  cluster: "baton.v1.ClusterService",
  health: "grpc.health.v1.Health",
} as const);

let cachedDefinition: PackageDefinition | undefined;
let cachedObject: GrpcObject | undefined;

/** The proto-loader package definition of PROTO_FILES (loaded once; server reflection needs it). */
export function loadProtoDefinition(): PackageDefinition {
  cachedDefinition ??= loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS });
  return cachedDefinition;
}

/** The grpc-js package object: `loadPackageDefinition().baton.v1.TaskService` etc. */
export function loadPackageDefinition(): GrpcObject {
  cachedObject ??= grpcLoadPackageDefinition(loadProtoDefinition());
  return cachedObject;
}

/** The loaded contract, with the three services as grpc-js client constructors. */
export interface BatonProto {
  packageDefinition: PackageDefinition;
  grpcObject: GrpcObject;
  /** `new TaskService(address, credentials)`; `TaskService.service` is the definition. */
  TaskService: ServiceClientConstructor;
  ClusterService: ServiceClientConstructor;
  Health: ServiceClientConstructor;
}

function lookup(root: GrpcObject, name: string): ServiceClientConstructor {
  let node: unknown = root;
  for (const part of name.split(".")) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  if (typeof node !== "function" || !("service" in node)) {
    throw new Error(`service ${name} is missing from ${PROTO_DIR}`);
  }
  return node as ServiceClientConstructor;
}

/** Loads (once) and returns Baton's services and the definitions behind them. */
export function loadBatonProto(): BatonProto {
  const grpcObject = loadPackageDefinition();
  return {
    packageDefinition: loadProtoDefinition(),
    grpcObject,
    TaskService: lookup(grpcObject, SERVICE_NAMES.task),
    ClusterService: lookup(grpcObject, SERVICE_NAMES.cluster),
    Health: lookup(grpcObject, SERVICE_NAMES.health),
  };
}
