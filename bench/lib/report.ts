/** Writes a run's results: JSON (everything), a Markdown table and an SVG bar chart. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  meets,
  type ChartBar,
  type ChartGroup,
  type Goal,
  type Ratio,
  type ScenarioResult,
} from "./runner.js";
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
    } else {
      if (s.header.length > 0) table(out, s.header, s.rows);
      for (const t of s.more ?? []) {
        out.push("", t.caption);
        if (t.header.length > 0) {
          out.push("");
          table(out, t.header, t.rows);
        }
      }
    }
    const ratios = s.ratios ?? [];
    if (ratios.length > 0) {
      out.push(
        "",
        "| ratio | median of per-round ratios | per round | goal |",
        "|---|--:|---|---|",
      );
      const first = s.kind === "throughput" ? (s.variants[0]?.name ?? "baton") : "baton";
      for (const q of ratios) {
        out.push(
          `| ${ratioLabel(q, first)} | ${q.median.toFixed(2)}x | ${q.perRound.map((x) => x.toFixed(2)).join(", ")} | ${ratioGoal(q)} |`,
        );
      }
    }
    const goals = s.kind === "table" ? (s.goals ?? []) : [];
    if (goals.length > 0) {
      const rounds = goals.some((g) => g.perRound !== undefined);
      out.push(
        "",
        rounds ? "| goal | value | per round | target |" : "| goal | value | target |",
        rounds ? "|---|--:|---|---|" : "|---|--:|---|",
      );
      for (const g of goals) {
        const perRound = (g.perRound ?? []).map((x) => goalValue(x, g.unit)).join(", ");
        out.push(
          `| ${g.what} | ${goalValue(g.value, g.unit)} |${rounds ? ` ${perRound} |` : ""} ${goalTarget(g)} |`,
        );
      }
    }
    out.push("");
    for (const n of s.notes) out.push(`- ${n}`);
    out.push("");
  }
  return out.join("\n");
}

function table(out: string[], header: string[], rows: string[][]): void {
  out.push(`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`);
  for (const row of rows) out.push(`| ${row.join(" | ")} |`);
}

/** "met" / "not met" of a value against a goal. */
const verdict = (met: boolean): string => (met ? "met" : "not met");

function ratioLabel(q: Ratio, first: string): string {
  return q.label ?? `${first} / ${q.baseline}`;
}

/** The goal cell of a ratio: ">= 1.25 (met)", or "" without a goal. */
export function ratioGoal(q: Ratio): string {
  if (q.goal === undefined) return "";
  const op = q.goalOp ?? ">=";
  const target = op === "within" ? `1 +/- ${q.goal}` : `${q.goal}`;
  return `${op} ${target} (${verdict(meets(q.median, op, q.goal))})`;
}

function goalValue(value: number, unit: string): string {
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return unit === "x" ? `${value.toFixed(2)}x` : `${fmt(value, digits)} ${unit}`.trim();
}

/** The target cell of a goal: "<= 10 ms (met)". */
export function goalTarget(g: Goal): string {
  const target = g.op === "within" ? `1 +/- ${g.target}` : `${g.target} ${g.unit}`.trim();
  return `${g.op} ${target} (${verdict(g.met)})`;
}

/** One line per ratio and goal of every scenario, for the terminal. */
export function summaryLines(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const s of results) {
    const first = s.kind === "throughput" ? (s.variants[0]?.name ?? "baton") : "baton";
    for (const q of s.ratios ?? []) {
      const g = ratioGoal(q);
      lines.push(
        `${s.name}: ${ratioLabel(q, first)} = ${q.median.toFixed(2)}x${g ? ` (goal ${g})` : ""}`,
      );
    }
    if (s.kind === "table") {
      for (const g of s.goals ?? []) {
        lines.push(`${s.name}: ${g.what} = ${goalValue(g.value, g.unit)} (goal ${goalTarget(g)})`);
      }
    }
  }
  return lines;
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The chart groups of a scenario: a throughput scenario's variants, or a table's own chart. */
function chartGroups(s: ScenarioResult): ChartGroup[] {
  if (s.kind === "table") return s.chart ?? [];
  return [
    {
      title: s.title,
      unit: s.unit,
      bars: s.variants.map((v) => ({ name: v.name, value: v.median, lo: v.min, hi: v.max })),
    },
  ];
}

