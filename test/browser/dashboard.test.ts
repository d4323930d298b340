/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (never a browser
 * download). Two agent processes run a delegated task; the UI lists it, shows its sub-task tree
 * and live output, and its trace as a waterfall with spans from both processes. Screenshots go
 * to test/browser/screenshots/; the README's (docs/images/trace-viewer.png) is written when it is
 * missing or BATON_README_SCREENSHOT=1.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type BatonClient } from "../../src/client/client.js";
import type { TraceView } from "../../src/dashboard/trace-view.js";
import { AgentProcesses, type AgentProcess } from "../helpers/agent-process.js";
import { waitFor, waitForState } from "../helpers/core.js";
import { startDashboard, type TestDashboard } from "../helpers/dashboard.js";
import { startNats, type TestNats } from "../helpers/nats.js";

const CHROMIUM = "/usr/bin/chromium";
const RELAY = fileURLToPath(new URL("../helpers/agents/relay.ts", import.meta.url));
const SHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
const README_SHOT = fileURLToPath(new URL("../../docs/images/trace-viewer.png", import.meta.url));

let nats: TestNats;
let agents: AgentProcesses;
let parentProc: AgentProcess;
let childProc: AgentProcess;
let client: BatonClient;
let dashboard: TestDashboard;
let browser: Browser;
let page: Page;
/** The delegated task every test looks at. */
let taskId: string;
let childId: string;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}

async function open(hash: string): Promise<void> {
  await page.goto(`${dashboard.url}/${hash}`);
}

const suite = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  describe("dashboard in a browser", () => {
    it.skip(`skipped: ${CHROMIUM} is missing (install it: apt-get install -y chromium)`, () => {});
  });
}

