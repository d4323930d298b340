import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Child processes, so a test file's nats-server is torn down with its worker.
    pool: "forks",
    // CI machines have 2 cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "agents/**/*.unit.test.ts"],
          fileParallelism: true,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "agents/**/*.int.test.ts"],
          // Each file starts its own nats-server on a free port, so files may run side by side.
          fileParallelism: true,
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          // Debian's chromium via playwright-core; skipped when /usr/bin/chromium is missing.
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
