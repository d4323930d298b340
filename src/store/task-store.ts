import type { KV } from "@nats-io/kv";
import type { JetStreamClient } from "@nats-io/jetstream";
import { isWrongLastSequence } from "../nats/errors.js";
import { directLast, jsPublish, kvCreate } from "../nats/js-fast.js";
import type { RequestMux } from "../nats/request-mux.js";
import { kvSnapshot } from "../nats/snapshot.js";
import { utf8 } from "../nats/utf8.js";
import { ConflictError, TaskNotFoundError } from "../errors.js";
import type { TaskRecord } from "../types.js";
import { cloneJson } from "./clone.js";
import { assertTransition } from "./states.js";

export interface Versioned {
  record: TaskRecord;
  revision: number;
}

const decoder = new TextDecoder();

export function encodeRecord(record: TaskRecord): Uint8Array {
  return utf8(JSON.stringify(record));
}

/**
 * Task records in a KV bucket. Every write after create is a compare-and-set on the
 * revision the writer read, so concurrent writers cannot overwrite each other.
 */
export class TaskStore {
  private readonly stream: string;

  constructor(
    private readonly kv: KV,
    private readonly js: JetStreamClient,
    private readonly bucket: string,
    private readonly mux: RequestMux,
    /** The bucket's stream allows direct gets (every server since 2.9 creates it so). */
    private readonly direct: boolean,
  ) {
    this.stream = `KV_${bucket}`;
  }

  private subject(id: string): string {
    return `$KV.${this.bucket}.${id}`;
  }

  /**
   * Creates the record; returns undefined when a record with this id already exists. `json` is
   * the record already encoded, when the caller has it.
   */
  create(record: TaskRecord, json?: string): Promise<number | undefined> {
    const data = json !== undefined ? utf8(json) : encodeRecord(record);
    return kvCreate(this.mux, this.kv, this.bucket, record.id, data);
  }

  async get(id: string): Promise<Versioned | undefined> {
    if (!this.direct) return this.getByApi(id);
    const last = await directLast(this.mux, this.stream, this.subject(id));
    if (!last || last.operation !== undefined || last.data.length === 0) return undefined;
    return {
      record: JSON.parse(decoder.decode(last.data)) as TaskRecord,
      revision: last.seq,
    };
  }

  private async getByApi(id: string): Promise<Versioned | undefined> {
    const entry = await this.kv.get(id);
    if (!entry || entry.operation !== "PUT" || entry.length === 0) return undefined;
    return {
      record: JSON.parse(decoder.decode(entry.value)) as TaskRecord,
      revision: entry.revision,
    };
  }

  async require(id: string): Promise<Versioned> {
    const found = await this.get(id);
    if (!found) throw new TaskNotFoundError(id);
    return found;
  }

  /** Writes `next` only if the stored revision is still `revision`; checks the state change. */
  replace(current: Versioned, next: TaskRecord): Promise<Versioned> {
    try {
      if (next.state !== current.record.state) {
        assertTransition(current.record.id, current.record.state, next.state);
      }
      next.updatedAt = Date.now();
      return jsPublish(this.mux, this.subject(next.id), encodeRecord(next), {
        expectedLastSubjectSequence: current.revision,
      }).then(
        (ack) => ({ record: next, revision: ack.seq }),
        (err: unknown) => {
          throw isWrongLastSequence(err) ? new ConflictError(next.id) : err;
        },
      );
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Read-modify-CAS loop. `change` sees the latest record and returns the next one, or
   * undefined to leave it unchanged (the loop then returns undefined). It may throw to abort.
   */
  async mutate(
    id: string,
    change: (record: TaskRecord) => TaskRecord | undefined,
    start?: Versioned,
  ): Promise<Versioned | undefined> {
    let current = start ?? (await this.require(id));
    for (;;) {
      const next = change(cloneJson(current.record));
      if (!next) return undefined;
      try {
        return await this.replace(current, next);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        current = await this.require(id);
      }
    }
  }

  /** Deletes a record that was never queued (a failed submit). */
  async remove(id: string): Promise<void> {
    await this.kv.purge(id);
  }

  /** Every current record, newest id first (see newest). */
  async scan(): Promise<TaskRecord[]> {
    return [...(await this.newest())];
  }

  /**
   * The current records with ids below `before` (all, without it), newest id first, from one
   * streaming pass over the bucket (last value per key). The pass stops after the values present
   * when it began, so writes during it cannot stall it; a key written meanwhile appears once,
   * with whichever value came last. Each record is parsed only when the caller gets to it, so a
   * page of a large bucket parses about as many records as it returns.
   */
  async newest(before?: string): Promise<Iterable<TaskRecord>> {
    const values = await kvSnapshot(this.js, this.bucket);
    const ids = [...values.keys()].filter((id) => before === undefined || id < before);
    ids.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    return (function* () {
      for (const id of ids) {
        const value = values.get(id);
        if (value) yield JSON.parse(decoder.decode(value)) as TaskRecord;
      }
    })();
  }
}