suite("dashboard in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    nats = await startNats();
    agents = new AgentProcesses({
      env: {
        BATON_NATS_URL: nats.url,
        BATON_PREFIX: nats.prefix,
        BATON_LOG_LEVEL: "warn",
        BATON_SLEEP_CONCURRENCY: "4",
      },
    });
    [parentProc, childProc] = await Promise.all([
      agents.start({ name: "parent", modules: [RELAY], env: { BATON_TEST_NO_SLEEP: "1" } }),
      agents.start({ name: "child" }),
    ]);
    client = await createClient({ natsUrl: nats.url, prefix: nats.prefix, logLevel: "silent" });
    dashboard = await startDashboard(client, { sampler: { intervalMs: 1000 } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Root in a container: no user namespaces for the sandbox, and a small /dev/shm.
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });

    const task = await client.submit("relay", { ms: 1200, steps: 3 }, { labels: { demo: "ui" } });
    taskId = task.id;
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await client?.close();
    await agents?.[Symbol.asyncDispose]();
    await nats?.[Symbol.asyncDispose]();
  });

  it("lists the task live, filters by label, and opens it with its sub-task tree and output", async () => {
    await open("#/tasks");
    const row = page.locator(`#tasks tr[data-task="${taskId}"]`);
    await row.waitFor();
    const done = await client.wait(taskId, { timeoutMs: 30_000 });
    expect(done.state).toBe("SUCCEEDED");
    childId = done.children?.[0] ?? "";
    // Each task ran on its own process: the parent's agent handed the child to the other one.
    const child = await client.get(childId);
    expect(parentProc.agentIds).toContain(done.attempts[0]?.agentId);
    expect(childProc.agentIds).toContain(child.attempts[0]?.agentId);

    await expect
      .poll(() => row.locator(".badge").textContent(), { timeout: 10_000 })
      .toBe("SUCCEEDED");
    await page.fill('input[name="label"]', "demo=ui");
    await page.click('form.filters button[type="submit"]');
    await expect.poll(() => page.locator("#tasks tbody tr").count()).toBe(1);
    await row.waitFor();
    await shot("tasks");

    await row.click();
    await page.locator(`#subtasks li[data-task="${childId}"]`).waitFor();
    await expect
      .poll(() => page.locator("#output").textContent(), { timeout: 10_000 })
      .toContain("the peer slept 1200 ms");
    await expect.poll(() => page.locator("#event-log").textContent()).toContain("SUCCEEDED");
    expect(await page.locator("#cancel").isDisabled()).toBe(true);
    await shot("task");
  });

  it("shows the trace as a waterfall with spans from both agent processes", async () => {
    // Spans reach the store in batches about a second after they end.
    await waitFor(
      "spans of both agent processes in the span store",
      async () => {
        const res = await fetch(`${dashboard.url}/api/tasks/${taskId}/trace`);
        const trace = (await res.json()) as TraceView;
        const agentsSeen = new Set(trace.processes.map((p) => p.agentId));
        return (
          parentProc.agentIds.some((a) => agentsSeen.has(a)) &&
          childProc.agentIds.some((a) => agentsSeen.has(a))
        );
      },
      20_000,
      200,
    );
    await open(`#/task/${taskId}`);
    await page.click("#trace-tab");
    await page.locator("#waterfall .wf-row[data-span-id]").first().waitFor();

    const processes = await Promise.all(
      (await page.locator("#trace-processes li[data-agent]").all()).map(async (li) => ({
        key: (await li.getAttribute("data-process")) ?? "",
        agent: (await li.getAttribute("data-agent")) ?? "",
      })),
    );
    const parentKey = processes.find((p) => parentProc.agentIds.includes(p.agent))?.key;
    const childKey = processes.find((p) => childProc.agentIds.includes(p.agent))?.key;
    expect(parentKey, "a process legend entry for the parent's agent").toBeDefined();
    expect(childKey, "a process legend entry for the child's agent").toBeDefined();
    expect(parentKey).not.toBe(childKey);
    const rowsOf = (key: string | undefined) =>
      page.locator(`#waterfall .wf-row[data-process="${key}"]`).count();
    expect(await rowsOf(parentKey)).toBeGreaterThan(0);
    expect(await rowsOf(childKey)).toBeGreaterThan(0);

    // Open the details of one of the child's spans, for the screenshot too.
    await page.locator(`#waterfall .wf-row[data-process="${childKey}"]`).first().click();
    await page.locator("#span-detail h3").waitFor();
    await shot("trace");
    // The README's copy is tracked: refresh it on request only, so test runs leave git clean.
    if (!existsSync(README_SHOT) || process.env.BATON_README_SCREENSHOT === "1") {
      mkdirSync(dirname(README_SHOT), { recursive: true });
      await page.screenshot({ path: README_SHOT });
    }
  });

  it("cancels a running task from its page, showing its live progress first", async () => {
    const long = await client.submit("sleep", { ms: 60_000, steps: 120 });
    await waitForState(client, long.id, (r) => r.state === "RUNNING");
    await open(`#/task/${long.id}`);
    await expect
      .poll(() => page.locator("#progress").textContent(), { timeout: 10_000 })
      .toContain('"step"');
    await shot("task-running");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("#cancel");
    await expect
      .poll(() => page.locator(".task-head .badge").textContent(), { timeout: 10_000 })
      .toBe("CANCELLED");
    expect((await client.get(long.id)).state).toBe("CANCELLED");
  });

  it("replays a dead letter with its button, and shows agents and queue charts", async () => {
    const dead = await client.submit("flaky", null, { retry: { maxAttempts: 1 } });
    await waitForState(client, dead.id, (r) => r.state === "DEAD");
    await open("#/dlq");
    const button = page.locator(`#dlq button.replay[data-task="${dead.id}"]`);
    await button.waitFor();
    await shot("dead-letters");
    await button.click();
    await waitForState(client, dead.id, (r) => r.state === "SUCCEEDED");
    await page.locator(`#dlq tr[data-task="${dead.id}"]`).waitFor({ state: "detached" });

    await open("#/agents");
    for (const id of [...parentProc.agentIds, ...childProc.agentIds]) {
      await page.locator(`#agents tr[data-agent="${id}"]`).waitFor();
    }
    await shot("agents");

    await open("#/queues");
    // A flat line has no height, which Playwright calls hidden: wait for it to exist.
    const chart = page.locator('#queues [data-capability="sleep"] svg polyline').first();
    await chart.waitFor({ state: "attached" });
    await shot("queues");
  });
});
