import type { Subscription } from "@nats-io/transport-node";
import { compileConfig, type BatonOptions } from "../config/index.js";
import { connectBaton, type BatonConnection } from "../nats/connection.js";
import type { Logger } from "../telemetry/logger.js";
import type { AgentDefinition } from "../sdk/types.js";
import { AgentRunner } from "./agent-runner.js";
import { RecentCancels } from "./recent-cancels.js";
import { AGENT_STALE_MS, removeAgent, reportAgent } from "../registry/agents.js";
import { advertisedPeerAddress, startPeerServer, type PeerServer } from "../grpc/peer/server.js";
import { startHttpServer, type HttpServer } from "../http/server.js";
import { agentProcessMetrics, metricsRoute } from "../telemetry/metrics.js";

export interface WorkerOptions extends BatonOptions {
  /** Share an open connection (it is not closed by the worker). */
  connection?: BatonConnection;
  logger?: Logger;
}

/** Runs agents in this process: one heartbeat timer and one cancel subscription for all. */
export class Worker implements AsyncDisposable {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private cancelSub: Subscription | undefined;
  private stopStatuses: (() => void) | undefined;
  /** The cancels this process heard lately (lets a fresh task start before its claim is stored). */
  readonly cancels = new RecentCancels();
  private registryTimer: NodeJS.Timeout | undefined;
  private peerServer: PeerServer | undefined;
  private metricsServer: HttpServer | undefined;
  private stopped: Promise<void> | undefined;

  private constructor(
    readonly connection: BatonConnection,
    private readonly ownsConnection: boolean,
    readonly runners: readonly AgentRunner[],
  ) {}

  static async start(
    agents: readonly AgentDefinition<never, unknown>[],
    options: WorkerOptions = {},
  ): Promise<Worker> {
    const { connection, logger, ...rest } = options;
    const conn =
      connection ??
      (await connectBaton(compileConfig(rest), {
        name: "baton-agent",
        ...(logger ? { logger } : {}),
      }));
    const runners = agents.map((a) => new AgentRunner(conn, a));
    const worker = new Worker(conn, !connection, runners);
    try {
      // Listening for cancels before the agents pull: a claim deferred later relies on it.
      const { cancels } = worker;
      worker.cancelSub = conn.nc.subscribe(conn.names.cancelSubject, {
        callback: (_err, msg) => {
          const id = msg.string();
          cancels.add(id, Date.now());
          for (const r of runners) r.cancelLocal(id);
        },
      });
      // Once the server has the subscription, every later cancel reaches this process.
      await conn.nc.flush();
      cancels.listening(Date.now());
      void worker.followConnection(cancels);
      for (const r of runners) r.cancels = cancels;
      for (const r of runners) await r.start();
      // One peer service for the process; advertised before the first registry report.
      const peer = await startPeerServer({
        hosts: runners,
        host: conn.config.peerHost,
        port: conn.config.peerPort,
        logger: conn.logger,
      });
      worker.peerServer = peer;
      const { peerHost, peerAdvertise } = conn.config;
      const peerAddress = advertisedPeerAddress(peerHost, peer.port, peerAdvertise);
      for (const r of runners) r.peerAddress = peerAddress;
      const { metricsHost, metricsPort } = conn.config;
      if (metricsPort !== undefined) {
        // One endpoint for the process: every runner records into the same registry.
        const metrics = await startHttpServer({
          host: metricsHost,
          port: metricsPort,
          routes: [metricsRoute(agentProcessMetrics().registry)],
          logger: conn.logger,
        });
        worker.metricsServer = metrics;
        const metricsAddress = advertisedPeerAddress(metricsHost, metrics.port, undefined);
        for (const r of runners) r.metricsAddress = metricsAddress;
        conn.logger.info({ address: metrics.address }, "serving /metrics");
      }
    } catch (err) {
      await worker.stop(0);
      throw err;
    }
    worker.heartbeatTimer = setInterval(() => {
      for (const r of runners) {
        void r.heartbeat().catch((err: unknown) => conn.logger.warn({ err }, "heartbeat failed"));
      }
    }, conn.config.heartbeatMs);
    await worker.report();
    // Registry entries go stale after AGENT_STALE_MS, so report well inside it.
    worker.registryTimer = setInterval(
      () => void worker.report(),
      Math.min(conn.config.heartbeatMs, AGENT_STALE_MS / 3),
    );
    return worker;
  }

  /** Cancels broadcast while disconnected are lost: the memory starts over on reconnect. */
  private async followConnection(cancels: RecentCancels): Promise<void> {
    const statuses = this.connection.nc.status();
    this.stopStatuses = () => (statuses as { stop?: () => void }).stop?.();
    for await (const status of statuses) {
      if (status.type === "disconnect") cancels.deaf();
      else if (status.type === "reconnect") cancels.listening(Date.now());
    }
  }

  private async report(): Promise<void> {
    await Promise.all(
      this.runners.map((r) =>
        reportAgent(this.connection.agents, r.info()).catch((err: unknown) =>
          this.connection.logger.warn({ err }, "agent registry update failed"),
        ),
      ),
    );
  }

  /** Where Prometheus scrapes this process's /metrics (host:port), when it serves one. */
  get metricsAddress(): string | undefined {
    return this.runners[0]?.metricsAddress;
  }

  /** Where peers reach this process's AgentPeerService (the advertised address). */
  get peerAddress(): string | undefined {
    return this.runners[0]?.peerAddress;
  }

  get agentIds(): string[] {
    return this.runners.map((r) => r.agentId);
  }

  /** Graceful stop: see AgentRunner.stop. Safe to call more than once. */
  stop(graceMs = this.connection.config.shutdownGraceMs): Promise<void> {
    this.stopped ??= (async () => {
      clearInterval(this.registryTimer);
      await Promise.all(this.runners.map((r) => r.stop(graceMs)));
      // After the runners: direct runs have settled and their streams got `finished`.
      await this.peerServer?.close();
      await this.metricsServer?.close();
      await Promise.all(
        this.runners.map((r) =>
          removeAgent(this.connection.agents, r.agentId).catch(() => undefined),
        ),
      );
      clearInterval(this.heartbeatTimer);
      this.cancelSub?.unsubscribe();
      this.stopStatuses?.();
      if (this.ownsConnection) await this.connection.close();
    })();
    return this.stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
