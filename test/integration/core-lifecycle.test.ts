import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAgent, TaskState, type TaskEvent, type TaskRecord } from "../../src/index.js";
import { lastEvent, publishEvent } from "../../src/store/events.js";
import { coreEnv, gate, queueDepth, waitFor, waitForState } from "../helpers/core.js";
import { readEventsOnceEnded } from "../helpers/fault.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

describe("claim", () => {
  it("runs each task exactly once on one of two agents and records owner and attempt", async () => {
    const env = coreEnv(nats);
    const runs = new Map<string, string[]>();
    const hold = gate();
    const agent = defineAgent({
      name: "claimer",
      capabilities: ["claim"],
      concurrency: 4,
      handler: async (ctx) => {
        const owner = ctx.task.owner?.agentId ?? "?";
        runs.set(ctx.taskId, [...(runs.get(ctx.taskId) ?? []), owner]);
        if ((ctx.input as { hold?: boolean }).hold) await hold.promise;
        return { by: owner };
      },
    });
    const a = await env.worker([agent]);
    const b = await env.worker([agent]);
    const agentIds = [...a.agentIds, ...b.agentIds];
    const client = await env.client();

    const held = await client.submit("claim", { hold: true });
    const running = await waitForState(client, held.id, (r) => r.state === TaskState.Running);
    expect(running.attempt).toBe(1);
    expect(agentIds).toContain(running.owner?.agentId);
    expect(running.owner?.attempt).toBe(1);
    expect(running.owner?.leaseUntil).toBeGreaterThan(Date.now());
    expect(running.attempts).toHaveLength(1);
    expect(running.attempts[0]?.agentId).toBe(running.owner?.agentId);
    expect(running.attempts[0]?.outcome).toBeUndefined();

    const others = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.submit("claim", { i })),
    );
    hold.open();
    const all = [held, ...others];
    const finished = await Promise.all(all.map((t) => client.wait(t.id, { timeoutMs: 15_000 })));

    for (const r of finished) {
      expect(r.state).toBe(TaskState.Succeeded);
      expect(runs.get(r.id)).toHaveLength(1);
      expect(r.attempt).toBe(1);
      expect(r.attempts).toHaveLength(1);
      expect(r.attempts[0]?.outcome).toBe("succeeded");
      expect(agentIds).toContain(r.attempts[0]?.agentId);
      expect(r.result).toEqual({ by: r.attempts[0]?.agentId });
      expect(r.owner).toBeUndefined();
    }
    expect(runs.size).toBe(all.length);
    // Every queue message was acknowledged: nothing is left to run a second time.
    await waitFor("queue drained", async () => {
      const d = await queueDepth(client, "claim");
      return d.pending === 0 && d.unacked === 0;
    });
  });
});

