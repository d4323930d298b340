import { hostname } from "node:os";
import {
  AttemptTimeoutError,
  BatonError,
  CancelledError,
  DeadlineExceededError,
  ErrorCode,
  FencedError,
  RetryableError,
  TerminalError,
} from "../errors.js";
import { nuid } from "@nats-io/transport-node";
import type { BatonConnection } from "../nats/connection.js";
import { ensureConsumer, consumerSpecs } from "../nats/topology.js";
import { compileRetryPolicy, type RetryPolicy } from "../retry.js";
import { toTaskError } from "../store/attempts.js";
import { publishDeadLetter } from "../store/dead-letters.js";
import { cloneJson } from "../store/clone.js";
import { lastEvent, publishEvent, sendEvent, type StoredEventBody } from "../store/events.js";
import { isTerminal } from "../store/states.js";
import { markWaiting } from "../store/waiting.js";
import { ConflictError } from "../errors.js";
import type { Versioned } from "../store/task-store.js";
import {
  claimRecord,
  decideDelivery,
  endRecord,
  failRecord,
  ownsRecord,
  releaseRecord,
  runnableSince,
  succeedRecord,
  type FailureOutcome,
} from "../store/transitions.js";
import type { Logger } from "../telemetry/logger.js";
import { PRIORITIES, TaskState, type JsonValue, type TaskRecord } from "../types.js";
import type { AgentDefinition } from "../sdk/types.js";
import { DETACHED, type Delivery, type TaskDelivery } from "./delivery.js";
import { HandoffCopies } from "./handoff-copies.js";
import type { Subscription } from "@nats-io/transport-node";
import {
  eligibility,
  isConstrained,
  isEligible,
  rankBids,
  resourceClass,
  scoreBid,
  unmetReason,
} from "../placement/index.js";
import type { AgentSnapshot, Bid } from "../placement/types.js";
import { AgentDirectory, snapshotOf } from "../registry/directory.js";
import { callForBids, sendAward, serveBids, type AwardRequest, type CallForBids } from "./bids.js";
import { parseTaskMessage } from "./task-message.js";
import { HeldDeliveries } from "./held-deliveries.js";
import type { RecentCancels } from "./recent-cancels.js";
import { LimitSlots } from "./limit-slots.js";
import type { DirectRun, PeerHost } from "./peer-host.js";
import { WarmKeys } from "./warm-keys.js";
import { agentTelemetry } from "../telemetry/agent-telemetry.js";
import type { AgentTelemetry, AttemptTelemetry, ClaimVia } from "../telemetry/hooks.js";
import { PeerClients, runOnPeer } from "../grpc/peer/client.js";
import { addPlacement, waitRecord } from "../store/transitions.js";
import type { PlacementRecord, TaskEventBody } from "../types.js";
import { Puller, type Pull, type PullTarget } from "./puller.js";
import { createTaskContext, type AttemptState } from "./task-context.js";
import { withIoRetry } from "./io-retry.js";
import { BatonClient } from "../client/client.js";
import type { AgentInfo } from "../registry/agents.js";
import { compileSchema, declareCapability, validateInput } from "../registry/capabilities.js";
import type { ValidateFunction } from "ajv";
import { AttemptAbort } from "./attempt-abort.js";
import { InFlightTable } from "../in-flight.js";

const LONG_POLL_MS = 5000;
/**
 * An ack waits up to this long for the connection's next write (at low load, the next task's
 * claim). Only a crash inside it costs anything: those tasks come back once and are acked on sight.
 */
const ACK_DELAY_MS = 20;
const NO_SLOTS = { ok: true, keys: [] as string[] } as const;
/** How long a negotiator waits for bids from agents the registry lists but that stay silent. */
const BID_WAIT_MS = 100;
const AWARD_TIMEOUT_MS = 2000;
/** Awards tried per negotiation before the task goes back to the queue. */
const AWARD_TRIES = 3;
/** Bids kept in a task's history per negotiation. */
const BIDS_RECORDED = 8;
/** A waiting task is looked at again within this time, sooner while it is new. */
const WAIT_MIN_MS = 200;
const WAIT_MAX_MS = 5000;
/** Rewrite `waiting` at least this often (in deliveries) so they never count as crashes. */
const WAIT_REBASE_EVERY = 20;
const WARM_KEYS_REPORTED = 20;
/** Longest a parent follows a direct hand-off over gRPC before following the store instead. */
const HANDOFF_CALL_MS = 15 * 60_000;
/** A hand-off defers its claim only with this long to spare before handoffUntil. */
const HANDOFF_CLAIM_MARGIN_MS = 500;

/** Whether the record the attempt settled to is this attempt's own outcome (not a takeover). */
function ownedAttemptSettled(record: TaskRecord, entry: { attempt: number }): boolean {
  const mine = record.attempts.find((a) => a.attempt === entry.attempt);
  return mine?.outcome !== undefined && mine.outcome !== "lost" && record.attempt === entry.attempt;
}

/** Resolves like `p`, or rejects with the signal's reason when it aborts first. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** One registry watch per connection, shared by every runner on it. */
const directories = new WeakMap<BatonConnection, AgentDirectory>();
function directoryFor(conn: BatonConnection): AgentDirectory {
  let d = directories.get(conn);
  if (!d) {
    d = new AgentDirectory(conn.js, conn.names.agentsBucket, conn.agents, conn.logger, () =>
      conn.nc.isClosed(),
    );
    directories.set(conn, d);
  }
  return d;
}

/** Why the runtime aborted a handler; the reason decides how the attempt is settled. */
class ShutdownSignal extends BatonError {
  constructor() {
    super(ErrorCode.Unavailable, "agent is shutting down");
  }
}

/** A claim: the new record and the limit slots it holds; or why not, `full` when out of slots. */
type ClaimOutcome =
  | { ok: true; claimed: Versioned; keys: string[]; readyAt?: number; deferred: boolean }
  | { ok: false; reason: string; full?: boolean };

interface Running extends AttemptState {
  id: string;
  attempt: number;
  /** Its RUNNING event is not stored yet (until the claim's, or a first attempt's deferred one). */
  runningDeferred: boolean;
  /** When this agent claimed it (the RUNNING event's time). */
  claimedAt: number;
  /**
   * Set while the claim is not stored (see deferClaim): the stored revision, which `versioned`
   * keeps until this attempt's first write, so that write stores the claim with it.
   */
  unclaimedRevision?: number;
  /** The deferred claim's write, while it is in flight. */
  claimWrite?: Promise<void>;
  /** Settling: the sweep leaves its deferred writes to settle(). */
  settling: boolean;
  delivery: TaskDelivery;
  /** Concurrency-limit keys this attempt holds a slot of. */
  limitKeys: string[];
  releasing: boolean;
  renewing?: Promise<void>;
  settled: Promise<void>;
}

export function newAgentId(name: string): string {
  return `${name}-${hostname()}-${process.pid}-${nuid.next().slice(-6)}`;
}

