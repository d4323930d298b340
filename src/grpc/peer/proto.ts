/**
 * The agent-to-agent contract (proto/baton/v1/agent_peer_service.proto), loaded apart from the
 * gateway's files: agents serve it, the gateway does not (so its reflection does not list it).
 */
import {
  loadPackageDefinition,
  type GrpcObject,
  type ServiceClientConstructor,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { PROTO_LOADER_OPTIONS } from "../proto.js";

export const PEER_PROTO_FILE = "baton/v1/agent_peer_service.proto";
export const PEER_SERVICE_NAME = "baton.v1.AgentPeerService";

/** `baton-error-code` trailer of a RESOURCE_EXHAUSTED that means "the agent declined". */
export const PEER_REJECTED = "PEER_REJECTED";

let cached: ServiceClientConstructor | undefined;

/** The AgentPeerService client constructor; `.service` is the definition for a server. */
export function peerServiceConstructor(): ServiceClientConstructor {
  if (cached) return cached;
  const root: GrpcObject = loadPackageDefinition(
    loadSync([PEER_PROTO_FILE], { ...PROTO_LOADER_OPTIONS }),
  );
  let node: unknown = root;
  for (const part of PEER_SERVICE_NAME.split(".")) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  if (typeof node !== "function" || !("service" in node)) {
    throw new Error(`service ${PEER_SERVICE_NAME} is missing from ${PEER_PROTO_FILE}`);
  }
  cached = node as ServiceClientConstructor;
  return cached;
}