describe("watch", () => {
  function agentWithGate(release: Promise<void>, reached: () => void) {
    return defineAgent({
      name: "watched",
      capabilities: ["watched"],
      handler: async (ctx) => {
        await ctx.progress({ step: 1 });
        await ctx.emit("a");
        reached();
        await release;
        await ctx.emit("b");
        await ctx.progress({ step: 2 });
        return { done: true };
      },
    });
  }

  function brief(e: TaskEvent): string {
    switch (e.type) {
      case "state":
        return `state:${e.state}`;
      case "progress":
        return `progress:${JSON.stringify(e.progress)}`;
      case "output":
        return `output:${JSON.stringify(e.chunk)}`;
    }
  }

  it("replays events from the start, then streams live ones, and ends at the terminal state", async () => {
    const env = coreEnv(nats);
    const release = gate();
    const reached = gate();
    await env.worker([agentWithGate(release.promise, () => reached.open())]);
    const client = await env.client();
    const task = await client.submit("watched", null);
    await reached.promise;

    const seen: TaskEvent[] = [];
    let ended = false;
    const consuming = (async () => {
      for await (const e of client.watch(task.id)) seen.push(e);
      ended = true;
    })();
    // The history up to now arrives first...
    await waitFor("history replayed", () => seen.some((e) => brief(e) === 'output:"a"'));
    expect(seen.map(brief)).toEqual([
      "state:PENDING",
      "state:RUNNING",
      'progress:{"step":1}',
      'output:"a"',
    ]);
    expect(ended).toBe(false);
    // ...then live events, and the iterator ends by itself at the terminal state.
    release.open();
    await consuming;
    expect(seen.map(brief)).toEqual([
      "state:PENDING",
      "state:RUNNING",
      'progress:{"step":1}',
      'output:"a"',
      'output:"b"',
      'progress:{"step":2}',
      "state:SUCCEEDED",
    ]);
    const last = seen.at(-1);
    expect(last?.type === "state" && last.result).toEqual({ done: true });
    // The first event is made from the record (seq 0, nothing stored for it); the rest are real
    // stream events (a synthesized terminal event would have seq 0), strictly ordered.
    expect(seen[0]).toMatchObject({ seq: 0, attempt: 0, time: task.createdAt });
    const seqs = seen.slice(1).map((e) => e.seq);
    expect(seqs.every((s, i) => s > 0 && (i === 0 || s > (seqs[i - 1] ?? 0)))).toBe(true);
    expect(seen.every((e) => e.taskId === task.id)).toBe(true);
  });

  it("stores no PENDING event at submit, and shows a task from an older version's once", async () => {
    const env = coreEnv(nats);
    const release = gate();
    const reached = gate();
    await env.worker([agentWithGate(release.promise, () => reached.open())]);
    const client = await env.client();
    const fresh = await client.submit("watched", null);
    const legacy = await client.submit("watched", null);
    await reached.promise;
    // What submit stored before this version: a PENDING event for attempt 0.
    await publishEvent(client.connection, {
      type: "state",
      taskId: legacy.id,
      time: legacy.createdAt,
      state: TaskState.Pending,
      attempt: 0,
    });
    release.open();
    await client.wait(fresh.id, { timeoutMs: 10_000 });
    await client.wait(legacy.id, { timeoutMs: 10_000 });

    const stored = (await readEventsOnceEnded(client.connection, [fresh.id, legacy.id])).filter(
      (e) => e.type === "state",
    );
    const states = (id: string) => stored.filter((e) => e.taskId === id).map(brief);
    expect(states(fresh.id)).toEqual(["state:RUNNING", "state:SUCCEEDED"]);
    expect(states(legacy.id)).toContain("state:PENDING");

    for (const task of [fresh, legacy]) {
      const seen: TaskEvent[] = [];
      for await (const e of client.watch(task.id)) seen.push(e);
      expect(seen.filter((e) => e.type === "state").map(brief)).toEqual([
        "state:PENDING",
        "state:RUNNING",
        "state:SUCCEEDED",
      ]);
      expect(seen[0]).toMatchObject({ seq: 0, time: task.createdAt, attempt: 0 });
      // Resuming after the record-made PENDING (from 1) repeats nothing and loses nothing.
      const resumed: TaskEvent[] = [];
      for await (const e of client.watch(task.id, { fromSeq: 1 })) resumed.push(e);
      expect(resumed.map(brief)).toEqual(seen.slice(1).map(brief));
    }
  });

  it("stores a short first attempt's RUNNING inside its end event, and still shows both", async () => {
    // Ends well within the delay even on a loaded machine; the slow task runs past it.
    const env = coreEnv(nats, { runningEventDelay: "1s" });
    const release = gate();
    const reached = gate();
    await env.worker([
      defineAgent({ name: "quick", capabilities: ["quick"], handler: () => ({ ok: true }) }),
      defineAgent({
        name: "slow",
        capabilities: ["slow"],
        handler: async () => {
          reached.open();
          await release.promise;
          return { ok: true };
        },
      }),
    ]);
    const client = await env.client();
    const { jsm, names } = client.connection;
    const stored = async (id: string): Promise<number> => {
      const subject = names.eventsSubject(id);
      const info = await jsm.streams.info(names.eventsStream, { subjects_filter: subject });
      return info.state.subjects?.[subject] ?? 0;
    };

    const quick = await client.submit("quick", null);
    const done = await client.wait(quick.id, { timeoutMs: 10_000 });
    // wait can answer from the record, which is stored just before its end event.
    await readEventsOnceEnded(client.connection, [quick.id]);
    expect(await stored(quick.id)).toBe(1);
    const seen: TaskEvent[] = [];
    for await (const e of client.watch(quick.id)) seen.push(e);
    expect(seen.map(brief)).toEqual(["state:PENDING", "state:RUNNING", "state:SUCCEEDED"]);
    const [, running, end] = seen;
    expect(running).toMatchObject({ attempt: 1, time: done.attempts[0]?.startedAt });
    expect(running?.seq).toBe((end?.seq ?? 0) - 1);
    expect(end).toMatchObject({ attempt: 1, result: { ok: true } });
    expect(end).not.toHaveProperty("runningAt");
    // A resume after RUNNING gets the end once; one from RUNNING gets both.
    const resume = async (fromSeq: number): Promise<string[]> => {
      const out: string[] = [];
      for await (const e of client.watch(quick.id, { fromSeq })) out.push(brief(e));
      return out;
    };
    expect(await resume((running?.seq ?? 0) + 1)).toEqual(["state:SUCCEEDED"]);
    expect(await resume(running?.seq ?? 0)).toEqual(["state:RUNNING", "state:SUCCEEDED"]);

    // A longer one stores RUNNING on its own while it runs, and a live watch sees it then.
    const slow = await client.submit("slow", null);
    await reached.promise;
    await waitFor("RUNNING stored while the task runs", async () => (await stored(slow.id)) === 1);
    const live: TaskEvent[] = [];
    const watching = (async () => {
      for await (const e of client.watch(slow.id)) live.push(e);
    })();
    await waitFor("RUNNING watched live", () => live.some((e) => brief(e) === "state:RUNNING"));
    expect(live.map(brief)).toEqual(["state:PENDING", "state:RUNNING"]);
    release.open();
    await watching;
    expect(live.map(brief)).toEqual(["state:PENDING", "state:RUNNING", "state:SUCCEEDED"]);
    expect(await stored(slow.id)).toBe(2);
  });

  it("resumes from a sequence number with fromSeq", async () => {
    const env = coreEnv(nats);
    const release = gate();
    await env.worker([agentWithGate(Promise.resolve(), () => release.open())]);
    const client = await env.client();
    const task = await client.submit("watched", null);
    await client.wait(task.id, { timeoutMs: 10_000 });

    const all: TaskEvent[] = [];
    for await (const e of client.watch(task.id)) all.push(e);
    expect(all.map(brief)).toHaveLength(7);
    const running = all.find((e) => e.type === "state" && e.state === TaskState.Running);
    expect(running).toBeDefined();

    const resumed: TaskEvent[] = [];
    for await (const e of client.watch(task.id, { fromSeq: (running?.seq ?? 0) + 1 })) {
      resumed.push(e);
    }
    expect(resumed.map(brief)).toEqual(all.slice(2).map(brief));
    expect(resumed.map((e) => e.seq)).toEqual(all.slice(2).map((e) => e.seq));
  });
});

