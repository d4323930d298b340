import sleepAgent from "../../agents/sleep/index.js";
import type { LoadedAgent } from "./load-agents.js";

/** The example agents `baton quickstart` runs in-process. */
export const EXAMPLE_AGENTS: readonly LoadedAgent[] = [sleepAgent];
