/**
 * gRPC client and server spans by grpc-js interceptors (no module patching): the client span
 * writes W3C `traceparent` into the call's metadata, the server span continues from it and is the
 * active context while the handler runs, so spans the handler makes (a submit's producer span, a
 * hand-off's attempt) nest under it.
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import {
  InterceptingCall,
  ServerInterceptingCall,
  status,
  type Interceptor,
  type Metadata,
  type ServerInterceptor,
} from "@grpc/grpc-js";
import { ATTR, rpcAttributes, serverAttributes } from "./attributes.js";
import { extract, inject, type Carrier } from "./propagation.js";
import { batonTracer } from "./tracing.js";

/** gRPC metadata as a propagation carrier (first value of a key). */
export function metadataCarrier(metadata: Metadata): Carrier {
  return {
    get: (key) => {
      const v = metadata.get(key)[0];
      return typeof v === "string" ? v : undefined;
    },
    set: (key, value) => metadata.set(key, value),
  };
}

/** Status codes a server span counts as its own failure (semconv: the rest are the caller's). */
const SERVER_ERRORS: ReadonlySet<status> = new Set([
  status.UNKNOWN,
  status.DEADLINE_EXCEEDED,
  status.UNIMPLEMENTED,
  status.INTERNAL,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

export function statusName(code: status): string {
  return status[code] ?? String(code);
}

/** Sets `rpc.status_code` and the span status, then ends the span. */
export function endRpcSpan(span: Span, kind: SpanKind, code: status, details?: string): void {
  span.setAttribute(ATTR.RPC_STATUS_CODE, statusName(code));
  const failed = kind === SpanKind.SERVER ? SERVER_ERRORS.has(code) : code !== status.OK;
  if (failed) {
    span.setAttribute(ATTR.ERROR_TYPE, statusName(code));
    span.setStatus({ code: SpanStatusCode.ERROR, ...(details ? { message: details } : {}) });
  }
  span.end();
}

/** Health checks and reflection would bury the traces that matter. */
function untraced(path: string): boolean {
  return path.startsWith("/grpc.");
}

/**
 * A client interceptor making a CLIENT span per call, parented on the caller's active context.
 * `target` is the dialled `host:port` (server.address/server.port).
 */
export function clientTracingInterceptor(target: string): Interceptor {
  const peer: Attributes = serverAttributes(target);
  return (options, nextCall) => {
    const tracer = batonTracer();
    const path = options.method_definition.path;
    if (!tracer || untraced(path)) return new InterceptingCall(nextCall(options));
    const { name, attributes } = rpcAttributes(path);
    const parent = context.active();
    const span = tracer.startSpan(
      name,
      { kind: SpanKind.CLIENT, attributes: { ...attributes, ...peer } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    let ended = false;
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        // The caller may reuse its Metadata object: never write into it.
        const md = metadata.clone();
        inject(ctx, metadataCarrier(md));
        next(md, {
          onReceiveStatus(st, nextStatus) {
            if (!ended) {
              ended = true;
              endRpcSpan(span, SpanKind.CLIENT, st.code, st.details);
            }
            nextStatus(st);
          },
        });
      },
    });
  };
}

/**
 * A server interceptor making a SERVER span per call from the caller's `traceparent`. Put it
 * first in the server's list: it then sees the status every later interceptor sends (a denied
 * token included) and wraps the handler's start in the span's context.
 */
export function serverTracingInterceptor(): ServerInterceptor {
  return (method, call) => {
    const tracer = batonTracer();
    if (!tracer || untraced(method.path)) return new ServerInterceptingCall(call);
    let span: Span | undefined;
    let ctx: Context = ROOT_CONTEXT;
    const finish = (code: status, details?: string): void => {
      if (!span) return;
      endRpcSpan(span, SpanKind.SERVER, code, details);
      span = undefined;
    };
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const parent = extract(metadataCarrier(metadata), ROOT_CONTEXT);
            const { name, attributes } = rpcAttributes(method.path);
            span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
            ctx = trace.setSpan(parent, span);
            context.with(ctx, () => mdNext(metadata));
          },
          onReceiveMessage: (message, msgNext) => context.with(ctx, () => msgNext(message)),
          // Unary and server-streaming handlers start here.
          onReceiveHalfClose: (hcNext) => context.with(ctx, () => hcNext()),
          onCancel: () => finish(status.CANCELLED, "cancelled by the client"),
        });
      },
      sendStatus: (st, next) => {
        finish(st.code, st.details);
        next(st);
      },
    });
  };
}
