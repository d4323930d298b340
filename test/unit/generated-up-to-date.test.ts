import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENERATED_DIR, generateProtoTypes } from "../../scripts/gen-proto-types.js";

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

describe("src/generated", () => {
  const tmp = mkdtempSync(join(tmpdir(), "baton-gen-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("matches what `npm run gen:proto` produces from proto/", async () => {
    await generateProtoTypes(tmp);
    const fresh = listFiles(tmp);
    expect(fresh.length).toBeGreaterThan(0);
    expect(listFiles(GENERATED_DIR), "file list; run `npm run gen:proto`").toEqual(fresh);
    for (const file of fresh) {
      const committed = readFileSync(join(GENERATED_DIR, file), "utf8");
      const regenerated = readFileSync(join(tmp, file), "utf8");
      expect(committed, `${file} is stale; run \`npm run gen:proto\``).toBe(regenerated);
    }
  }, 30_000);
});
