/**
 * The standard gRPC health service (`grpc.health.v1.Health`, Check and Watch). The gateway
 * reports SERVING for the whole server ("") and each Baton service while its NATS connection
 * is up, and NOT_SERVING while NATS is unreachable or the gateway is stopping.
 */
import {
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";

export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

interface HealthRequest {
  service: string;
}
interface HealthResponse {
  status: ServingStatus;
}

type Listener = (status: ServingStatus) => void;

/** Serving status per service name, with change listeners. */
export class HealthState {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly streams = new Set<ServerWritableStream<HealthRequest, HealthResponse>>();

  /** `services` are fully qualified names; "" (the whole server) is always included. */
  constructor(services: readonly string[], initial: ServingStatus = "NOT_SERVING") {
    for (const s of ["", ...services]) this.statuses.set(s, initial);
  }

  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Sets every known service to `status`. */
  setAll(next: ServingStatus): void {
    for (const service of this.statuses.keys()) this.set(service, next);
  }

  set(service: string, next: ServingStatus): void {
    const before = this.statuses.get(service);
    this.statuses.set(service, next);
    if (before === next) return;
    for (const l of this.listeners.get(service) ?? []) l(next);
  }

  /** Calls `listener` on every change of `service`; returns the unsubscribe function. */
  subscribe(service: string, listener: Listener): () => void {
    let set = this.listeners.get(service);
    if (!set) this.listeners.set(service, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Ends every open Watch stream (at shutdown, after the final status was sent). */
  endWatches(): void {
    for (const call of [...this.streams]) call.end();
    this.streams.clear();
  }

  /** The grpc-js implementation of grpc.health.v1.Health. */
  handlers(): UntypedServiceImplementation {
    return {
      Check: (
        call: ServerUnaryCall<HealthRequest, HealthResponse>,
        callback: sendUnaryData<HealthResponse>,
      ) => {
        const current = this.statuses.get(call.request.service);
        if (current === undefined) {
          callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
          return;
        }
        callback(null, { status: current });
      },
      Watch: (call: ServerWritableStream<HealthRequest, HealthResponse>) => {
        const service = call.request.service;
        const send = (s: ServingStatus): void => {
          if (!call.cancelled) call.write({ status: s });
        };
        send(this.statuses.get(service) ?? "SERVICE_UNKNOWN");
        const unsubscribe = this.subscribe(service, send);
        this.streams.add(call);
        const done = (): void => {
          unsubscribe();
          this.streams.delete(call);
        };
        call.once("cancelled", done);
        call.once("finish", done);
        call.once("error", done);
      },
    };
  }
}
