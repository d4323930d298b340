import { describe, expect, it } from "vitest";
import { retryAfterMs, serverMessage } from "./http-errors.js";
import { SseParser, type SseEvent } from "./sse.js";

/** Feeds `pieces` one by one and collects every event, including those flushed at the end. */
function parse(pieces: readonly string[]): SseEvent[] {
  const parser = new SseParser();
  return [...pieces.flatMap((p) => parser.push(p)), ...parser.end()];
}

const STREAM =
  'data: {"n":1}\n\n' +
  ": keep-alive\n\n" +
  "event: update\ndata: a\ndata: b\n\n" +
  "data: [DONE]\n\n";
const EXPECTED: SseEvent[] = [
  { event: "message", data: '{"n":1}' },
  { event: "update", data: "a\nb" },
  { event: "message", data: "[DONE]" },
];

describe("SseParser", () => {
  it("parses data, multi-line data, event names and skips comments", () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it("gives the same events however the stream is cut, down to single characters", () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(parse([STREAM.slice(0, cut), STREAM.slice(cut)])).toEqual(EXPECTED);
    }
    expect(parse([...STREAM])).toEqual(EXPECTED);
  });

  it("accepts CRLF and CR line ends, also with CRLF split between pieces", () => {
    const crlf = STREAM.replaceAll("\n", "\r\n");
    expect(parse([crlf])).toEqual(EXPECTED);
    expect(parse([...crlf])).toEqual(EXPECTED);
    expect(parse([STREAM.replaceAll("\n", "\r")])).toEqual(EXPECTED);
    expect(parse(["data: x\r", "\n", "\r", "\ndata: y\r\n\r\n"])).toEqual([
      { event: "message", data: "x" },
      { event: "message", data: "y" },
    ]);
  });

  it("handles a BOM, fields without a space or value, ids and unknown fields", () => {
    expect(parse(["\uFEFFdata:tight\nretry: 10\nfoo: bar\nid: 7\n\ndata\n\n"])).toEqual([
      { event: "message", data: "tight", id: "7" },
      { event: "message", data: "", id: "7" },
    ]);
  });

  it("dispatches a last event without a trailing blank line at the end of the stream", () => {
    expect(parse(["data: [DONE]"])).toEqual([{ event: "message", data: "[DONE]" }]);
    expect(parse([": only a comment\n\n", "\n"])).toEqual([]);
  });
});

describe("HTTP error helpers", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs("7", now)).toBe(7000);
    expect(retryAfterMs(" 1.5 ", now)).toBe(1500);
    expect(retryAfterMs("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it("finds the server's message in the usual error shapes", () => {
    expect(serverMessage('{"error":{"message":"bad model"}}', "x")).toBe("bad model");
    expect(serverMessage('{"error":"quota"}', "x")).toBe("quota");
    expect(serverMessage('{"detail":"nope"}', "x")).toBe("nope");
    expect(serverMessage("plain text\n", "x")).toBe("plain text");
    expect(serverMessage("", "Bad Request")).toBe("Bad Request");
    expect(serverMessage("e".repeat(600), "x")).toHaveLength(503);
  });
});
