/**
 * The two JetStream calls the task path makes per step, over the RequestMux: a publish that waits
 * for the stream's PubAck (with a message id or an expected last sequence, i.e. a KV create or
 * compare-and-set) and a direct get of a subject's last message (a KV read).
 */
import { JetStreamApiError, type ApiError, type PubAck } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { Msg } from "@nats-io/transport-node";
import { HeaderBlock } from "./header-block.js";
import type { RequestMux } from "./request-mux.js";
import { isWrongLastSequence } from "./errors.js";
import { utf8 } from "./utf8.js";

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

export interface FastPublishOptions {
  /** Deduplication id (Nats-Msg-Id). */
  msgID?: string;
  /** Stored only if the subject's last sequence is this (0: no message yet). */
  expectedLastSubjectSequence?: number;
  headers?: HeaderBlock;
}

/** A NATS status reply (no responders, a timeout on the server) as an error to retry on. */
class StatusError extends Error {
  constructor(subject: string, code: number, description: string) {
    super(`JetStream did not store ${subject}: ${code} ${description}`.trim());
    this.name = "JetStreamStatusError";
  }
}

/** Publishes to a stream and resolves with its ack; a plain function, as it runs 4 times a task. */
export function jsPublish(
  mux: RequestMux,
  subject: string,
  data: Uint8Array | string,
  opts: FastPublishOptions = {},
): Promise<PubAck> {
  let h = opts.headers;
  if (opts.msgID !== undefined || opts.expectedLastSubjectSequence !== undefined) {
    h ??= new HeaderBlock();
    if (opts.msgID !== undefined) h.add("Nats-Msg-Id", opts.msgID);
    if (opts.expectedLastSubjectSequence !== undefined)
      h.add("Nats-Expected-Last-Subject-Sequence", String(opts.expectedLastSubjectSequence));
  }
  return mux
    .request(subject, typeof data === "string" ? utf8(data) : data, h)
    .then((reply) => pubAck(subject, reply));
}

function pubAck(subject: string, reply: Msg): PubAck {
  if (reply.headers?.hasError || reply.data.length === 0) {
    throw new StatusError(subject, reply.headers?.code ?? 0, reply.headers?.description ?? "");
  }
  const ack = JSON.parse(decoder.decode(reply.data)) as Partial<PubAck> & { error?: ApiError };
  if (ack.error) throw new JetStreamApiError(ack.error);
  if (!ack.stream || typeof ack.seq !== "number") {
    throw new StatusError(subject, 0, "invalid publish acknowledgement");
  }
  return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate ?? false };
}

export interface LastMessage {
  data: Uint8Array;
  seq: number;
  /** KV-Operation header: DEL or PURGE for a deleted key. */
  operation?: string;
}

/** The last message on `subject` in `stream` (which must allow direct gets), or undefined. */
export async function directLast(
  mux: RequestMux,
  stream: string,
  subject: string,
): Promise<LastMessage | undefined> {
  const reply = await mux.request(`$JS.API.DIRECT.GET.${stream}.${subject}`, EMPTY);
  const h = reply.headers;
  if (h?.code === 404) return undefined;
  if (!h || h.hasError) {
    throw new StatusError(subject, h?.code ?? 0, h?.description ?? "no headers on direct get");
  }
  const seq = Number(h.get("Nats-Sequence"));
  if (!Number.isSafeInteger(seq)) throw new StatusError(subject, 0, "direct get without sequence");
  const operation = h.get("KV-Operation");
  return { data: reply.data, seq, ...(operation ? { operation } : {}) };
}

/**
 * Creates `key` in the KV bucket `bucket` (whose handle is `kv`); undefined when it already holds
 * a value. A key whose last entry is a delete or purge marker is written over, as the KV's own
 * create does; usually that costs one publish.
 */
export async function kvCreate(
  mux: RequestMux,
  kv: KV,
  bucket: string,
  key: string,
  data: Uint8Array,
): Promise<number | undefined> {
  const subject = `$KV.${bucket}.${key}`;
  let expected = 0;
  for (;;) {
    try {
      return (await jsPublish(mux, subject, data, { expectedLastSubjectSequence: expected })).seq;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
    }
    // Lost the race or the key has history: only a marker may be written over, and only once.
    if (expected !== 0) return undefined;
    const last = await kv.get(key);
    if (!last || last.operation === "PUT") return undefined;
    expected = last.revision;
  }
}