describe("last event", () => {
  it("reads a task's last event by direct get, after connecting to a stream without them", async () => {
    // A stream made by a version before direct gets on events: connecting turns them on.
    const env = coreEnv(nats);
    const first = (await env.client()).connection;
    const info = await first.jsm.streams.info(first.names.eventsStream);
    await first.jsm.streams.update(first.names.eventsStream, {
      ...info.config,
      allow_direct: false,
    });
    await env.worker([
      defineAgent({ name: "last", capabilities: ["last"], handler: () => ({ ok: true }) }),
    ]);
    const client = await env.client();
    const conn = client.connection;
    expect((await conn.jsm.streams.info(conn.names.eventsStream)).config.allow_direct).toBe(true);
    const task = await client.submit("last", {});
    await client.wait(task.id, { timeoutMs: 15_000 });
    expect(await lastEvent(conn, task.id)).toMatchObject({
      type: "state",
      state: "SUCCEEDED",
      attempt: 1,
      result: { ok: true },
    });
    expect(await lastEvent(conn, "no-such-task")).toBeUndefined();
  });
});

describe("list", () => {
  it("filters by state and capability and pages with a cursor, newest first", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    await client.declareCapability("alpha");
    const alpha: TaskRecord[] = [];
    for (let i = 0; i < 5; i++) alpha.push(await client.submit("alpha", { i }));
    await env.worker([
      defineAgent({ name: "beta", capabilities: ["beta"], handler: (ctx) => ctx.input }),
    ]);
    const beta: TaskRecord[] = [];
    for (let i = 0; i < 3; i++) beta.push(await client.submit("beta", { i }));
    await Promise.all(beta.map((t) => client.wait(t.id, { timeoutMs: 10_000 })));
    const ids = (ts: TaskRecord[]): string[] => ts.map((t) => t.id).sort();

    const pending = await client.list({ state: TaskState.Pending });
    expect(ids(pending.tasks)).toEqual(ids(alpha));
    expect(pending.nextCursor).toBeUndefined();

    const betaPage = await client.list({ capability: "beta" });
    expect(ids(betaPage.tasks)).toEqual(ids(beta));
    expect(betaPage.tasks.every((t) => t.state === TaskState.Succeeded)).toBe(true);

    expect((await client.list({ capability: "alpha", state: TaskState.Succeeded })).tasks).toEqual(
      [],
    );
    const both = await client.list({ state: [TaskState.Pending, TaskState.Succeeded] });
    expect(both.tasks).toHaveLength(8);

    async function pages(
      opts: Parameters<typeof client.list>[0],
    ): Promise<{ sizes: number[]; tasks: TaskRecord[] }> {
      const sizes: number[] = [];
      const tasks: TaskRecord[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await client.list({ ...opts, ...(cursor ? { cursor } : {}) });
        sizes.push(page.tasks.length);
        tasks.push(...page.tasks);
        cursor = page.nextCursor;
        if (!cursor) return { sizes, tasks };
      }
      throw new Error("paging did not end");
    }

    const everything = await pages({ limit: 3 });
    expect(everything.sizes.slice(0, 3)).toEqual([3, 3, 2]);
    expect(everything.sizes.slice(3).every((n) => n === 0)).toBe(true);
    const order = everything.tasks.map((t) => t.id);
    expect(new Set(order).size).toBe(8);
    expect(order).toEqual([...order].sort().reverse());
    const created = everything.tasks.map((t) => t.createdAt);
    expect(created.every((c, i) => i === 0 || c <= (created[i - 1] ?? Infinity))).toBe(true);
    // The newest task (the last beta submitted) comes first.
    expect(order[0]).toBe(beta.at(-1)?.id);

    const alphaPages = await pages({ capability: "alpha", limit: 2 });
    expect(alphaPages.sizes.filter((n) => n > 0)).toEqual([2, 2, 1]);
    expect(ids(alphaPages.tasks)).toEqual(ids(alpha));
  });

  it("filters by labels, each one asked for, and names a bad one", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    await client.declareCapability("tagged");
    const a1 = await client.submit("tagged", 1, { labels: { team: "a" } });
    const b = await client.submit("tagged", 2, { labels: { team: "b" } });
    const a2 = await client.submit("tagged", 3, { labels: { team: "a", tier: "gold" } });
    const ids = async (opts: Parameters<typeof client.list>[0]): Promise<string[]> =>
      (await client.list(opts)).tasks.map((t) => t.id);

    expect(await ids({ labels: { team: "a" } })).toEqual([a2.id, a1.id]);
    expect(await ids({ labels: { team: "b" } })).toEqual([b.id]);
    expect(await ids({ labels: { team: "a", tier: "gold" } })).toEqual([a2.id]);
    expect(await ids({ labels: { team: "c" } })).toEqual([]);
    const first = await client.list({ labels: { team: "a" }, limit: 1 });
    expect(first.tasks.map((t) => t.id)).toEqual([a2.id]);
    expect(first.nextCursor).toBe(a2.id);
    const rest = await client.list({ labels: { team: "a" }, limit: 1, cursor: first.nextCursor });
    expect(rest.tasks.map((t) => t.id)).toEqual([a1.id]);
    expect(rest.nextCursor).toBeUndefined();
    await expect(client.list({ labels: { "bad key": "x" } })).rejects.toMatchObject({
      field: "labels.bad key",
    });
  });
});

