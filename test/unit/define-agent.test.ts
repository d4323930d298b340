import { describe, expect, expectTypeOf, it } from "vitest";
import { s } from "../../src/sdk/schema.js";
import { ValidationError } from "../../src/errors.js";
import { defineAgent } from "../../src/sdk/define-agent.js";
import { Delivery } from "../../src/dispatch/delivery.js";
import type { Msg } from "@nats-io/transport-node";

const handler = () => null;

describe("defineAgent", () => {
  it("fills defaults and parses the timeout", () => {
    const a = defineAgent({ name: "a", capabilities: ["x"], timeout: "2s", handler });
    expect(a).toMatchObject({ name: "a", concurrency: 1, timeoutMs: 2000, capabilities: ["x"] });
    expect(a.cost).toBeUndefined();
    expect(defineAgent({ name: "b", capabilities: ["x"], cost: 2.5, handler }).cost).toBe(2.5);
  });

  it.each([
    ["agent(a).capabilities", { name: "a", capabilities: [], handler }],
    ["agent(a).capabilities[0]", { name: "a", capabilities: ["has space"], handler }],
    ["agent(a).concurrency", { name: "a", capabilities: ["x"], concurrency: 0, handler }],
    ["agent(a).timeout", { name: "a", capabilities: ["x"], timeout: "later", handler }],
    ["agent(a).retry.jitter", { name: "a", capabilities: ["x"], retry: { jitter: 2 }, handler }],
    ["agent(a).handler", { name: "a", capabilities: ["x"] }],
    ["agent(a).extra", { name: "a", capabilities: ["x"], handler, extra: 1 }],
    ["agent(a).cost", { name: "a", capabilities: ["x"], cost: -1, handler }],
  ])("rejects a bad %s", (field, options) => {
    try {
      defineAgent(options as never);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
  });
});

describe("Delivery", () => {
  it("reads the delivery count from both ack subject forms and settles once", () => {
    const sent: string[] = [];
    const publish = (_s: string, b: Uint8Array): void => {
      sent.push(new TextDecoder().decode(b));
    };
    const v1 = new Delivery(publish, {
      reply: "$JS.ACK.S.c.3.17.20.1700000000.0",
      data: new Uint8Array(),
    } as unknown as Msg);
    expect([v1.deliveryCount, v1.streamSeq]).toEqual([3, 17]);
    const v2 = new Delivery(publish, {
      reply: "$JS.ACK.dom.acc.S.c.4.18.21.1700000000.0.xyz",
      data: new Uint8Array(),
    } as unknown as Msg);
    expect([v2.deliveryCount, v2.streamSeq]).toEqual([4, 18]);
    v1.working();
    v1.nak(1500);
    v1.ack();
    expect(sent).toEqual(["+WPI", '-NAK {"delay":1500000000}']);
  });
});

describe("typed agents", () => {
  it("derives the handler's input type and the submit schema from `input`", () => {
    const agent = defineAgent({
      name: "typed",
      capabilities: ["typed"],
      input: s.object({ n: s.integer({ minimum: 0 }), tag: s.optional(s.string()) }),
      output: s.object({ doubled: s.integer() }),
      handler: (ctx) => {
        expectTypeOf(ctx.input).toEqualTypeOf<{ n: number; tag?: string }>();
        return { doubled: ctx.input.n * 2 };
      },
    });
    expect(agent.inputSchema).toMatchObject({ type: "object", required: ["n"] });
    expect(agent.outputSchema).toMatchObject({ type: "object", required: ["doubled"] });
  });

  it.each([
    ["agent(a).inputSchema", { input: s.string(), inputSchema: { type: "string" } }],
    [
      "agent(a).resources.gpus[0].count",
      { resources: { gpus: [{ type: "a100", count: -1, memoryMib: 1 }] } },
    ],
    ["agent(a).resources.cpuSlots", { resources: { cpuSlots: 1.5 } }],
  ])("rejects %s", (field, extra) => {
    try {
      defineAgent({ name: "a", capabilities: ["x"], handler, ...extra });
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).field).toBe(field);
    }
  });
});
