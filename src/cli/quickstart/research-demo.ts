import type { BatonClient } from "../../client/client.js";
import { TaskState, type JsonValue, type TaskEvent, type TaskRecord } from "../../types.js";
import { describeProgress, formatSeconds, truncate } from "../format.js";
import { RESEARCH_INPUT } from "./research-input.js";

export const RESEARCH_CAPABILITY = "research";

type Write = (line: string) => void;

/** A field of object progress as text ("?" when absent or not a scalar). */
function field(progress: JsonValue, name: string): string {
  if (typeof progress !== "object" || progress === null || Array.isArray(progress)) return "?";
  const v = progress[name];
  return typeof v === "string" || typeof v === "number" ? String(v) : "?";
}

/** The research agent's `{ stage }` progress, in words. */
function describeStage(progress: JsonValue): string {
  const docs = field(progress, "documents");
  const top = field(progress, "top");
  switch (field(progress, "stage")) {
    case "plan":
      return `plan: ${docs} documents, the answer cites the best ${top}`;
    case "summarize":
      return `summarize: ${docs} summarize sub-tasks, handed to the summarize processes`;
    case "rank":
      return "rank: one embed sub-task for the question and the summaries, then cosine similarity";
    case "synthesise":
      return `synthesise: the answer from the best ${top} summaries`;
    case "done":
      return "done";
    default:
      return describeProgress(progress);
  }
}

function narrate(event: TaskEvent, createdAt: number): string {
  const at = formatSeconds(event.time - createdAt).padStart(6);
  switch (event.type) {
    case "progress":
      return `${at}  ${describeStage(event.progress)}`;
    case "output":
      return `${at}  output: ${truncate(JSON.stringify(event.chunk), 60)}`;
    case "state":
      if (event.state === TaskState.Running) return `${at}  attempt ${event.attempt} RUNNING`;
      if (event.error) return `${at}  ${event.state}: ${truncate(event.error.message, 70)}`;
      return `${at}  ${event.state}`;
  }
}

/** Submits the research task and narrates its stages; resolves with the final record. */
export async function runResearch(client: BatonClient, write: Write): Promise<TaskRecord> {
  const { question, documents } = RESEARCH_INPUT;
  write(`Submitting a research task: "${question}" over ${documents.length} documents.`);
  write("The research agent runs here and hands each sub-task straight to an agent in another");
  write("process over gRPC (the durable queue is the fallback): one summarize per document, then");
  write("one embed. Sub-tasks stay with the summarize process that ran their siblings (affinity)");
  write("until its 4 slots are full, then spill over to the other one.");
  write("");
  const task = await client.submit(RESEARCH_CAPABILITY, RESEARCH_INPUT);
  write(`  task ${task.id}`);
  for await (const event of client.watch(task.id)) write(narrate(event, task.createdAt));
  return client.get(task.id);
}