describe("scheduling", () => {
  it("does not start a delayed task before its delay, and lets other tasks pass it", async () => {
    const env = coreEnv(nats);
    const started = new Map<string, number>();
    await env.worker([
      defineAgent({
        name: "sched",
        capabilities: ["sched"],
        concurrency: 1,
        handler: (ctx) => {
          started.set(ctx.taskId, Date.now());
          return null;
        },
      }),
    ]);
    const client = await env.client();

    const t0 = Date.now();
    const delayed = await client.submit("sched", "delayed", { delay: "1s" });
    const at = new Date(Date.now() + 700);
    const scheduled = await client.submit("sched", "runAt", { runAt: at });
    const now = await client.submit("sched", "now");
    expect(delayed.runAt).toBeGreaterThanOrEqual(t0 + 1000);
    expect(scheduled.runAt).toBe(at.getTime());

    // An undelayed task submitted later runs first: a delayed one holds no agent slot.
    const nowDone = await client.wait(now.id, { timeoutMs: 10_000 });
    expect(nowDone.state).toBe(TaskState.Succeeded);
    expect((await client.get(delayed.id)).state).toBe(TaskState.Pending);

    await client.wait(delayed.id, { timeoutMs: 10_000 });
    await client.wait(scheduled.id, { timeoutMs: 10_000 });
    const startedDelayed = started.get(delayed.id) ?? 0;
    const startedScheduled = started.get(scheduled.id) ?? 0;
    // Clocks are read in one process; allow the runtime's 5 ms early-claim margin.
    expect(startedDelayed - t0).toBeGreaterThanOrEqual(1000 - 6);
    expect(startedDelayed - t0).toBeLessThan(1000 + 1500);
    expect(startedScheduled).toBeGreaterThanOrEqual(at.getTime() - 6);
    expect(startedScheduled - at.getTime()).toBeLessThan(1500);
    expect(started.get(now.id)).toBeLessThan(startedScheduled);
  });

  it("runs higher priorities first when a busy agent frees a slot", async () => {
    const env = coreEnv(nats);
    const order: string[] = [];
    const block = gate();
    const blocking = gate();
    await env.worker([
      defineAgent({
        name: "prio",
        capabilities: ["prio"],
        concurrency: 1,
        handler: async (ctx) => {
          const name = ctx.input as string;
          if (name === "blocker") {
            blocking.open();
            await block.promise;
          } else {
            order.push(name);
          }
          return name;
        },
      }),
    ]);
    const client = await env.client();
    await client.submit("prio", "blocker");
    await blocking.promise;

    const low = await client.submit("prio", "low", { priority: "low" });
    const normal = await client.submit("prio", "normal", { priority: "normal" });
    const high = await client.submit("prio", "high", { priority: "high" });
    expect([low.priority, normal.priority, high.priority]).toEqual(["low", "normal", "high"]);
    block.open();
    await Promise.all([low, normal, high].map((t) => client.wait(t.id, { timeoutMs: 10_000 })));
    expect(order).toEqual(["high", "normal", "low"]);
  });
});
