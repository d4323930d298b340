import { createHash, randomBytes } from "node:crypto";

// Crockford base32: sortable, case-insensitive, no ambiguous letters.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The first 10 characters of an id: the time in ms, so that ids sort by it. */
function timePart(ms: number): string {
  let time = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** 16 characters from `bytes` starting at `at`, 5 bits each. */
function randomPart(bytes: Buffer, at: number): string {
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET.charAt((bytes[at + i] ?? 0) % 32);
  return rand;
}

/** A 26-character id that sorts by creation time (ms), then randomly. */
export function newTaskId(now = Date.now()): string {
  const at = takeRandom(16); // before reading `pool`: it may refill it
  return timePart(now) + randomPart(pool, at);
}

/**
 * A task id made from `name` rather than at random: `timeMs` as newTaskId writes it, then 80 bits
 * of the name's SHA-256. The same name and time always give the same id, so creating the record
 * is the duplicate check (a sub-task's id comes from its parent and call name).
 */
export function derivedTaskId(timeMs: number, name: string): string {
  return timePart(timeMs) + randomPart(createHash("sha256").update(name).digest(), 0);
}

/** `bytes` random bytes as lowercase hex (trace and span ids). */
export function randomHex(bytes: number): string {
  const at = takeRandom(bytes);
  return pool.toString("hex", at, at + bytes);
}

// One call into the CSPRNG per 256 ids instead of one per id (it showed in profiles).
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** Where `n` unused bytes of the pool start. */
function takeRandom(n: number): number {
  if (poolAt + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

export function isTaskId(value: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}

/**
 * The idempotency key that names a task id, `task:<id>`: the submit creates the task under that
 * id, and the tasks bucket's create is the duplicate check (no separate key to store).
 */
export function taskIdKey(id: string): string {
  return `task:${id}`;
}

/** The task id a `task:<id>` idempotency key names, or undefined for any other key. */
export function taskIdOfKey(key: string): string | undefined {
  if (!key.startsWith("task:")) return undefined;
  const id = key.slice(5);
  return isTaskId(id) ? id : undefined;
}
