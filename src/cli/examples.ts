import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import researchAgent from "../../agents/research/index.js";
import sleepAgent from "../../agents/sleep/index.js";
import type { LoadedAgent } from "./load-agents.js";

/** The example agents `baton quickstart` runs in-process. */
export const EXAMPLE_AGENTS: readonly LoadedAgent[] = [sleepAgent, researchAgent];

/** The package root: the nearest directory above this file with bin/baton.mjs (source or dist). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "bin", "baton.mjs"))) return dir;
    if (dirname(dir) === dir) throw new Error(`bin/baton.mjs not found above ${from}`);
  }
}

const ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

/** The `baton` executable, for starting agent processes. */
export const BATON_BIN = join(ROOT, "bin", "baton.mjs");

/** An example agent `baton quickstart` runs in a process of its own (`baton agent <module>`). */
export interface PeerAgent {
  readonly capability: string;
  /** A directory: `baton agent` picks its index file, .ts in the source tree or .js built. */
  readonly module: string;
}

const summarize: PeerAgent = { capability: "summarize", module: join(ROOT, "agents", "summarize") };
const embed: PeerAgent = { capability: "embed", module: join(ROOT, "agents", "embed") };

/** The research demo's peers: two summarize processes share the documents, one embeds. */
export const PEER_AGENTS: readonly PeerAgent[] = [summarize, summarize, embed];