/**
 * Runs one agent definition: pulls only as many tasks as it has free slots, claims each by
 * CAS, keeps the lease alive, and settles every attempt by CAS so a fenced owner changes nothing.
 */
export class AgentRunner implements PeerHost {
  readonly agentId: string;
  /** Where peers reach this agent's AgentPeerService; set by the worker. */
  peerAddress?: string;
  /** Where Prometheus scrapes this process's /metrics; set by the worker. */
  metricsAddress?: string;
  /** Cancels heard by this process (set by the worker once it listens); see deferClaim. */
  cancels?: RecentCancels;
  private readonly directory: AgentDirectory;
  private readonly held: HeldDeliveries;
  private readonly handoffCopies = new HandoffCopies();
  /**
   * Stores the RUNNING event of first attempts that have run config.runningEventDelayMs; one that
   * ends sooner stores it inside its end event instead (one JetStream write fewer per short
   * task). Watchers see both events either way. A fresh task's deferred claim is stored by the
   * same sweep (see deferClaim). A sweep over the running attempts rather than a timer or a queue entry per task: those cost
   * more than the write they save (an entry kept 50 ms outlives the young generation).
   */
  private runningSweep: NodeJS.Timeout | undefined;
  private readonly warm = new WarmKeys();
  private readonly limits: LimitSlots;
  private readonly subs: Subscription[] = [];
  private readonly peers: PeerClients;
  private readonly telemetry: AgentTelemetry;
  private readonly running = new InFlightTable<Running>();
  private readonly targets: PullTarget[];
  private readonly puller: Puller;
  private readonly log: Logger;
  private readonly defaultPolicy: RetryPolicy;
  /** Deliveries in hand plus direct runs: sizes pulls so the agent never holds more than it can run. */
  private slotsUsed = 0;
  /** Claims in progress; with `running`, what the concurrency limit counts. */
  private claiming = 0;
  private reserved = 0;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  /** Open long polls by queue tag. */
  private readonly longPolls = new Map<string, Pull>();
  /** The long poll that asks for many messages (see loop), while it is open. */
  private widePoll: Pull | undefined;
  /** The queue that delivered last: its long poll is the wide one. */
  private busyTag: string;
  /** Ends the watch on connection statuses (see endPullsOnReconnect). */
  private stopStatuses: (() => void) | undefined;
  private rotate = 0;
  private readonly startedAt = Date.now();
  private readonly checkOutput: ValidateFunction | undefined;
  /** Submits and watches delegated sub-tasks on the runner's connection. */
  private readonly client: BatonClient;
  /**
   * A delivery younger than this needs no ack-timer reset on claim: the server's ack wait is the
   * lease, and the first heartbeat (at most heartbeatMs after the claim) resets it with half the
   * remaining margin to spare.
   */
  private readonly freshDeliveryMs: number;

