import { ConfigError } from "../errors.js";

const MS_PER_UNIT = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
} as const;
type DurationUnit = keyof typeof MS_PER_UNIT;

// Longest unit first so "ms" is not read as "m" followed by a stray "s".
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d)/y;
const PLAIN_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The message used whenever a duration cannot be parsed. */
export function invalidDurationMessage(value: unknown): string {
  return `expected a duration like "30s", "500ms" or "5m", got "${String(value)}"`;
}

/** The message used whenever a byte size cannot be parsed. */
export function invalidBytesMessage(value: unknown): string {
  return `expected a size like "256KiB", "1MiB" or "512" (bytes), got "${String(value)}"`;
}

/**
 * Parse a duration to milliseconds. Numbers are milliseconds; strings are
 * "500ms", "30s", "5m", "2h", "7d", compounds like "1m30s", decimals like
 * "1.5s", or a bare number of milliseconds. Units are lowercase only, so
 * "5M" (minutes? months? megabytes?) is rejected rather than guessed.
 */
export function parseDuration(value: number | string, setting: string): number {
  const ms = durationToMs(value);
  if (ms === undefined) throw new ConfigError(setting, invalidDurationMessage(value));
  return ms;
}

function durationToMs(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (PLAIN_NUMBER.test(text)) return Number(text);

  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    DURATION_PART.lastIndex = pos;
    const match = DURATION_PART.exec(text);
    if (match === null) return undefined;
    const [whole, amount = "", unit = "ms"] = match;
    total += Number(amount) * MS_PER_UNIT[unit as DurationUnit];
    pos += whole.length;
  }
  if (!Number.isFinite(total)) return undefined;
  // Drop binary floating-point noise ("1.1s" -> 1100, not 1100.0000000000002).
  return Math.round(total * 1000) / 1000;
}

const BYTES_PER_UNIT: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

const BYTES_PATTERN = /^(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)$/i;

/**
 * Parse a byte size. Numbers are bytes; strings are "512", "512B", "64KB"
 * (decimal, x1000), "256KiB" (binary, x1024), up to TB/TiB, any letter case.
 * Fractions are allowed only with a unit larger than a byte and are rounded.
 */
export function parseBytes(value: number | string, setting: string): number {
  const bytes = bytesToNumber(value);
  if (bytes === undefined) throw new ConfigError(setting, invalidBytesMessage(value));
  return bytes;
}

function bytesToNumber(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== "string") return undefined;
  const match = BYTES_PATTERN.exec(value.trim());
  if (match === null) return undefined;
  const [, amount = "", unit = ""] = match;
  const factor = BYTES_PER_UNIT[unit.toLowerCase()];
  if (factor === undefined) return undefined;
  const isFraction = amount.includes(".");
  if (isFraction && factor === 1) return undefined;
  const bytes = Math.round(Number(amount) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const FORMAT_UNITS: ReadonlyArray<readonly [DurationUnit, number]> = [
  ["d", MS_PER_UNIT.d],
  ["h", MS_PER_UNIT.h],
  ["m", MS_PER_UNIT.m],
  ["s", MS_PER_UNIT.s],
];

/** Render milliseconds for humans, in a form parseDuration accepts: "1m30s", "250ms", "0ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return `${ms}ms`;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.floor(ms);
  // Keep sub-millisecond precision only as far as parseDuration keeps it.
  const fraction = Math.round((ms - rest) * 1000) / 1000;
  let out = "";
  for (const [unit, size] of FORMAT_UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  const millis = rest + fraction;
  if (millis > 0 || out === "") out += `${millis}ms`;
  return out;
}
