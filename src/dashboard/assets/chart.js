// Small SVG line charts for the queue history.
import { h, svg } from "./dom.js";

const W = 320;
const H = 90;
const PAD = { top: 8, right: 6, bottom: 16, left: 34 };

/**
 * @typedef {{ label: string, className: string, points: { time: number, value: number }[] }}
 *   Series
 */

/**
 * @param {number} v
 */
function short(v) {
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/**
 * A line chart of one or more series over the same time range.
 * @param {string} title
 * @param {Series[]} series
 * @param {(v: number) => string} [format]
 */
export function lineChart(title, series, format = short) {
  const all = series.flatMap((s) => s.points);
  const figure = h("figure", { class: "chart" }, h("figcaption", {}, title));
  if (all.length < 2) {
    figure.append(h("p", { class: "muted" }, "Collecting samples…"));
    return figure;
  }
  const t0 = Math.min(...all.map((p) => p.time));
  const t1 = Math.max(...all.map((p) => p.time));
  const max = Math.max(1, ...all.map((p) => p.value));
  const x = (/** @type {number} */ t) =>
    PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (/** @type {number} */ v) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const minutes = Math.max(1, Math.round((t1 - t0) / 60_000));
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title },
    svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: "axis" }),
    svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(max), y2: y(max), class: "grid" }),
    svg("text", { x: PAD.left - 4, y: y(max) + 4, class: "label end" }, format(max)),
    svg("text", { x: PAD.left - 4, y: y(0) + 4, class: "label end" }, "0"),
    svg("text", { x: PAD.left, y: H - 3, class: "label" }, `${minutes} min ago`),
    svg("text", { x: W - PAD.right, y: H - 3, class: "label end" }, "now"),
    series.map((s) =>
      svg(
        "polyline",
        {
          class: `series ${s.className}`,
          points: s.points.map((p) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(" "),
        },
        svg("title", {}, s.label),
      ),
    ),
  );
  figure.append(
    chart,
    h(
      "p",
      { class: "chart-legend" },
      series.map((s) => h("span", { class: `key ${s.className}` }, s.label)),
    ),
  );
  return figure;
}
