import type { ResearchOutput } from "../../../agents/research/input.js";
import type { AgentInfo } from "../../registry/agents.js";
import type { TaskRecord } from "../../types.js";
import { formatSeconds, renderTable } from "../format.js";

const INDENT = "    ";
const WIDTH = 96;
const DIRECT = "direct (gRPC)";

/** The call name research gave the sub-task ("summarize-3"), from its idempotency key. */
function callName(child: TaskRecord): string {
  const key = child.idempotencyKey ?? "";
  return key.startsWith(`child:${child.parentId}:`) ? key.split(":").slice(2).join(":") : child.id;
}

function tookMs(child: TaskRecord): string {
  const a = child.attempts[child.attempts.length - 1];
  return a?.endedAt !== undefined ? `${a.endedAt - a.startedAt}ms` : "?";
}

/** How the sub-task reached its agent: straight from the parent's agent, or from the queue. */
function handOff(child: TaskRecord, parentAgent: string | undefined): string {
  const placement = child.placements?.[0];
  if (placement && placement.negotiator === parentAgent) return DIRECT;
  return placement ? `negotiated by ${placement.negotiator}` : "queue";
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The research task's outcome: a table of its sub-tasks with the agent and process that ran
 * each and how it got there, then the answer and its citations.
 */
export function researchReport(
  record: TaskRecord,
  children: readonly TaskRecord[],
  agents: readonly AgentInfo[],
): string[] {
  const took = formatSeconds((record.finishedAt ?? record.updatedAt) - record.createdAt);
  const pidOf = new Map(agents.map((a) => [a.id, a.pid]));
  const parentAgent = record.attempts[record.attempts.length - 1]?.agentId;
  const rows = children.map((c) => {
    const agentId = c.attempts[c.attempts.length - 1]?.agentId ?? "-";
    return {
      cells: [c.capability, c.state, agentId, pidOf.get(agentId)?.toString() ?? "?", tookMs(c)],
      name: callName(c),
      pid: pidOf.get(agentId),
      handOff: handOff(c, parentAgent),
    };
  });
  const pids = [...new Set(rows.flatMap((r) => (r.pid !== undefined ? [r.pid] : [])))];
  const direct = rows.filter((r) => r.handOff === DIRECT).length;
  const runner = `${parentAgent ?? "?"} (pid ${pidOf.get(parentAgent ?? "") ?? "?"})`;
  const lines = [`Research task ${record.id} ${record.state} in ${took} on ${runner}.`];
  if (rows.length > 0) {
    const header = ["sub-task", "capability", "state", "agent", "pid", "took", "hand-off"];
    const table = renderTable(
      header,
      rows.map((r) => [r.name, ...r.cells, r.handOff]),
    );
    lines.push(
      `Its ${rows.length} sub-tasks ran in ${pids.length} agent processes ` +
        `(pids ${pids.join(", ")}), ${direct} of them handed over directly:`,
      "",
      ...table.split("\n").map((l) => `${INDENT}${l}`),
    );
  }
  lines.push("");
  if (record.error) lines.push(`${INDENT}error: ${record.error.message}`);
  const result = record.result as ResearchOutput | undefined;
  if (result) {
    // One line per cited summary: the answer is "summary [id] summary [id] ...".
    lines.push("Answer:");
    for (const part of result.answer.split(/(?<=\]) /)) {
      lines.push(...wrap(part, WIDTH - INDENT.length).map((l) => INDENT + l));
    }
    const cited = new Set([...result.answer.matchAll(/\[([^\]\s]+)\]/g)].map((m) => m[1]));
    const scores = result.ranked
      .filter((r) => cited.has(r.id))
      .map((r) => `[${r.id}] ${r.score.toFixed(3)}`);
    lines.push(`${INDENT}citations by similarity to the question: ${scores.join(", ")}`);
  }
  lines.push(`${INDENT}full record: npx baton get ${record.id}`);
  return lines;
}
