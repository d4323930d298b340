// Small formatting helpers shared by the pages.

/**
 * "850 ms", "12.3 s", "4m 05s", "2h 10m".
 * @param {number | undefined} ms
 */
export function duration(ms) {
  if (ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * "3 s ago", relative to `now` (the server's clock when it is given).
 * @param {number | undefined} time
 * @param {number} [now]
 */
export function ago(time, now = Date.now()) {
  if (time === undefined) return "–";
  return `${duration(Math.max(0, now - time))} ago`;
}

/**
 * Local date and time, to the second.
 * @param {number | undefined} time
 */
export function clock(time) {
  if (time === undefined) return "–";
  const d = new Date(time);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}`;
}

/**
 * A JSON value on one line, cut to `max` characters.
 * @param {unknown} value
 * @param {number} [max]
 */
export function compact(value, max = 80) {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * How long a task ran (or has been running).
 * @param {{ startedAt?: number, finishedAt?: number }} t
 */
export function runTime(t) {
  if (t.startedAt === undefined) return undefined;
  return (t.finishedAt ?? Date.now()) - t.startedAt;
}

/**
 * A rate per second, e.g. "1.25/s".
 * @param {number} n
 */
export function rate(n) {
  return `${n >= 10 ? n.toFixed(0) : n.toFixed(2)}/s`;
}