  constructor(
    private readonly conn: BatonConnection,
    private readonly agent: AgentDefinition<never, unknown>,
    agentId?: string,
  ) {
    this.agentId = agentId ?? newAgentId(agent.name);
    this.log = conn.logger.child({ agent_id: this.agentId });
    this.defaultPolicy = agent.retry
      ? compileRetryPolicy(agent.retry, conn.config.retry, `agent(${agent.name}).retry`)
      : conn.config.retry;
    this.targets = PRIORITIES.flatMap((priority) =>
      agent.capabilities.map((capability) => ({
        stream: conn.names.tasksStream,
        consumer: conn.names.consumerName(capability, priority),
        tag: `${capability}/${priority}`,
      })),
    );
    this.busyTag = this.targets.find((t) => t.tag.endsWith("/normal"))?.tag ?? "";
    this.client = new BatonClient(conn, false);
    this.freshDeliveryMs = (conn.config.leaseMs - conn.config.heartbeatMs) / 2;
    this.checkOutput = agent.outputSchema ? compileSchema(agent.outputSchema) : undefined;
    this.puller = new Puller(
      conn.nc,
      (d, target) => this.onDelivery(d, target),
      (subject, data, later) =>
        later ? conn.mux.sendLater(subject, data, ACK_DELAY_MS) : conn.mux.send(subject, data),
    );
    this.directory = directoryFor(conn);
    this.held = new HeldDeliveries(conn, this.log, (r) => this.repairTerminalEvent(r));
    this.limits = new LimitSlots(conn.limits, conn.config.limits);
    this.peers = new PeerClients(this.log);
    this.telemetry = agentTelemetry(conn, this.agentId, agent);
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** What the registry shows about this agent. */
  info(): AgentInfo {
    const inFlight = this.active();
    return {
      id: this.agentId,
      name: this.agent.name,
      capabilities: [...this.agent.capabilities],
      concurrency: this.agent.concurrency,
      inFlight,
      freeSlots: Math.max(0, this.agent.concurrency - inFlight),
      hostname: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      lastHeartbeat: Date.now(),
      ...(this.agent.resources ? { resources: this.agent.resources } : {}),
      warmKeys: this.warm.recent(WARM_KEYS_REPORTED),
      ...(this.peerAddress !== undefined ? { peerAddress: this.peerAddress } : {}),
      ...(this.metricsAddress !== undefined ? { metricsAddress: this.metricsAddress } : {}),
    };
  }

  /**
   * Tasks running here or being claimed: what `concurrency` limits. Deliveries still being
   * looked at do not count, so a delivery that turns out to be someone else's (a hand-off
   * window, a held task) never makes the agent refuse an award.
   */
  private active(): number {
    return this.running.size + this.claiming;
  }

  /** This agent as the placer sees it now. */
  snapshot(): AgentSnapshot {
    const used = this.active();
    return {
      id: this.agentId,
      capabilities: [...this.agent.capabilities],
      resources: this.agent.resources ?? {},
      freeSlots: this.stopping ? 0 : Math.max(0, this.agent.concurrency - used),
      concurrency: this.agent.concurrency,
      inFlight: used,
      warmKeys: [],
      ...(this.agent.cost !== undefined ? { costPerTask: this.agent.cost } : {}),
      lastHeartbeat: Date.now(),
    };
  }

  /** This agent's bid, or undefined when it may not run such a task. */
  bidFor(call: CallForBids): Bid | undefined {
    if (!this.agent.capabilities.includes(call.capability)) return undefined;
    const snap = this.snapshot();
    if (call.affinityKey !== undefined && this.warm.has(call.affinityKey))
      snap.warmKeys = [call.affinityKey];
    if (!isEligible(snap, call.capability, call.requirements)) return undefined;
    return scoreBid(snap, {
      id: call.taskId,
      ...(call.requirements ? { requirements: call.requirements } : {}),
      ...(call.affinityKey !== undefined ? { affinityKey: call.affinityKey } : {}),
    });
  }

  async start(): Promise<void> {
    const { conn } = this;
    for (const capability of this.agent.capabilities) {
      for (const spec of consumerSpecs(conn.names, capability, conn.config)) {
        await ensureConsumer(conn.jsm, conn.names.tasksStream, spec);
      }
      await declareCapability(conn.capabilities, capability, {
        declaredAt: Date.now(),
        agent: this.agent.name,
        ...(this.agent.inputSchema ? { inputSchema: this.agent.inputSchema } : {}),
      });
    }
    const { nc, names } = conn;
    for (const capability of this.agent.capabilities) {
      this.subs.push(serveBids(nc, names.bidsSubject(capability), (call) => this.bidFor(call)));
    }
    this.subs.push(
      nc.subscribe(names.awardSubject(this.agentId), {
        callback: (_err, msg) => {
          let award: AwardRequest;
          try {
            award = msg.json<AwardRequest>();
          } catch {
            return;
          }
          void this.runNow(award.taskId, "award", undefined, award.placement).then(
            (run) => {
              msg.respond(
                JSON.stringify(
                  run.accepted
                    ? { accepted: true, attempt: run.attempt }
                    : { accepted: false, reason: run.reason },
                ),
              );
              if (run.accepted) void run.done.catch(() => undefined);
            },
            (err: unknown) => msg.respond(JSON.stringify({ accepted: false, reason: String(err) })),
          );
        },
      }),
    );
    await nc.flush();
    void this.endPullsOnReconnect();
    // Negotiations count on the directory to know how many bids to wait for.
    await this.directory.whenReady();
    this.directory.note(this.info());
    this.loopDone = this.loop();
    this.log.info(
      { capabilities: this.agent.capabilities, concurrency: this.agent.concurrency },
      "agent started",
    );
  }

  /**
   * A server that restarted forgot our pull requests, and the sweep skips a queue whose long
   * poll looks open: end them all at once so the loop asks again, rather than at their expiry.
   */
  private async endPullsOnReconnect(): Promise<void> {
    const statuses = this.conn.nc.status();
    // nats.js's iterator has stop(); without it the loop ends with the connection.
    this.stopStatuses = () => (statuses as { stop?: () => void }).stop?.();
    for await (const status of statuses) {
      if (this.stopping) return;
      if (status.type === "reconnect") this.puller.endAll();
    }
  }

  private free(): number {
    return this.agent.concurrency - this.slotsUsed - this.reserved;
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private waitForWake(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      if (this.conn.nc.isClosed()) {
        this.log.error("NATS connection closed; this agent stops pulling");
        return;
      }
      if (this.free() <= 0) {
        await this.waitForWake();
        continue;
      }
      // Sweep bands high -> low without waiting; restart from the top after any find so a
      // higher band is always drained first. Rotate capabilities within a band for fairness.
      let found = 0;
      const shift = this.rotate++;
      for (const band of PRIORITIES) {
        const inBand = this.targets.filter((t) => t.tag.endsWith(`/${band}`));
        for (let i = 0; i < inBand.length && found === 0; i++) {
          const target = inBand[(i + shift) % inBand.length];
          // A queue with a long poll waiting is empty or about to deliver to it: asking again
          // would cost a request (and a round trip before the next band) per task at low load.
          if (target && this.longPolls.has(target.tag)) continue;
          // Every free slot, though another queue's open poll may still deliver one (handed
          // back then): leaving room for those polls made sweeps under load one message each.
          const n = this.free();
          if (!target || n <= 0) break;
          this.reserved += n;
          this.fitWidePoll();
          try {
            found += await this.puller.pull(target, n, { noWait: true }).done;
          } finally {
            this.reserved -= n;
          }
        }
        if (found > 0 || this.stopping) break;
      }
      if (found > 0 || this.stopping) continue;
      // Nothing queued: long-poll every queue. The one that delivered last asks for every free
      // slot but one per other queue, so a steady stream needs no new request per task; the
      // others ask for one message each (when slots are fewer than queues, deliveries beyond
      // them are handed straight back).
      for (const target of this.targets) {
        if (this.longPolls.has(target.tag)) continue;
        const wide = this.free() - (this.targets.length - 1);
        const isWide = target.tag === this.busyTag && !this.widePoll && wide > 1;
        const poll = this.puller.pull(target, isWide ? wide : 1, { expiresMs: LONG_POLL_MS });
        this.longPolls.set(target.tag, poll);
        if (isWide) this.widePoll = poll;
        void poll.done.then(() => {
          if (this.widePoll === poll) this.widePoll = undefined;
          this.longPolls.delete(target.tag);
          this.wake();
        });
      }
      await this.waitForWake();
    }
  }

  /**
   * Ends the wide long poll once it could deliver more than the free slots hold (another queue
   * delivered, a sweep or a direct run took slots), so no delivery has to be handed back.
   */
  private fitWidePoll(): void {
    const poll = this.widePoll;
    if (!poll) return;
    let promised = 0;
    for (const p of this.longPolls.values()) promised += p.remaining();
    if (promised <= this.free()) return;
    this.widePoll = undefined;
    poll.end();
  }

  private onDelivery(delivery: Delivery, target: PullTarget | undefined): void {
    if (this.stopping || this.slotsUsed >= this.agent.concurrency) {
      delivery.nak();
      return;
    }
    this.slotsUsed++;
    if (target) this.busyTag = target.tag;
    this.fitWidePoll();
    void this.handle(delivery)
      .catch((err: unknown) => {
        this.log.error({ err }, "delivery handling failed; it will be redelivered after the lease");
      })
      .finally(() => {
        this.slotsUsed--;
        this.wake();
      });
  }

  private policyOf(record: TaskRecord): RetryPolicy {
    return record.retry ?? this.defaultPolicy;
  }

  private async handle(delivery: Delivery): Promise<void> {
    const message = parseTaskMessage(delivery.data);
    if (!message) {
      this.log.error("malformed task message dropped");
      delivery.ack();
      return;
    }
    const { id } = message;
    const { conn } = this;
    // A first delivery of a fresh submit carries the record: claim on it without a read. A
    // redelivery has probably moved on, so it reads.
    let inline = delivery.deliveryCount === 1 ? message.inline : undefined;
    for (;;) {
      const fromMessage = inline !== undefined;
      const loaded = inline ?? (await withIoRetry(() => conn.tasks.get(id), this.log));
      inline = undefined;
      if (!loaded) {
        this.log.warn({ task_id: id }, "task message without a record dropped");
        delivery.ack();
        return;
      }
      const record = loaded.record;
      const now = Date.now();
      const decision = decideDelivery(record, {
        now,
        deliveryCount: delivery.deliveryCount,
        maxDeliveries: conn.config.maxDeliveries,
        policy: this.policyOf(record),
      });
      try {
        switch (decision.kind) {
          case "drop":
            await this.repairTerminalEvent(record);
            delivery.ack();
            return;
          case "dead-letter-again":
            await publishDeadLetter(conn, record);
            await this.repairTerminalEvent(record);
            delivery.ack();
            return;
          case "defer":
            if (record.handoffUntil !== undefined && record.handoffUntil > now) {
              // A child being handed off: the message becomes the run's delivery if this agent
              // is (or was just) the one asked to run it.
              const mine = this.running.get(id);
              if (mine?.delivery === DETACHED) mine.delivery = delivery;
              else {
                const fresh = delivery.deliveryCount === 1 ? message.inline : undefined;
                this.handoffCopies.hold(id, delivery, decision.delayMs, fresh);
              }
            } else {
              delivery.nak(decision.delayMs);
            }
            return;
          case "busy": {
            const mine = this.running.get(id);
            if (mine && record.owner?.agentId === this.agentId && mine.delivery !== DETACHED) {
              // Our own task redelivered (a slow heartbeat).
              keepNewest(mine, delivery);
            } else {
              // Running elsewhere (an award, a hand-off): keep the message until it settles.
              this.held.adopt(id, delivery);
            }
            return;
          }
          case "fail-deadline":
          case "dead": {
            const dead = decision.kind === "dead";
            const error = dead
              ? decision.error
              : toTaskError(new DeadlineExceededError(record.deadline ?? now));
            const next = await conn.tasks.replace(
              loaded,
              endRecord(cloneJson(record), dead ? TaskState.Dead : TaskState.Failed, error, now),
            );
            if (dead) {
              await publishDeadLetter(conn, next.record);
              this.telemetry.deadLettered(next.record);
            }
            await this.stateEvent(next.record);
            delivery.ack();
            return;
          }
          case "claim": {
            if (isConstrained(record.requirements) || record.affinityKey !== undefined) {
              await this.negotiate(loaded, delivery);
              return;
            }
            const mine = this.running.get(id);
            if (mine && (mine.delivery !== DETACHED || unclaimed(mine))) {
              // Running here already (its claim not stored yet, or its lease lapsed in an
              // outage): not started twice. A hand-off whose claim is not stored yet when its
              // window ends takes the copy as its own delivery.
              keepNewest(mine, delivery);
              return;
            }
            const claim = await this.claimFor(
              loaded,
              undefined,
              fromMessage && this.deferClaim(record, now),
            );
            if (!claim.ok) {
              // Out of slots (direct runs took them): another agent may take it at once.
              if (claim.full) delivery.nak();
              else await this.waitFor(loaded, delivery, claim.reason);
              return;
            }
            delivery.claimed(this.freshDeliveryMs);
            await this.execute(
              claim.claimed,
              delivery,
              claim.keys,
              "queue",
              claim.readyAt,
              undefined,
              claim.deferred,
            );
            return;
          }
        }
      } catch (err) {
        if (err instanceof ConflictError) continue; // someone else wrote first: decide again
        throw err;
      }
    }
  }

  /** Agents the registry lists (other than this one) that may run the task. */
  private eligibleElsewhere(call: CallForBids): number {
    return this.directory
      .agents(call.capability)
      .filter((a) => a.id !== this.agentId)
      .filter((a) => isEligible(snapshotOf(a), call.capability, call.requirements)).length;
  }

  /** Bids of every eligible agent, best first. */
  private async collectBids(call: CallForBids): Promise<Bid[]> {
    const own = this.bidFor(call);
    const { mux, names } = this.conn;
    const expected = this.eligibleElsewhere(call) + (own ? 1 : 0);
    const replies = await callForBids(
      mux,
      names.bidsSubject(call.capability),
      call,
      expected,
      BID_WAIT_MS,
    );
    const others = replies.filter((b) => b.agentId !== this.agentId);
    return rankBids(own ? [own, ...others] : others);
  }

  /** What the task's history keeps of one negotiation. */
  private placementFor(bids: readonly Bid[], winner: Bid): PlacementRecord {
    return {
      time: Date.now(),
      negotiator: this.agentId,
      bids: bids.slice(0, BIDS_RECORDED),
      winner: winner.agentId,
    };
  }

  private callFor(record: TaskRecord): CallForBids {
    return {
      taskId: record.id,
      capability: record.capability,
      ...(record.requirements ? { requirements: record.requirements } : {}),
      ...(record.affinityKey !== undefined ? { affinityKey: record.affinityKey } : {}),
    };
  }

  /**
   * Places a constrained (or affinity-keyed) task: call for bids, award the best bid with a free
   * slot, and either run it here or keep the message while the winner runs it. With no bid the
   * task waits visibly.
   */
  private async negotiate(loaded: Versioned, delivery: Delivery): Promise<void> {
    const record = loaded.record;
    const startedAt = Date.now();
    const wait = (reason: string): Promise<void> => {
      this.telemetry.negotiated(record, { waiting: reason, startedAt });
      return this.waitFor(loaded, delivery, reason);
    };
    const call = this.callFor(record);
    const bids = await this.collectBids(call);
    if (bids.length === 0) {
      const others = this.directory.agents().filter((a) => a.id !== this.agentId);
      const agents = [...others.map(snapshotOf), this.snapshot()];
      const reason =
        unmetReason(agents, record.capability, record.requirements) ??
        "no eligible agent answered the call for bids";
      await wait(reason);
      return;
    }
    const awardable = bids.filter((b) => b.freeSlots > 0);
    if (awardable.length === 0) {
      await wait(`all ${bids.length} eligible agents are busy`);
      return;
    }
    let refusal = "";
    for (const bid of awardable.slice(0, AWARD_TRIES)) {
      const placement = this.placementFor(bids, bid);
      if (bid.agentId === this.agentId) {
        const claim = await this.claimFor(loaded, placement);
        if (!claim.ok) {
          refusal = claim.reason;
          continue;
        }
        this.telemetry.negotiated(record, { placement, startedAt });
        delivery.working();
        await this.execute(claim.claimed, delivery, claim.keys, "queue", claim.readyAt);
        return;
      }
      const reply = await sendAward(
        this.conn.nc,
        this.conn.names.awardSubject(bid.agentId),
        { taskId: record.id, placement },
        AWARD_TIMEOUT_MS,
      );
      if (reply.accepted) {
        this.telemetry.negotiated(record, { placement, startedAt });
        this.held.adopt(record.id, delivery);
        return;
      }
      refusal = reply.reason;
      this.log.debug(
        { task_id: record.id, winner: bid.agentId, reason: reply.reason },
        "award refused",
      );
    }
    // Every winner refused (filled up meanwhile, or a limit): look again shortly.
    await wait(refusal || "every award was refused");
  }

  /** Leaves the task PENDING with a visible reason and looks at it again later. */
  private async waitFor(loaded: Versioned, delivery: TaskDelivery, reason: string): Promise<void> {
    const r = loaded.record;
    const now = Date.now();
    const since = r.waiting?.reason === reason ? r.waiting.since : now;
    const stale = delivery.deliveryCount - (r.deliveryBase ?? 0) >= WAIT_REBASE_EVERY;
    if (r.waiting?.reason !== reason || stale) {
      if (r.waiting?.reason !== reason) this.log.info({ task_id: r.id, reason }, "task waiting");
      try {
        await this.conn.tasks.replace(
          loaded,
          waitRecord(
            cloneJson(r),
            reason,
            resourceClass(r.requirements),
            now,
            delivery.deliveryCount,
          ),
        );
        // Only demand() reads the index: a failed mark must not hold the task up.
        await markWaiting(this.conn, r.id).catch((err: unknown) =>
          this.log.debug({ err: String(err), task_id: r.id }, "waiting index not updated"),
        );
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    let delay = Math.min(WAIT_MAX_MS, Math.max(WAIT_MIN_MS, (now - since) / 4));
    if (r.deadline !== undefined) delay = Math.min(delay, Math.max(0, r.deadline - now));
    delivery.nak(delay);
  }

  /**
   * A fresh first delivery of a task surely not cancelled (see RecentCancels) may start before its
   * claim is stored: the claim goes out with the attempt's first write (its end, for a short
   * task; else after runningEventDelay, with the RUNNING event), a CAS on the revision the message
   * carried. No other agent can take the task meanwhile (the message is this agent's until the
   * lease), and a cancel stored first fails that CAS and is broadcast to abort the handler.
   */
  private deferClaim(record: TaskRecord, now: number): boolean {
    return (
      record.attempt === 0 &&
      this.defersFirstWrites(record) &&
      this.cancels !== undefined &&
      this.cancels.uncancelled(record.id, record.createdAt, now)
    );
  }

  /**
   * A hand-off defers its claim the same way while the queue leaves the child alone: the sweep
   * stores it after runningEventDelay, well before handoffUntil lets a copy of the message held
   * elsewhere claim the task.
   */
  private deferHandoffClaim(record: TaskRecord, now: number): boolean {
    return (
      record.handoffUntil !== undefined &&
      record.handoffUntil - now >= this.conn.config.runningEventDelayMs + HANDOFF_CLAIM_MARGIN_MS &&
      this.deferClaim(record, now)
    );
  }

  /** A task's first attempt (never replayed) stores its RUNNING event, maybe its claim, late. */
  private defersFirstWrites(record: TaskRecord): boolean {
    return !record.replays && this.conn.config.runningEventDelayMs > 0;
  }

  /** Takes the concurrency-limit slots, then claims by CAS; gives the slots back if that fails. */
  private async claimFor(
    loaded: Versioned,
    placement?: PlacementRecord,
    defer = false,
  ): Promise<ClaimOutcome> {
    if (this.active() >= this.agent.concurrency)
      return { ok: false, reason: `no free slot (${this.agent.concurrency} in use)`, full: true };
    // Counted until execute() lists the task as running, so no await in between can over-admit.
    this.claiming++;
    let claimed = false;
    try {
      return await this.claimCounted(loaded, placement, defer, (ok) => (claimed = ok));
    } finally {
      if (!claimed) this.claiming--;
    }
  }

  private async claimCounted(
    loaded: Versioned,
    placement: PlacementRecord | undefined,
    defer: boolean,
    onClaimed: (ok: boolean) => void,
  ): Promise<ClaimOutcome> {
    const { conn } = this;
    const record = loaded.record;
    const now = Date.now();
    // No limit applies: nothing to take, and no await, so the claim stays in the same turn.
    const slots = !this.limits.applies(record.labels)
      ? NO_SLOTS
      : await this.limits.acquire(
          record.id,
          record.attempt + 1,
          record.labels,
          now + conn.config.leaseMs,
          now,
        );
    if (!slots.ok) return { ok: false, reason: slots.reason };
    try {
      // Started once it holds its slots: taking them may wait on another attempt's release.
      const claimedAt = Date.now();
      const next = claimRecord(cloneJson(record), this.agentId, claimedAt, conn.config.leaseMs);
      if (placement) addPlacement(next, placement);
      // A limit slot's holder is the stored attempt, so a task holding one claims at once.
      const deferred = defer && slots.keys.length === 0;
      if (deferred) next.updatedAt = claimedAt;
      const claimed = deferred
        ? { record: next, revision: loaded.revision }
        : await conn.tasks.replace(loaded, next);
      if (record.affinityKey !== undefined) this.warm.touch(record.affinityKey, now);
      onClaimed(true);
      return { ok: true, claimed, keys: slots.keys, readyAt: runnableSince(record), deferred };
    } catch (err) {
      if (slots.keys.length > 0)
        await this.limits.release(record.id, slots.keys).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Runs a task here now if this agent has a free slot and may run it: an award from a
   * negotiator, or a direct hand-off from a parent agent (the peer service).
   */
  runDirect(
    taskId: string,
    onEvent?: (event: TaskEventBody) => void,
    placement?: PlacementRecord,
  ): Promise<DirectRun> {
    return this.runNow(taskId, "handoff", onEvent, placement);
  }

  private async runNow(
    taskId: string,
    via: ClaimVia,
    onEvent?: (event: TaskEventBody) => void,
    placement?: PlacementRecord,
  ): Promise<DirectRun> {
    if (this.stopping) return { accepted: false, reason: "agent is stopping" };
    if (this.active() >= this.agent.concurrency)
      return { accepted: false, reason: `no free slot (${this.agent.concurrency} in use)` };
    this.slotsUsed++;
    this.fitWidePoll();
    let done: Promise<TaskRecord> | undefined;
    // A held hand-off copy carries the record as submitted: claim on it; if it moved on, the
    // CAS fails and the loop reads it.
    let carried = this.handoffCopies.record(taskId);
    try {
      for (;;) {
        const loaded = carried ?? (await withIoRetry(() => this.conn.tasks.get(taskId), this.log));
        carried = undefined;
        if (!loaded) return { accepted: false, reason: `task ${taskId} not found` };
        const r = loaded.record;
        const fit = eligibility(this.snapshot(), r.capability, r.requirements);
        if (!fit.eligible) return { accepted: false, reason: fit.reason };
        // A hand-off is what handoffUntil waits for, so it does not defer this claim.
        const { handoffUntil: _handoff, ...rest } = r;
        const decision = decideDelivery(rest, {
          now: Date.now(),
          deliveryCount: 1,
          maxDeliveries: this.conn.config.maxDeliveries,
          policy: this.policyOf(r),
        });
        if (decision.kind !== "claim") {
          const why =
            decision.kind === "busy"
              ? `already running on ${r.owner?.agentId ?? "another agent"}`
              : decision.kind === "defer"
                ? "not due yet"
                : `task is ${r.state}`;
          return { accepted: false, reason: why };
        }
        try {
          const defer = via === "handoff" && this.deferHandoffClaim(r, Date.now());
          const claim = await this.claimFor(loaded, placement, defer);
          if (!claim.ok) return { accepted: false, reason: claim.reason };
          done = this.execute(
            claim.claimed,
            this.handoffCopies.take(taskId) ?? DETACHED,
            claim.keys,
            via,
            claim.readyAt,
            onEvent,
            claim.deferred,
          ).then(async (rec) => rec ?? (await this.conn.tasks.require(taskId)).record);
          return { accepted: true, attempt: claim.claimed.record.attempt, done };
        } catch (err) {
          if (err instanceof ConflictError) continue;
          throw err;
        }
      }
    } finally {
      const free = (): void => {
        this.slotsUsed--;
        this.wake();
      };
      if (done) void done.then(free, free);
      else free();
    }
  }

  /**
   * ctx.delegate's direct path: pick a peer by the same call for bids and ask it over gRPC to
   * run the child now (this agent runs it in-process when it wins). Resolves with the child's
   * terminal record, or undefined when the queue path must finish the job (no taker, a failed
   * call, a peer that died, a retry): the child is durable either way and runs once.
   */
  async handOff(
    child: TaskRecord,
    bidding: Promise<Bid[]>,
    signal: AbortSignal,
  ): Promise<TaskRecord | undefined> {
    if (child.state !== TaskState.Pending || child.handoffUntil === undefined) return undefined;
    try {
      const bids = await bidding;
      for (const bid of bids.filter((b) => b.freeSlots > 0).slice(0, AWARD_TRIES)) {
        signal.throwIfAborted();
        const placement = this.placementFor(bids, bid);
        if (bid.agentId === this.agentId) {
          const run = await this.runDirect(child.id, undefined, placement);
          if (!run.accepted) continue;
          const done = await abortable(run.done, signal);
          return isTerminal(done.state) ? done : undefined;
        }
        const address = this.directory.get(bid.agentId)?.peerAddress;
        if (address === undefined) continue;
        const out = await runOnPeer(this.peers, {
          address,
          agentId: bid.agentId,
          taskId: child.id,
          placement,
          deadlineMs:
            child.deadline !== undefined
              ? Math.max(1, child.deadline - Date.now())
              : HANDOFF_CALL_MS,
          signal,
        });
        if (out.kind === "rejected") continue;
        if (!isTerminal(out.state)) return undefined;
        return {
          ...child,
          state: out.state,
          attempt: out.attempt,
          ...(out.result !== undefined ? { result: out.result } : {}),
          ...(out.error ? { error: out.error } : {}),
        };
      }
    } catch (err) {
      if (signal.aborted) throw err;
      this.log.info(
        { err: String(err), task_id: child.id },
        "direct hand-off failed; the queue runs the child",
      );
    }
    return undefined;
  }

  /** While first attempts wait for their RUNNING event: every half delay, store those now due. */
  private sweepRunningEvery(): NodeJS.Timeout {
    const delayMs = this.conn.config.runningEventDelayMs;
    const timer = setInterval(
      () => {
        const due = Date.now() - delayMs;
        let waiting = false;
        for (const entry of this.running.values()) {
          if (!entry.runningDeferred || entry.settling) continue;
          // An aborted attempt (cancelled, fenced, timed out) leaves its event to its settling.
          if (entry.claimedAt <= due && !entry.abort.aborted) void this.flushRunning(entry);
          else waiting = true;
        }
        if (!waiting) {
          clearInterval(timer);
          this.runningSweep = undefined;
        }
      },
      Math.max(1, Math.floor(delayMs / 2)),
    ).unref();
    return timer;
  }

  /**
   * Stores the attempt's RUNNING event unless it is stored already, after its claim if that is
   * not stored either; returns the claim's write while it is in flight. The event goes without
   * waiting for an ack: the task path's publishes leave in order, so it is stored before the
   * attempt's later events. Lost with the connection, as a failed publish was.
   */
  private flushRunning(entry: Running): Promise<void> | undefined {
    if (!entry.runningDeferred) return entry.claimWrite;
    entry.runningDeferred = false;
    if (unclaimed(entry)) {
      entry.claimWrite = this.writeClaim(entry).finally(() => (entry.claimWrite = undefined));
      return entry.claimWrite;
    }
    this.sendRunning(entry);
    return undefined;
  }

  private sendRunning(entry: Running): void {
    const id = eventId(entry.id, TaskState.Running, entry.attempt, entry.record.replays);
    sendEvent(this.conn, runningEventOf(entry), id);
  }

  /**
   * Stores a deferred claim, then the RUNNING event. A cancel stored first fences the attempt
   * (its broadcast may have come before the handler started); a failed write is tried again by
   * the next sweep, or stored with the attempt's end.
   */
  private async writeClaim(entry: Running): Promise<void> {
    const { conn } = this;
    try {
      let stored: Versioned;
      try {
        stored = await conn.tasks.replace(entry.versioned, cloneJson(entry.versioned.record));
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        stored = await conn.tasks.require(entry.id);
        if (!ownsRecord(stored.record, this.agentId, entry.attempt)) {
          entry.abort.abort(
            stored.record.state === TaskState.Cancelled
              ? new CancelledError()
              : new FencedError(entry.id, entry.attempt),
          );
          return;
        }
      }
      // A heartbeat or a sub-task's link may have written a newer revision meanwhile.
      if (stored.revision > entry.versioned.revision) entry.versioned = stored;
      this.sendRunning(entry);
    } catch (err) {
      this.log.warn({ err, task_id: entry.id }, "claim not stored; will retry");
      entry.runningDeferred = true;
      this.runningSweep ??= this.sweepRunningEvery();
    }
  }

  private stateEvent(record: TaskRecord): Promise<number> {
    return publishEvent(this.conn, stateEventOf(record), stateEventId(record));
  }

  /**
   * A finished task's message is delivered again only when its agent did not ack it, e.g. died
   * between writing the terminal state and publishing its event. Publish that event unless it
   * is there (the last event of the task), so watchers and replays see exactly one.
   */
  private async repairTerminalEvent(record: TaskRecord): Promise<void> {
    // CANCELLED is published by the canceller, under another message id.
    if (record.state === TaskState.Cancelled || !isTerminal(record.state)) return;
    const { conn } = this;
    const last = await lastEvent(conn, record.id).catch(() => undefined);
    if (last?.type === "state" && last.state === record.state && last.attempt === record.attempt)
      return;
    // Deduplicated by message id if it was published after all (within the duplicate window).
    await withIoRetry(() => this.stateEvent(record), this.log);
    this.log.warn({ task_id: record.id, state: record.state }, "terminal event republished");
  }

  /** Runs one attempt; resolves with the record it settled to (undefined when fenced). */
  private async execute(
    claimed: Versioned,
    delivery: TaskDelivery,
    limitKeys: string[],
    via: ClaimVia,
    readyAt: number | undefined,
    onEvent?: (event: TaskEventBody) => void,
    claimDeferred = false,
  ): Promise<TaskRecord | undefined> {
    const record = claimed.record;
    const attempt: AttemptTelemetry = this.telemetry.claimed(record, via, readyAt);
    const abort = new AttemptAbort();
    let settle!: () => void;
    const entry: Running = {
      id: record.id,
      attempt: record.attempt,
      delivery,
      limitKeys,
      versioned: claimed,
      record,
      abort,
      telemetry: attempt,
      onEvent,
      pendingEvents: new Set(),
      progressDirty: false,
      releasing: false,
      runningDeferred: true,
      claimedAt: record.attempts[record.attempts.length - 1]?.startedAt ?? Date.now(),
      ...(claimDeferred ? { unclaimedRevision: claimed.revision } : {}),
      settling: false,
      flushRunning: () => this.flushRunning(entry),
      settled: new Promise((resolve) => (settle = resolve)),
    };
    this.running.set(record.id, entry);
    this.claiming--; // claimFor counted it until now
    // A cancel broadcast while the unstored claim was being made found nothing to abort.
    if (claimDeferred && this.cancels?.heard(record.id)) abort.abort(new CancelledError());
    const log = this.log.child({ task_id: record.id, attempt: record.attempt });
    const timer = this.armTimer(record, abort);
    try {
      // A retry or takeover stores RUNNING at once: the task's earlier events are in the stream.
      if (record.attempt === 1 && this.defersFirstWrites(record))
        this.runningSweep ??= this.sweepRunningEvery();
      else void this.flushRunning(entry);
      const ctx = createTaskContext(this.conn, this.client, entry, log, () => this.renew(entry), {
        bid: (call) => this.collectBids(call),
        run: (child, bids, signal) => this.handOff(child, bids, signal),
      });
      const outcome = await outcomeOf(
        () => attempt.run(() => this.agent.handler(ctx as never)),
        abort,
      );
      clearTimeout(timer);
      entry.settling = true;
      if (entry.pendingEvents.size > 0) await Promise.allSettled([...entry.pendingEvents]);
      if (entry.releasing) {
        attempt.end({ state: TaskState.Pending, discarded: "released" });
        return undefined; // stop() gives the task back
      }
      const settled = await this.settle(entry, outcome, log);
      const fenced = !settled || !ownedAttemptSettled(settled, entry);
      attempt.end({
        state: settled?.state ?? TaskState.Running,
        ...(settled?.error && !fenced ? { error: settled.error } : {}),
        ...(fenced ? { discarded: "fenced" as const } : {}),
      });
      return settled;
    } catch (err) {
      attempt.end({ state: TaskState.Running, discarded: "fenced", error: toTaskError(err) });
      throw err;
    } finally {
      clearTimeout(timer);
      this.running.delete(record.id);
      if (limitKeys.length > 0) {
        await this.limits
          .release(record.id, limitKeys, record.attempt)
          .catch((err: unknown) => log.warn({ err }, "limit slots not released; they expire"));
      }
      settle();
    }
  }

  /** One timer per attempt for the earlier of its timeout and the task's deadline. */
  private armTimer(record: TaskRecord, abort: AttemptAbort): NodeJS.Timeout | undefined {
    const timeoutMs = record.timeoutMs ?? this.agent.timeoutMs;
    const now = Date.now();
    const untilDeadline = record.deadline !== undefined ? record.deadline - now : undefined;
    if (timeoutMs === undefined && untilDeadline === undefined) return undefined;
    const deadlineFirst =
      untilDeadline !== undefined && (timeoutMs === undefined || untilDeadline <= timeoutMs);
    // A timer's whole-ms clock can fire up to 1 ms before Date.now() reaches the deadline.
    const ms = Math.max(0, deadlineFirst ? (untilDeadline ?? 0) + 1 : (timeoutMs ?? 0));
    return setTimeout(() => {
      abort.abort(
        deadlineFirst
          ? new DeadlineExceededError(record.deadline ?? now)
          : new AttemptTimeoutError(timeoutMs ?? ms),
      );
    }, ms);
  }

  private async settle(
    entry: Running,
    outcome: Outcome,
    log: Logger,
  ): Promise<TaskRecord | undefined> {
    const { conn } = this;
    if (entry.claimWrite) await entry.claimWrite;
    const reason: unknown = entry.abort.reason;
    if (reason instanceof FencedError) {
      log.warn("lease lost to another agent; this attempt's result is discarded");
      entry.runningDeferred = false; // the new owner's events follow; ours would come after
      entry.delivery.abandon();
      return undefined;
    }
    let value: JsonValue = null;
    let error: unknown = outcome.ok ? undefined : outcome.error;
    if (outcome.ok) {
      try {
        const text = JSON.stringify(outcome.value ?? null);
        if (Buffer.byteLength(text) > conn.config.maxInputBytes) {
          throw new TerminalError(
            `result of ${Buffer.byteLength(text)} bytes exceeds ${conn.config.maxInputBytes}`,
          );
        }
        value = JSON.parse(text) as JsonValue;
        if (this.checkOutput) {
          try {
            validateInput(this.checkOutput, value, "result");
          } catch (invalid) {
            throw new TerminalError(
              `result does not match the output schema: ${(invalid as Error).message}`,
            );
          }
        }
      } catch (err) {
        error =
          err instanceof TerminalError
            ? err
            : new TerminalError(`result is not JSON: ${String(err)}`);
      }
    }
    const now = Date.now();
    let failure: FailureOutcome | undefined;
    let next: Versioned | undefined;
    try {
      next = await withIoRetry(
        () =>
          conn.tasks.mutate(
            entry.id,
            (r) => {
              if (!ownsRecord(r, this.agentId, entry.attempt))
                throw new FencedError(entry.id, entry.attempt);
              if (error === undefined) return succeedRecord(r, value, now);
              failure = failRecord(r, toTaskError(error), {
                now,
                policy: this.policyOf(r),
                timedOut: error instanceof AttemptTimeoutError,
                ...(error instanceof RetryableError && error.retryAfterMs !== undefined
                  ? { retryAfterMs: error.retryAfterMs }
                  : {}),
              });
              return r;
            },
            entry.versioned,
          ),
        log,
      );
    } catch (err) {
      if (!(err instanceof FencedError)) throw err;
      // Cancelled or taken over: the events stored since are someone else's; ours stays out.
      entry.runningDeferred = false;
      const current = await withIoRetry(() => conn.tasks.get(entry.id), log);
      if (current && isTerminal(current.record.state)) {
        if (!(reason instanceof CancelledError)) {
          log.warn({ state: current.record.state }, "late result rejected: task already finished");
        }
        // Our own write may have landed with its reply lost: make sure its event exists.
        await this.repairTerminalEvent(current.record).catch(() => undefined);
        entry.delivery.ack();
      } else {
        log.warn("late result rejected: another agent owns the task now");
        entry.delivery.abandon();
      }
      return current?.record;
    }
    if (!next) return undefined;
    entry.versioned = next;
    if (failure?.action === "dead") {
      await withIoRetry(() => publishDeadLetter(conn, next.record), log);
      entry.telemetry.deadLettered();
    }
    // A short first attempt's RUNNING event travels inside its terminal one.
    const endEvent: StoredEventBody = stateEventOf(next.record);
    if (entry.runningDeferred && isTerminal(next.record.state)) {
      entry.runningDeferred = false;
      endEvent.runningAt = entry.claimedAt;
    }
    void this.flushRunning(entry);
    // Retried through an outage (deduplicated by message id). If it still fails, the message
    // stays unacked: its redelivery finds the task finished and publishes the missing event.
    const published = await withIoRetry(
      () => publishEvent(conn, endEvent, stateEventId(next.record)),
      log,
    ).then(
      () => true,
      (err: unknown) => {
        log.warn({ err }, "state event not published");
        return false;
      },
    );
    if (failure?.action === "retry") {
      log.info(
        { delay_ms: failure.delayMs, err: next.record.error?.message },
        "attempt failed; retrying",
      );
      entry.delivery.nak(failure.delayMs);
    } else {
      if (failure)
        log.warn({ state: next.record.state, err: next.record.error?.message }, "task failed");
      if (published) {
        // A direct run whose hand-off copy has not arrived: acked on sight when it does (marked
        // in the same turn as this ack, so a copy attached meanwhile was acked here instead).
        if (entry.delivery === DETACHED) this.handoffCopies.finished(entry.id);
        entry.delivery.ack();
      } else entry.delivery.abandon();
    }
    return next.record;
  }

  /** Renews the lease by CAS; losing ownership aborts the handler. */
  renew(entry: Running): Promise<void> {
    if (entry.renewing) return entry.renewing;
    const run = async (): Promise<void> => {
      entry.delivery.working();
      const { conn } = this;
      try {
        const next = await conn.tasks.mutate(
          entry.id,
          (r) => {
            if (!ownsRecord(r, this.agentId, entry.attempt))
              throw new FencedError(entry.id, entry.attempt);
            if (!r.owner) return undefined;
            r.owner.leaseUntil = Date.now() + conn.config.leaseMs;
            if (entry.progressDirty && entry.progress !== undefined) r.progress = entry.progress;
            return r;
          },
          entry.versioned,
        );
        this.telemetry.heartbeat(true);
        if (next) {
          entry.versioned = next;
          entry.progressDirty = false;
          if (entry.limitKeys.length > 0 && next.record.owner) {
            await this.limits.renew(entry.id, entry.limitKeys, next.record.owner.leaseUntil);
          }
        }
      } catch (err) {
        if (err instanceof FencedError) {
          const current = await conn.tasks.get(entry.id).catch(() => undefined);
          entry.abort.abort(
            current?.record.state === TaskState.Cancelled ? new CancelledError() : err,
          );
          return;
        }
        this.telemetry.heartbeat(false);
        this.log.warn({ err, task_id: entry.id }, "lease renewal failed; will retry");
      }
    };
    entry.renewing = run().finally(() => {
      entry.renewing = undefined;
    });
    return entry.renewing;
  }

  /** Called by the worker's single heartbeat timer. */
  heartbeat(): Promise<void> {
    this.held.heartbeat();
    return Promise.all([...this.running.values()].map((e) => this.renew(e))).then(() => undefined);
  }

  cancelLocal(taskId: string): void {
    this.running.get(taskId)?.abort.abort(new CancelledError());
  }

  /**
   * Stops pulling, lets running tasks finish for up to `graceMs`, then gives the rest back so
   * another agent gets them at once instead of after the lease.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.stopStatuses?.();
    for (const sub of this.subs.splice(0)) sub.unsubscribe();
    this.wake();
    await this.loopDone;
    const all = (): Promise<void> =>
      Promise.all([...this.running.values()].map((e) => e.settled)).then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    const left = [...this.running.values()];
    if (left.length > 0)
      this.log.warn({ tasks: left.length }, "grace period over; releasing tasks");
    await Promise.all(left.map((e) => this.release(e)));
    this.held.releaseAll();
    this.handoffCopies.releaseAll();
    clearInterval(this.runningSweep);
    this.runningSweep = undefined;
    this.peers.close();
    // The server skips pull requests whose inbox lost interest, so open long polls end here.
    this.puller.endAll();
  }

  private async release(entry: Running): Promise<void> {
    entry.releasing = true;
    entry.abort.abort(new ShutdownSignal());
    if (entry.claimWrite) await entry.claimWrite;
    try {
      const next = await this.conn.tasks.mutate(entry.id, (r) =>
        ownsRecord(r, this.agentId, entry.attempt) ? releaseRecord(r, Date.now()) : undefined,
      );
      if (next) void this.flushRunning(entry);
      entry.runningDeferred = false;
      if (next) await this.stateEvent(next.record).catch(() => undefined);
      entry.delivery.nak();
    } catch (err) {
      this.log.error(
        { err, task_id: entry.id },
        "release failed; the task returns after its lease",
      );
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * What the handler returned or threw, or the signal's reason as soon as it aborts (the handler
 * may still be running then). One promise and one callback, where a race of the handler against
 * an abort promise made several per task, each paying the async context's hook on Node 20.
 */
function outcomeOf(run: () => unknown, abort: AttemptAbort): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    abort.onAbort((error) => resolve({ ok: false, error }));
    if (abort.aborted) return;
    try {
      Promise.resolve(run()).then(
        (value) => resolve({ ok: true, value }),
        (error: unknown) => resolve({ ok: false, error }),
      );
    } catch (error) {
      resolve({ ok: false, error });
    }
  });
}

/** A redelivery of a task running here: keep the newest delivery, let the older one go. */
function keepNewest(entry: Running, delivery: TaskDelivery): void {
  entry.delivery.abandon();
  entry.delivery = delivery;
}

/** Whether the attempt's claim is not stored yet: it has written nothing since delivery. */
function unclaimed(entry: Running): boolean {
  return (
    entry.unclaimedRevision !== undefined && entry.versioned.revision === entry.unclaimedRevision
  );
}

/** An attempt's RUNNING event, timed at its claim. */
function runningEventOf(entry: Running): TaskEventBody {
  return {
    type: "state",
    taskId: entry.id,
    time: entry.claimedAt,
    state: TaskState.Running,
    attempt: entry.attempt,
  };
}

/** The state event of a record as just written. */
function stateEventOf(record: TaskRecord): StoredEventBody {
  return {
    type: "state",
    taskId: record.id,
    time: Date.now(),
    state: record.state,
    attempt: record.attempt,
    ...(record.error && record.state !== TaskState.Succeeded ? { error: record.error } : {}),
    ...(record.result !== undefined && record.state === TaskState.Succeeded
      ? { result: record.result }
      : {}),
    ...(record.runAt !== undefined && record.state === TaskState.Pending
      ? { runAt: record.runAt }
      : {}),
  };
}

/** Deduplicates a state event published twice (a retry through an outage, a repair). */
function eventId(taskId: string, state: TaskState, attempt: number, replays = 0): string {
  return `${taskId}:${state}:${attempt}:${replays}`;
}

function stateEventId(record: TaskRecord): string {
  return eventId(record.id, record.state, record.attempt, record.replays);
}
