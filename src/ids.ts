import { randomBytes } from "node:crypto";

// Crockford base32: sortable, case-insensitive, no ambiguous letters.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A 26-character id that sorts by creation time (ms), then randomly. */
export function newTaskId(now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const at = takeRandom(16);
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET.charAt((pool[at + i] ?? 0) % 32);
  return time + rand;
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
