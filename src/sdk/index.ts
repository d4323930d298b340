// The agent author's surface, exported on its own as "baton/sdk".
export { defineAgent, isAgentDefinition } from "./define-agent.js";
export { s, type Infer, type JsonSchema, type Schema } from "./schema.js";
export { sleep } from "./sleep.js";
export type {
  AgentDefinition,
  AgentOptions,
  DelegateCall,
  DelegateOptions,
  Handler,
  TaskContext,
} from "./types.js";
export type { Resources, GpuGroup } from "../placement/types.js";
export { CancelledError, ChildTaskFailedError, RetryableError, TerminalError } from "../errors.js";
