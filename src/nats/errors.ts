import { JetStreamApiError } from "@nats-io/jetstream";

const WRONG_LAST_SEQUENCE = 10071;

/** A compare-and-set lost: the subject's last sequence was not the expected one. */
export function isWrongLastSequence(err: unknown): boolean {
  if (err instanceof JetStreamApiError) return err.code === WRONG_LAST_SEQUENCE;
  return err instanceof Error && /wrong last sequence/i.test(err.message);
}
