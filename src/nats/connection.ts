import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { BatonConfig } from "../config/index.js";
import { BatonError, ErrorCode } from "../errors.js";
import { TaskStore } from "../store/task-store.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { ensureEmbeddedServer, type EmbeddedServer } from "./embedded.js";
import { RequestMux } from "./request-mux.js";
import { Names } from "./subjects.js";
import {
  bucketSpecs,
  ensureBucket,
  ensureBucketHistory,
  ensureStream,
  streamSpecs,
  TASKS_HISTORY,
} from "./topology.js";
import { attachTracing, detachTracing } from "../telemetry/tracing.js";

/** Everything a Baton client or agent needs from NATS, opened once and shared. */
export interface BatonConnection {
  readonly config: BatonConfig;
  readonly names: Names;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Publishes and reads of the task path (see RequestMux). */
  readonly mux: RequestMux;
  readonly tasks: TaskStore;
  readonly idempotency: KV;
  readonly steps: KV;
  readonly capabilities: KV;
  readonly agents: KV;
  /** Concurrency-limit slots (see LimitSlots). */
  readonly limits: KV;
  /** Sub-task links past those a parent's record holds (see store/children.ts). */
  readonly links: KV;
  /** Tasks that waited lately (see store/waiting.ts). */
  readonly waiting: KV;
  readonly logger: Logger;
  /** The server URL actually used (the embedded one when none was configured). */
  readonly url: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  logger?: Logger;
  /** Connection name shown in the server's monitoring. */
  name?: string;
}

export async function connectBaton(
  config: BatonConfig,
  options: ConnectOptions = {},
): Promise<BatonConnection> {
  const logger = options.logger ?? createLogger(config.logLevel);
  let embedded: EmbeddedServer | undefined;
  let url = config.natsUrl;
  if (!url) {
    embedded = await ensureEmbeddedServer(config.dataDir, logger);
    url = embedded.url;
  }
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url,
      name: options.name ?? "baton",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Otherwise every request builds two Error objects (stack traces) up front in case it
      // times out: a fifth of the CPU on the task path. Timeouts still name the subject.
      noAsyncTraces: true,
    });
  } catch (err) {
    await embedded?.stop();
    throw new BatonError(ErrorCode.Unavailable, `cannot reach NATS at ${url}: ${String(err)}`, {
      cause: err,
    });
  }
  try {
    const names = new Names(config.prefix);
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    for (const spec of streamSpecs(names, config)) {
      if (spec.name !== names.spansStream) {
        await ensureStream(jsm, spec);
        continue;
      }
      // The span store is optional: a server short of storage still runs tasks.
      await ensureStream(jsm, spec).catch((err: unknown) =>
        logger.warn({ err: String(err) }, "span store stream unavailable; traces are not stored"),
      );
    }
    const kvm = new Kvm(js);
    const buckets = new Map<string, KV>();
    for (const b of bucketSpecs(names)) {
      buckets.set(b.name, await ensureBucket(kvm, jsm, b.name, b.options));
    }
    const bucket = (name: string): KV => {
      const kv = buckets.get(name);
      if (!kv) throw new Error(`bucket ${name} missing from topology`);
      return kv;
    };
    const resolvedUrl = url;
    const mux = new RequestMux(nc);
    const tasksKv = bucket(names.tasksBucket);
    const tasksInfo = (await tasksKv.status()).streamInfo;
    await ensureBucketHistory(jsm, tasksInfo, TASKS_HISTORY);
    const direct = tasksInfo.config.allow_direct;
    const conn: BatonConnection = {
      config,
      names,
      nc,
      js,
      jsm,
      mux,
      tasks: new TaskStore(tasksKv, js, names.tasksBucket, mux, direct),
      idempotency: bucket(names.idempotencyBucket),
      steps: bucket(names.stepsBucket),
      capabilities: bucket(names.capabilitiesBucket),
      agents: bucket(names.agentsBucket),
      limits: bucket(names.limitsBucket),
      links: bucket(names.linksBucket),
      waiting: bucket(names.waitingBucket),
      logger,
      url: resolvedUrl,
      close: async () => {
        await detachTracing(conn);
        mux.close();
        await nc.drain().catch(() => nc.close());
        await embedded?.stop();
      },
    };
    await attachTracing(conn, options.name ?? "baton");
    return conn;
  } catch (err) {
    await nc.close();
    await embedded?.stop();
    throw err;
  }
}