/** Horizontal bars per chart group (with whiskers where given), then the ratios and goals. */
export function svg(r: RunReport): string {
  const width = 860;
  const labelW = 250;
  const barMax = width - labelW - 190;
  const rowH = 26;
  const colors = ["#2f6fdf", "#d9534f", "#5cb85c", "#f0ad4e", "#8e6bbf", "#46b8da"];
  const parts: string[] = [];
  let y = 20;
  const note = (text: string): void => {
    parts.push(`<text x="${labelW}" y="${y + 14}" font-size="11" fill="#444">${esc(text)}</text>`);
    y += 16;
  };
  for (const s of r.scenarios) {
    const groups = chartGroups(s);
    if (groups.length === 0) continue;
    for (const g of groups) {
      const finite = (x: number | undefined): number =>
        x !== undefined && Number.isFinite(x) ? x : 0;
      const top = Math.max(...g.bars.map((b) => Math.max(finite(b.value), finite(b.hi))), 1e-9);
      const scale = (x: number): number => (Math.max(0, finite(x)) / top) * barMax;
      y += 26;
      parts.push(`<text x="10" y="${y}" font-size="14" font-weight="bold">${esc(g.title)}</text>`);
      y += 12;
      g.bars.forEach((b: ChartBar, i) => {
        const w = scale(b.value);
        const cy = y + rowH / 2;
        parts.push(
          `<text x="${labelW - 8}" y="${cy + 4}" font-size="12" text-anchor="end">${esc(b.name)}</text>`,
          `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${(g.singleColor ? colors[0] : colors[i % colors.length]) ?? "#888"}"/>`,
        );
        let end = w;
        if (b.lo !== undefined && b.hi !== undefined) {
          const x0 = labelW + scale(b.lo);
          const x1 = labelW + scale(b.hi);
          end = Math.max(end, x1 - labelW);
          parts.push(
            `<line x1="${x0.toFixed(1)}" y1="${cy}" x2="${x1.toFixed(1)}" y2="${cy}" stroke="#222" stroke-width="1.5"/>`,
            `<line x1="${x0.toFixed(1)}" y1="${cy - 5}" x2="${x0.toFixed(1)}" y2="${cy + 5}" stroke="#222"/>`,
            `<line x1="${x1.toFixed(1)}" y1="${cy - 5}" x2="${x1.toFixed(1)}" y2="${cy + 5}" stroke="#222"/>`,
          );
        }
        const text = b.text ?? `${fmt(b.value, Math.abs(b.value) < 10 ? 2 : 0)} ${g.unit}`;
        parts.push(
          `<text x="${(labelW + end + 6).toFixed(1)}" y="${cy + 4}" font-size="12">${esc(text)}</text>`,
        );
        y += rowH;
      });
      if (g.caption) note(g.caption);
      y += 6;
    }
    const first = s.kind === "throughput" ? (s.variants[0]?.name ?? "baton") : "baton";
    for (const q of s.ratios ?? []) {
      const goalText = ratioGoal(q);
      note(
        `${ratioLabel(q, first)}: ${q.median.toFixed(2)}x${goalText ? ` (goal ${goalText})` : ""}`,
      );
    }
    if (s.kind === "table") {
      for (const g of s.goals ?? []) {
        note(`${g.what}: ${goalValue(g.value, g.unit)} (goal ${goalTarget(g)})`);
      }
    }
    y += 14;
  }
  y += 16;
  const m = r.machine;
  parts.push(
    `<text x="10" y="${y}" font-size="10" fill="#666">${esc(`median of ${r.rounds} rounds unless a caption says otherwise; bars = median, whiskers = min-max; ${m.cpus} x ${m.cpuModel}, Node ${m.node}, nats-server ${m.natsServer}, Redis ${m.redis}; ${r.startedAt}`)}</text>`,
  );
  const height = y + 16;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n<text x="10" y="20" font-size="16" font-weight="bold">Baton vs BullMQ, bare JetStream, NATS request-reply and grpc-js</text>\n` +
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
