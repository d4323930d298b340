import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { METRICS } from "../../src/telemetry/metrics.js";

const DIR = fileURLToPath(new URL("../../deploy/prometheus/", import.meta.url));
const PROMTOOL = existsSync("/usr/bin/promtool")
  ? "/usr/bin/promtool"
  : spawnSync("promtool", ["--version"], { stdio: "ignore" }).status === 0
    ? "promtool"
    : undefined;
const SKIPPED = PROMTOOL
  ? ""
  : " [skipped: promtool not found; apt-get install -y prometheus provides /usr/bin/promtool]";

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL ?? "promtool", args, { cwd: DIR, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("deploy/prometheus", () => {
  it("alert rules only use metrics Baton exports", () => {
    const rules = readFileSync(`${DIR}alerts.yml`, "utf8");
    const used = new Set(rules.match(/\bbaton_[a-z_]+/g));
    const known = new Set<string>(Object.values(METRICS).map((m) => m.name));
    for (const name of used) {
      // Histograms and counters are queried with their suffixes.
      const base = name.replace(/_(bucket|sum|count)$/, "");
      expect(known.has(base) || known.has(name), `${name} in alerts.yml`).toBe(true);
    }
    expect(used.size).toBeGreaterThanOrEqual(6);
  });

  it.skipIf(!PROMTOOL)(`config and rules pass promtool check and the rule tests${SKIPPED}`, () => {
    for (const args of [
      ["check", "config", "prometheus.yml"],
      ["check", "rules", "alerts.yml"],
      ["test", "rules", "alerts.test.yml"],
    ]) {
      const run = promtool(...args);
      expect(run.status, run.output).toBe(0);
    }
  });
});
