import { createContextKey } from "@opentelemetry/api";

/** The agent whose attempt a context belongs to (set by the attempt's run()). */
export const AGENT_CONTEXT_KEY = createContextKey("baton.agent.id");
