const encoder = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes: tiny, stable across platforms and versions. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(text)) h = Math.imul(h ^ byte, 0x01000193);
  return h >>> 0;
}

/**
 * The murmur3 finaliser: spreads every bit of `h` over the others. The sign comes from a mixed
 * bit so it does not correlate with the bucket (`h % dims` reuses the low bits).
 */
export function mix32(h: number): number {
  let x = h;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
