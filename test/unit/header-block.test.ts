import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { HeaderBlock } from "../../src/nats/header-block.js";

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

describe("HeaderBlock", () => {
  it("encodes headers byte for byte as nats.js does", () => {
    const block = new HeaderBlock()
      .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
      .add("Nats-Msg-Id", " 01JD:r1 ")
      .add("Nats-Expected-Last-Subject-Sequence", "0");
    const h = headers();
    h.set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    h.set("Nats-Msg-Id", " 01JD:r1 ");
    h.set("Nats-Expected-Last-Subject-Sequence", "0");
    // What nats.js's publish sends for a MsgHdrs (it is not on the interface).
    const wire = (h as unknown as { encode(): Uint8Array }).encode();
    expect(text(block.encode())).toBe(text(wire));
    expect(text(new HeaderBlock().add("k", "é").encode())).toBe("NATS/1.0\r\nk: é\r\n\r\n");
  });

  it("refuses names and values NATS cannot carry", () => {
    expect(() => new HeaderBlock().add("bad name", "v")).toThrow(/header name/);
    expect(() => new HeaderBlock().add("a:b", "v")).toThrow(/header name/);
    expect(() => new HeaderBlock().add("", "v")).toThrow(/header name/);
    expect(() => new HeaderBlock().add("k", "line\r\nInjected: 1")).toThrow(/CR or LF/);
  });
});
