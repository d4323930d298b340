/**
 * The dashboard: a JSON API over a BatonClient and the static UI that reads it, as routes for
 * the gateway's HTTP server (src/http/server.ts). In the gateway:
 * `startGateway({ httpAddress, httpRoutes: (ctx) => dashboardRoutes(ctx.client, ctx) })`.
 */
import type { BatonClient } from "../client/client.js";
import { HttpError, readJson, type HttpRoute } from "../http/server.js";
import { validateCapability } from "../nats/subjects.js";
import type { Logger } from "../telemetry/logger.js";
import { route } from "./errors.js";
import { QueueSampler, type QueueSamplerOptions } from "./queue-sampler.js";
import { serveAsset } from "./static-assets.js";
import { resumeFrom, taskEventStream } from "./task-events.js";
import { listTasks, parseTaskQuery } from "./task-query.js";
import { summarize, taskTree } from "./task-view.js";
import { taskTrace } from "./trace.js";

export interface DashboardOptions {
  /** Queue history sampling (interval, samples kept). */
  sampler?: QueueSamplerOptions;
  /** Stops the queue sampler; it also stops when the client's connection closes. */
  signal?: AbortSignal;
  /** Default: the client's connection's logger. */
  logger?: Logger;
}

function positiveInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new HttpError(400, `${name}: must be a positive integer, got "${raw}"`);
  }
  return n;
}

function capabilityParam(query: URLSearchParams): { capability?: string } {
  const raw = query.get("capability");
  return raw ? { capability: validateCapability(raw) } : {};
}

/** The optional `{ "reason": "..." }` body of a cancel. */
function cancelReason(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'request body must be a JSON object like {"reason": "..."}');
  }
  const reason = (body as { reason?: unknown }).reason;
  if (reason === undefined) return undefined;
  if (typeof reason !== "string" || reason.length > 1000) {
    throw new HttpError(400, "reason: must be a string of at most 1000 characters");
  }
  return reason;
}

/** Routes of the dashboard's JSON API (/api/...) and UI (/, /assets/...). */
export function dashboardRoutes(client: BatonClient, options: DashboardOptions = {}): HttpRoute[] {
  const logger = (options.logger ?? client.connection.logger).child({ component: "dashboard" });
  const sampler = new QueueSampler(client, logger, options.sampler);
  void sampler.sample();
  const stop = (): void => sampler.stop();
  options.signal?.addEventListener("abort", stop, { once: true });
  void client.connection.nc.closed().then(stop, stop);

  return [
    route("GET", "/api/tasks", async (req) => ({
      json: await listTasks(client, parseTaskQuery(req.query)),
    })),
    route("GET", "/api/tasks/:id", async (req) => {
      const task = await client.get(req.params.id ?? "");
      return { json: { task, tree: await taskTree(client, task) } };
    }),
    route("GET", "/api/tasks/:id/events", async (req) => {
      const id = req.params.id ?? "";
      const fromSeq = resumeFrom(req.raw, req.query);
      // Checked before the stream opens, so an unknown task is a plain JSON 404.
      await client.get(id);
      return taskEventStream(client, id, fromSeq, logger);
    }),
    route("GET", "/api/tasks/:id/trace", (req) => taskTrace(client, req.params.id ?? "")),
    route("POST", "/api/tasks/:id/cancel", async (req) => {
      const reason = cancelReason(await readJson(req.raw, 16 * 1024));
      const task = await client.cancel(
        req.params.id ?? "",
        reason ?? "cancelled from the dashboard",
      );
      return { json: { task: summarize(task) } };
    }),
    route("GET", "/api/agents", async () => ({
      json: { now: Date.now(), agents: await client.listAgents() },
    })),
    route("GET", "/api/queues", async () => ({
      json: {
        now: Date.now(),
        intervalMs: sampler.intervalMs,
        queues: await client.queueStats(),
        history: sampler.snapshot(),
      },
    })),
    route("GET", "/api/demand", async () => ({
      json: { now: Date.now(), demand: await client.demand() },
    })),
    route("GET", "/api/dlq", async (req) => {
      const limit = positiveInt(req.query, "limit") ?? 100;
      const fromSeq = positiveInt(req.query, "from");
      const letters = await client.deadLetters({
        ...capabilityParam(req.query),
        limit,
        ...(fromSeq !== undefined ? { fromSeq } : {}),
      });
      const last = letters[letters.length - 1];
      return {
        json: {
          deadLetters: letters,
          ...(letters.length === limit && last ? { nextFrom: last.seq + 1 } : {}),
        },
      };
    }),
    route("POST", "/api/dlq/:id/replay", async (req) => ({
      json: { task: summarize(await client.replay(req.params.id ?? "")) },
    })),
    route("GET", "/", () => serveAsset("index.html")),
    route("GET", "/assets/*", (req) => serveAsset(req.params["*"] ?? "")),
  ];
}
