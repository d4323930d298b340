import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isAgentDefinition } from "../sdk/define-agent.js";
import type { AgentDefinition } from "../sdk/types.js";
import { CliError, EXIT_USAGE } from "./errors.js";

export type LoadedAgent = AgentDefinition<never, unknown>;

const INDEX_FILES = ["index.ts", "index.mts", "index.js", "index.mjs"];

function looksLikePath(spec: string): boolean {
  return spec.startsWith(".") || isAbsolute(spec);
}

/** ESM does not import directories; pick the entry file a person would mean. */
function directoryEntry(dir: string, spec: string): string {
  const pkgFile = join(dir, "package.json");
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { main?: unknown };
    if (typeof pkg.main === "string") return join(dir, pkg.main);
  }
  const index = INDEX_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!index) {
    throw new CliError(`agent module ${spec} is a directory without an index file`, EXIT_USAGE);
  }
  return index;
}

/** A file path relative to `cwd`, or a package resolved from `cwd`'s node_modules. */
export function resolveAgentModule(spec: string, cwd: string): string {
  const path = resolve(cwd, spec);
  if (looksLikePath(spec) || existsSync(path)) {
    if (!existsSync(path)) throw new CliError(`agent module ${spec} not found`, EXIT_USAGE);
    return pathToFileURL(statSync(path).isDirectory() ? directoryEntry(path, spec) : path).href;
  }
  try {
    return pathToFileURL(createRequire(join(cwd, "package.json")).resolve(spec)).href;
  } catch {
    // ESM-only packages may not resolve through require; let import() try on its own.
    return spec;
  }
}

/** The default export and named exports that are agent definitions, each once. */
export function agentsOf(mod: Record<string, unknown>): LoadedAgent[] {
  const candidates = [mod.default, ...Object.values(mod)];
  const out: LoadedAgent[] = [];
  for (const c of candidates) {
    if (isAgentDefinition(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

export async function loadAgents(specs: readonly string[], cwd: string): Promise<LoadedAgent[]> {
  const agents: LoadedAgent[] = [];
  for (const spec of specs) {
    const url = resolveAgentModule(spec, cwd);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (err) {
      const reason = err instanceof Error ? (err.message.split("\n", 1)[0] ?? "") : String(err);
      throw new CliError(`cannot load agent module ${spec}: ${reason}`, EXIT_USAGE);
    }
    const found = agentsOf(mod);
    if (found.length === 0) {
      throw new CliError(
        `${spec} exports no agent (export the result of defineAgent(...), as default or by name)`,
        EXIT_USAGE,
      );
    }
    for (const a of found) if (!agents.includes(a)) agents.push(a);
  }
  return agents;
}
