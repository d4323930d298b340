import type { JsonValue } from "../types.js";

/** Compact age for tables: "12s", "5m", "3h", "2d". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Seconds with one decimal for human narration: "3.1s". */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

export function truncate(text: string, max: number): string {
  if (max <= 1 || text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Progress as people read it: `{step: 2, of: 3}` becomes "step 2/3", anything else JSON. */
export function describeProgress(progress: JsonValue): string {
  if (typeof progress === "object" && progress !== null && !Array.isArray(progress)) {
    const { step, of } = progress;
    if (typeof step === "number" && typeof of === "number" && Object.keys(progress).length === 2) {
      return `step ${step}/${of}`;
    }
  }
  return typeof progress === "string" ? progress : JSON.stringify(progress);
}
