import { RetryableError } from "../../src/errors.js";
import type { LlmConfig } from "./config.js";
import { responseError } from "./http-errors.js";
import type { ChatInput } from "./input.js";
import { SseParser } from "./sse.js";

export type Usage = { promptTokens: number; completionTokens: number; totalTokens: number };

export type ChatResult = {
  content: string;
  model: string;
  /** "stop", "length", ... as the server reports it; null if it never said. */
  finishReason: string | null;
  usage?: Usage;
};

export interface ChatOptions {
  /** Aborts the HTTP request, including a stream in progress. */
  signal: AbortSignal;
  /** Called with each piece of generated text, in order; awaited before reading on. */
  onDelta: (text: string) => Promise<void>;
}

/** The fields this agent reads from a chunk (streaming) or a completion (non-streaming). */
interface Completion {
  model?: unknown;
  error?: unknown;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown } | null;
  choices?: {
    delta?: { content?: unknown };
    message?: { content?: unknown };
    finish_reason?: unknown;
  }[];
}

/** POSTs a streaming chat completion and relays its text as it arrives. */
export async function streamChat(
  config: LlmConfig,
  input: ChatInput,
  options: ChatOptions,
): Promise<ChatResult> {
  const url = `${config.baseUrl}/chat/completions`;
  const body = {
    model: config.model,
    messages: input.messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(input.maxTokens !== undefined ? { max_tokens: input.maxTokens } : {}),
    ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
  };
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: options.signal,
    });
  } catch (err) {
    throw networkError(err, options.signal, `LLM endpoint ${url} unreachable`);
  }
  if (!res.ok) throw await responseError(res);
  const state: ChatResult = { content: "", model: config.model, finishReason: null };
  if (!(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    // The server ignored `stream: true` and answered with one JSON completion.
    const text = await res.text().catch((err: unknown) => {
      throw networkError(err, options.signal, "LLM response broke off");
    });
    await apply(state, parseJson(text), options, true);
    return state;
  }
  if (!(await readStream(res, state, options)) && state.finishReason === null) {
    throw new RetryableError("LLM stream ended before the completion finished");
  }
  return state;
}

/** Reads SSE events into `state`; true once `[DONE]` arrived. */
async function readStream(
  res: Response,
  state: ChatResult,
  options: ChatOptions,
): Promise<boolean> {
  if (!res.body) return false;
  const reader = res.body.getReader();
  const decoder = new TextDecoder(); // streaming, so UTF-8 split across reads stays intact
  const parser = new SseParser();
  try {
    for (;;) {
      const read = await reader.read().catch((err: unknown) => {
        throw networkError(err, options.signal, "LLM stream broke off");
      });
      const events = read.done
        ? [...parser.push(decoder.decode()), ...parser.end()]
        : parser.push(decoder.decode(read.value as Uint8Array, { stream: true }));
      for (const event of events) {
        if (event.data === "[DONE]") return true;
        await apply(state, parseJson(event.data), options, false);
      }
      if (read.done) return false;
    }
  } finally {
    // Frees the connection when we stop early ([DONE] or an error); a no-op after the end.
    reader.cancel().catch(() => undefined);
  }
}

async function apply(
  state: ChatResult,
  chunk: Completion,
  options: ChatOptions,
  whole: boolean,
): Promise<void> {
  if (chunk.error !== undefined && chunk.error !== null) {
    const e = chunk.error as { message?: unknown };
    const message = typeof e.message === "string" ? e.message : JSON.stringify(chunk.error);
    throw new RetryableError(`LLM endpoint reported an error mid-stream: ${message}`);
  }
  if (typeof chunk.model === "string" && chunk.model) state.model = chunk.model;
  const choice = chunk.choices?.[0];
  const text = whole ? choice?.message?.content : choice?.delta?.content;
  if (typeof text === "string" && text.length > 0) {
    state.content += text;
    await options.onDelta(text);
  }
  if (typeof choice?.finish_reason === "string") state.finishReason = choice.finish_reason;
  const u = chunk.usage;
  if (u && typeof u.prompt_tokens === "number" && typeof u.completion_tokens === "number") {
    state.usage = {
      promptTokens: u.prompt_tokens,
      completionTokens: u.completion_tokens,
      totalTokens:
        typeof u.total_tokens === "number" ? u.total_tokens : u.prompt_tokens + u.completion_tokens,
    };
  }
}

function parseJson(text: string): Completion {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null) return value;
  } catch {
    // fall through
  }
  throw new RetryableError(`LLM endpoint sent malformed JSON: ${text.slice(0, 200)}`);
}

/** A failed fetch or read: the abort reason when we aborted it, else worth a retry. */
function networkError(err: unknown, signal: AbortSignal, what: string): Error {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Error(what);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new RetryableError(`${what}: ${detail}`, { cause: err });
}
