import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FlagError, oneOf, positive } from "../../bench/lib/flags.js";

const ROOT = join(import.meta.dirname, "..", "..");

interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bench script with `args`; every case here ends before it starts a server. */
function bench(script: string, args: readonly string[]): Promise<Exit> {
  const argv = ["--import", "tsx", join(ROOT, "bench", script), ...args];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

// Each case starts a tsx process: about a second, several on a loaded machine.
const SPAWNS_MS = 60_000;

describe("bench flags", () => {
  it("takes integers >= 1 and names the flag of anything else", () => {
    expect(positive("64", "--workers")).toBe(64);
    for (const bad of ["0", "-3", "1.5", "abc", ""]) {
      expect(() => positive(bad, "--workers")).toThrow(FlagError);
    }
    expect(() => positive("x", "--tasks")).toThrow('--tasks: expected an integer >= 1, got "x"');
  });

  it("takes only the listed choices", () => {
    expect(oneOf("heap", "--profile", ["on", "off", "heap"])).toBe("heap");
    expect(() => oneOf("of", "--tracing", ["on", "off"])).toThrow(
      '--tracing: expected on or off, got "of"',
    );
  });

  it(
    "prints the usage on --help and exits 0",
    async () => {
      const r = await bench("profile.ts", ["--help"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("npm run bench:profile -- [flags]");
      expect(r.stdout).toContain("--tracing on|off");
    },
    SPAWNS_MS,
  );

  it(
    "ends with the wrong flag and the usage, exit code 2, not a stack",
    async () => {
      const cases = [
        ["run.ts", ["--tasks", "0"], 'error: --tasks: expected an integer >= 1, got "0"'],
        ["run.ts", ["--scenario", "nope"], "error: --scenario: unknown nope"],
        ["delegate-probe.ts", ["--bogus"], "error: Unknown option '--bogus'"],
        ["latency-probe.ts", ["--rates", "fast"], "error: --rates: expected tasks/s"],
        [
          "profile.ts",
          ["--path", "grpc"],
          'error: --path: expected library or gateway, got "grpc"',
        ],
      ] as const;
      const exits = await Promise.all(cases.map(([script, args]) => bench(script, args)));
      cases.forEach(([script, , message], i) => {
        const r = exits[i];
        expect(r?.status, script).toBe(2);
        expect(r?.stderr).toContain(message);
        expect(r?.stderr).toContain("[flags]");
        expect(r?.stderr).not.toMatch(/\n\s+at /);
      });
    },
    SPAWNS_MS,
  );
});
