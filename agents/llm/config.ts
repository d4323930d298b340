import { TerminalError } from "../../src/errors.js";

export interface LlmConfig {
  /** API root without a trailing slash, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: string;
  model: string;
  apiKey?: string;
}

/**
 * Reads the endpoint settings. Called per task, so a fixed environment takes effect on the next
 * task, and a missing setting fails that task with the variable's name instead of a vague error.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): LlmConfig {
  const base = env.BATON_LLM_BASE_URL?.trim();
  if (!base) {
    throw new TerminalError(
      "BATON_LLM_BASE_URL is not set: point it at an OpenAI-compatible API, " +
        "e.g. http://127.0.0.1:11434/v1",
    );
  }
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TerminalError(`BATON_LLM_BASE_URL is not a valid URL: ${base}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TerminalError(`BATON_LLM_BASE_URL must be an http(s) URL, got ${url.protocol}`);
  }
  const model = env.BATON_LLM_MODEL?.trim();
  if (!model) {
    throw new TerminalError("BATON_LLM_MODEL is not set: name the model to use, e.g. llama3.2");
  }
  const apiKey = env.BATON_LLM_API_KEY?.trim();
  return { baseUrl: base.replace(/\/+$/u, ""), model, ...(apiKey ? { apiKey } : {}) };
}
