/**
 * Finished spans' JSON grouped by span-store shard into messages: each message is a JSON array
 * in UTF-8, written straight into a buffer outside the JS heap as each span arrives. Keeping
 * the strings until an export, then joining and encoding them, copied every span twice and kept
 * them on the JS heap while they waited.
 */
import { spanShard } from "../nats/subjects.js";

const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

const NONE: readonly SpanMessage[] = [];

/** One shard's message being filled. */
interface Batch {
  buf: Buffer;
  bytes: number;
  spans: number;
}

/** A full message of one shard, ready to send. */
export interface SpanMessage {
  shard: string;
  body: Buffer;
  spans: number;
}

export class SpanBatches {
  private readonly open = new Map<string, Batch>();
  /** Spans added and not yet taken in a message. */
  spans = 0;

  /** `maxBytes`: a message is closed once it holds this many bytes (one span may exceed it). */
  constructor(private readonly maxBytes: number) {}

  /** Adds one span; returns the messages this closed (none, or one, rarely two). */
  add(traceId: string, json: string): readonly SpanMessage[] {
    const shard = spanShard(traceId);
    let out: SpanMessage[] | undefined;
    let batch = this.open.get(shard);
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +2 for the separator and the closing ].
    const most = json.length * 3 + 2;
    if (batch && batch.bytes + json.length >= this.maxBytes) {
      out = [this.close(shard, batch)];
      batch = undefined;
    }
    if (!batch) {
      batch = {
        buf: Buffer.allocUnsafeSlow(Math.max(this.maxBytes, most) + most),
        bytes: 0,
        spans: 0,
      };
      this.open.set(shard, batch);
    } else if (batch.bytes + most > batch.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(batch.bytes + most);
      batch.buf.copy(bigger, 0, 0, batch.bytes);
      batch.buf = bigger;
    }
    batch.buf[batch.bytes++] = batch.spans === 0 ? OPEN : COMMA;
    batch.bytes += batch.buf.write(json, batch.bytes);
    batch.spans++;
    this.spans++;
    if (batch.bytes >= this.maxBytes) (out ??= []).push(this.close(shard, batch));
    return out ?? NONE;
  }

  /** Every open message, closed. */
  drain(): SpanMessage[] {
    return [...this.open].map(([shard, batch]) => this.close(shard, batch));
  }

  private close(shard: string, batch: Batch): SpanMessage {
    this.open.delete(shard);
    this.spans -= batch.spans;
    batch.buf[batch.bytes++] = CLOSE;
    return { shard, body: batch.buf.subarray(0, batch.bytes), spans: batch.spans };
  }
}
