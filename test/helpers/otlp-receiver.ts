/**
 * A small OTLP/HTTP trace receiver for tests: accepts POST /v1/traces with
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/json and keeps every span it was sent, flattened.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpKeyValue[];
  links?: { traceId: string; spanId: string }[];
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  serviceName: string | undefined;
  attributes: Record<string, string | number | boolean>;
  links: { traceId: string; spanId: string }[];
}

/** OTLP/JSON ids are hex; tolerate base64 (protobuf JSON mapping) too. */
function hexId(id: string | undefined): string {
  if (!id) return "";
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, "base64").toString("hex");
}

function value(v: OtlpAnyValue | undefined): string | number | boolean | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.boolValue ?? v.doubleValue;
}

function attributes(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list ?? []) {
    const v = value(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

export class OtlpReceiver implements AsyncDisposable {
  readonly spans: ReceivedSpan[] = [];
  /** Requests that were not OTLP/JSON trace exports. */
  rejected = 0;
  private readonly server: Server;
  endpoint = "";

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const json = (req.headers["content-type"] ?? "").includes("json");
        if (req.method !== "POST" || req.url !== "/v1/traces" || !json) {
          this.rejected++;
          res.writeHead(415).end();
          return;
        }
        this.add(JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpRequest);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.server.address() as AddressInfo;
    receiver.endpoint = `http://127.0.0.1:${port}`;
    return receiver;
  }

  private add(body: OtlpRequest): void {
    for (const rs of body.resourceSpans ?? []) {
      const serviceName = attributes(rs.resource?.attributes)["service.name"];
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: hexId(s.traceId),
            spanId: hexId(s.spanId),
            parentSpanId: s.parentSpanId ? hexId(s.parentSpanId) : undefined,
            name: s.name,
            kind: s.kind ?? 0,
            serviceName: typeof serviceName === "string" ? serviceName : undefined,
            attributes: attributes(s.attributes),
            links: (s.links ?? []).map((l) => ({
              traceId: hexId(l.traceId),
              spanId: hexId(l.spanId),
            })),
          });
        }
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
