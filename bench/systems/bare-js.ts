/**
 * Bare nats.js baseline: the minimum durable work per task. The producer publishes the task
 * (with a message id, for deduplication) to a work-queue stream and awaits the PubAck; a worker
 * pulls from a durable consumer (max_ack_pending = worker concurrency), writes one KV entry with
 * the result and acks. The producer sees completion through one KV watch over the result bucket.
 * Producer and worker have their own connections, as Baton's client and worker do.
 */
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from "@nats-io/jetstream";
import type { ConsumerMessages, JetStreamClient } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Countdown, payload } from "../lib/stats.js";
import type { LoopFn } from "./baton.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const RESULT = encoder.encode(JSON.stringify({ ok: true }));

export class BareSystem {
  private roundTag = 0;
  /** Called as the worker starts a task, with its id and input (the latency scenario). */
  onStart: ((id: string, input: unknown) => void) | undefined;
  /** Called on every result the KV watch sees, with the task id (the latency scenario). */
  onDone: ((id: string) => void) | undefined;

  private constructor(
    readonly done: Countdown,
    readonly producerNc: NatsConnection,
    readonly workerNc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly subject: string,
    private readonly messages: ConsumerMessages,
    private readonly watchStop: () => void,
  ) {}

  static async start(o: {
    natsUrl: string;
    name: string;
    workerConcurrency: number;
  }): Promise<BareSystem> {
    const producerNc = await connect({ servers: o.natsUrl, name: "bare-producer" });
    const workerNc = await connect({ servers: o.natsUrl, name: "bare-worker" });
    const jsm = await jetstreamManager(producerNc);
    const stream = `${o.name}_WORK`;
    const subject = `${o.name.toLowerCase()}.work`;
    await jsm.streams.add({
      name: stream,
      subjects: [subject],
      retention: RetentionPolicy.Workqueue,
    });
    await jsm.consumers.add(stream, {
      durable_name: "worker",
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: o.workerConcurrency,
    });
    const bucket = `${o.name}_results`;
    const producerKv = await new Kvm(jetstream(producerNc)).create(bucket);
    const workerJs = jetstream(workerNc);
    const workerKv: KV = await new Kvm(workerJs).open(bucket);

    const done = new Countdown();
    const ref: { system?: BareSystem } = {};
    const watch = await producerKv.watch({ include: "updates" });
    void (async () => {
      for await (const e of watch) {
        done.tick();
        ref.system?.onDone?.(e.key);
      }
    })();

    const consumer = await workerJs.consumers.get(stream, "worker");
    const messages = await consumer.consume({ max_messages: o.workerConcurrency });
    void (async () => {
      for await (const m of messages) {
        // Not awaited: up to max_ack_pending tasks run at once.
        void (async () => {
          const task = JSON.parse(decoder.decode(m.data)) as { id: string; input: unknown };
          ref.system?.onStart?.(task.id, task.input);
          await workerKv.put(task.id, RESULT);
          m.ack();
        })();
      }
    })();
    ref.system = new BareSystem(
      done,
      producerNc,
      workerNc,
      jetstream(producerNc),
      subject,
      messages,
      () => watch.stop(),
    );
    return ref.system;
  }

  /** Publishes one task with id `id` and input payload(i); resolves with the PubAck. */
  publish(id: string, i: number): Promise<unknown> {
    return this.js.publish(
      this.subject,
      encoder.encode(JSON.stringify({ id, input: payload(i) })),
      { msgID: id },
    );
  }

  async runSingle(n: number, producers: number, loop: LoopFn): Promise<void> {
    const tag = `r${++this.roundTag}x${Date.now().toString(36)}`;
    const finished = this.done.arm(n);
    await loop(n, producers, (i) => {
      const id = `${tag}-${i}`;
      return this.js.publish(
        this.subject,
        encoder.encode(JSON.stringify({ id, input: payload(i) })),
        {
          msgID: id,
        },
      );
    });
    await finished;
  }

  get seen(): number {
    return this.done.value;
  }

  async stop(): Promise<void> {
    this.watchStop();
    await this.messages.close();
    await this.workerNc.drain();
    await this.producerNc.drain();
  }
}
