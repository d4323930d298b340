import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ErrorCode,
  PayloadTooLargeError,
  TaskState,
  UnknownCapabilityError,
  ValidationError,
  type BatonClient,
  type SubmitOptions,
} from "../../src/index.js";
import { coreEnv, rejection } from "../helpers/core.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats[Symbol.asyncDispose]();
});

/** Nothing reached NATS: no record, no queue message, no event, no idempotency key. */
async function expectNothingStored(client: BatonClient): Promise<void> {
  const conn = client.connection;
  expect((await client.list()).tasks).toEqual([]);
  expect(await conn.tasks.scan()).toEqual([]);
  const tasks = await conn.jsm.streams.info(conn.names.tasksStream);
  expect(tasks.state.messages).toBe(0);
  const events = await conn.jsm.streams.info(conn.names.eventsStream);
  expect(events.state.messages).toBe(0);
  const keys: string[] = [];
  for await (const k of await conn.idempotency.keys()) keys.push(k);
  expect(keys).toEqual([]);
}

describe("submit validation", () => {
  it("rejects an unknown capability with UnknownCapabilityError naming the field", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    await client.declareCapability("known");

    const err = await rejection(client.submit("unknown", { x: 1 }, { idempotencyKey: "u" }));
    expect(err).toBeInstanceOf(UnknownCapabilityError);
    expect(err).toMatchObject({
      field: "capability",
      capability: "unknown",
      code: ErrorCode.UnknownCapability,
    });
    expect(err.message).toMatch(/unknown/);

    const bad = await rejection(client.submit("no spaces allowed", null));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad).toMatchObject({ field: "capability", code: ErrorCode.InvalidArgument });
    await expectNothingStored(client);
  });

  it("rejects malformed options with a ValidationError naming the option", async () => {
    const env = coreEnv(nats);
    const client = await env.client();
    await client.declareCapability("known");

    const cases: [SubmitOptions, string][] = [
      [{ priority: "urgent" as never }, "options.priority"],
      [{ retry: { maxAttempts: 0 } }, "options.retry.maxAttempts"],
      [{ retry: { jitter: 2 } }, "options.retry.jitter"],
      [{ delay: "soon" }, "options.delay"],
      [{ timeout: 0 }, "options.timeout"],
      [{ deadline: Date.now() - 1000 }, "options.deadline"],
      [{ runAt: "not a date" }, "options.runAt"],
      [{ delay: "1s", runAt: Date.now() + 5000 }, "options.runAt"],
      [{ idempotencyKey: "" }, "options.idempotencyKey"],
      [{ labels: { "bad label!": "x" } }, "options.labels.bad label!"],
      [{ colour: "blue" } as never, "options.colour"],
    ];
    for (const [options, field] of cases) {
      const err = await rejection(
        client.submit("known", { ok: true }, { idempotencyKey: "same", ...options }),
      );
      expect(err, field).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field, JSON.stringify(options)).toBe(field);
      expect(err.message).toContain(field);
    }
    await expectNothingStored(client);
  });

  it("rejects oversized input with PayloadTooLargeError, and accepts input exactly at the limit", async () => {
    const env = coreEnv(nats, { maxInputSize: "1KiB" });
    const client = await env.client();
    await client.declareCapability("known");

    const err = await rejection(
      client.submit("known", { text: "x".repeat(2000) }, { idempotencyKey: "big" }),
    );
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err).toMatchObject({
      field: "input",
      limit: 1024,
      size: 2000 + '{"text":""}'.length,
      code: ErrorCode.PayloadTooLarge,
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const notJson = await rejection(client.submit("known", circular));
    expect(notJson).toBeInstanceOf(ValidationError);
    expect((notJson as ValidationError).field).toBe("input");
    await expectNothingStored(client);

    // Exactly 1024 bytes of JSON is allowed, and the rejected key was never taken.
    const atLimit = "x".repeat(1022);
    const ok = await client.submit("known", atLimit, { idempotencyKey: "big" });
    expect(ok.state).toBe(TaskState.Pending);
    expect(ok.input).toBe(atLimit);
    expect((await client.list()).tasks.map((t) => t.id)).toEqual([ok.id]);
  });
});
