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
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET.charAt((pool[poolAt++] ?? 0) % 32);
  return time + rand;
}

// One call into the CSPRNG per 256 ids instead of one per id (it showed in profiles).
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

export function isTaskId(value: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}
