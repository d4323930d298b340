/** Writes a run's results: JSON (everything), a Markdown table and an SVG bar chart. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ScenarioResult, ThroughputResult } from "./runner.js";
import { fmt } from "./stats.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  natsServer: string;
  redis: string;
  bullmq: string;
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  rounds: number;
  machine: Machine;
  scenarios: ScenarioResult[];
}

export function markdown(r: RunReport): string {
  const m = r.machine;
  const out: string[] = [
    `# Baton benchmark results`,
    "",
    `Run ${r.startedAt}, ${r.rounds} alternating rounds per scenario. Machine: ${m.cpus} x ${m.cpuModel}, ` +
      `${m.memoryGb} GB RAM, ${m.os}; Node ${m.node}; nats-server ${m.natsServer}; Redis ${m.redis}; BullMQ ${m.bullmq}.`,
    "",
  ];
  for (const s of r.scenarios) {
    out.push(`## ${s.title}`, "", `Parameters: ${JSON.stringify(s.params)}`, "");
    if (s.kind === "throughput") {
      out.push(`| variant | median ${s.unit} | min - max | rounds |`, "|---|--:|--:|---|");
      for (const v of s.variants) {
        out.push(
          `| ${v.name} | ${fmt(v.median)} | ${fmt(v.min)} - ${fmt(v.max)} | ${v.samples.map((x) => fmt(x)).join(", ")} |`,
        );
      }
      out.push(
        "",
        "| ratio | median of per-round ratios | per round | goal |",
        "|---|--:|---|---|",
      );
      const batonName = s.variants[0]?.name ?? "baton";
      for (const q of s.ratios) {
        const goal =
          q.goal === undefined ? "" : `>= ${q.goal} (${q.median >= q.goal ? "met" : "not met"})`;
        out.push(
          `| ${batonName} / ${q.baseline} | ${q.median.toFixed(2)}x | ${q.perRound.map((x) => x.toFixed(2)).join(", ")} | ${goal} |`,
        );
      }
    } else {
      out.push(`| ${s.header.join(" | ")} |`, `|${s.header.map(() => "---").join("|")}|`);
      for (const row of s.rows) out.push(`| ${row.join(" | ")} |`);
    }
    out.push("");
    for (const n of s.notes) out.push(`- ${n}`);
    out.push("");
  }
  return out.join("\n");
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Horizontal bars of each throughput scenario's medians, with min-max whiskers. */
export function svg(r: RunReport): string {
  const groups = r.scenarios.filter((s): s is ThroughputResult => s.kind === "throughput");
  const width = 760;
  const labelW = 210;
  const barMax = width - labelW - 110;
  const rowH = 26;
  const colors = ["#2f6fdf", "#d9534f", "#5cb85c", "#f0ad4e"];
  const parts: string[] = [];
  let y = 40;
  for (const g of groups) {
    const top = Math.max(...g.variants.map((v) => v.max), 1);
    parts.push(`<text x="10" y="${y}" font-size="14" font-weight="bold">${esc(g.title)}</text>`);
    y += 12;
    g.variants.forEach((v, i) => {
      const w = (v.median / top) * barMax;
      const x0 = labelW + (v.min / top) * barMax;
      const x1 = labelW + (v.max / top) * barMax;
      const cy = y + rowH / 2;
      parts.push(
        `<text x="${labelW - 8}" y="${cy + 4}" font-size="12" text-anchor="end">${esc(v.name)}</text>`,
        `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${colors[i % colors.length] ?? "#888"}"/>`,
        `<line x1="${x0.toFixed(1)}" y1="${cy}" x2="${x1.toFixed(1)}" y2="${cy}" stroke="#222" stroke-width="1.5"/>`,
        `<line x1="${x0.toFixed(1)}" y1="${cy - 5}" x2="${x0.toFixed(1)}" y2="${cy + 5}" stroke="#222"/>`,
        `<line x1="${x1.toFixed(1)}" y1="${cy - 5}" x2="${x1.toFixed(1)}" y2="${cy + 5}" stroke="#222"/>`,
        `<text x="${(labelW + Math.max(w, x1 - labelW) + 6).toFixed(1)}" y="${cy + 4}" font-size="12">${esc(fmt(v.median))} ${esc(g.unit)}</text>`,
      );
      y += rowH;
    });
    const ratios = g.ratios
      .map(
        (q) =>
          `${q.baseline}: ${q.median.toFixed(2)}x${q.goal === undefined ? "" : ` (goal ${q.goal}x)`}`,
      )
      .join(", ");
    parts.push(
      `<text x="${labelW}" y="${y + 14}" font-size="11" fill="#444">${esc(`${g.variants[0]?.name ?? "baton"} / ${ratios}`)}</text>`,
    );
    y += 40;
  }
  const m = r.machine;
  parts.push(
    `<text x="10" y="${y}" font-size="10" fill="#666">${esc(`median of ${r.rounds} rounds, bars = median, whiskers = min-max; ${m.cpus} x ${m.cpuModel}, Node ${m.node}, nats-server ${m.natsServer}, Redis ${m.redis}; ${r.startedAt}`)}</text>`,
  );
  const height = y + 16;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n<text x="10" y="20" font-size="16" font-weight="bold">Baton vs BullMQ vs bare JetStream</text>\n` +
    parts.join("\n") +
    "\n</svg>\n"
  );
}

export async function writeReport(dir: string, r: RunReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, "-");
  const files = [join(dir, `${stamp}.json`), join(dir, "latest.md"), join(dir, "latest.svg")];
  await writeFile(files[0] as string, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(files[1] as string, markdown(r));
  await writeFile(files[2] as string, svg(r));
  return files;
}
