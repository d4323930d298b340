import { thrownBy } from "../helpers/errors.js";
import { describe, it, expect } from "vitest";
import { formatDuration, parseBytes, parseDuration } from "../../src/config/duration.js";
import { ConfigError } from "../../src/errors.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["7d", 604_800_000],
    ["1m30s", 90_000],
    ["1h1m1s1ms", 3_661_001],
    ["1.5s", 1500],
    ["1.1s", 1100],
    [".5s", 500],
    ["0.25m", 15_000],
    ["1500", 1500],
    ["0", 0],
    ["  30s \n", 30_000],
    ["2.5", 2.5],
  ])("parses %j as %d ms", (text, ms) => {
    expect(parseDuration(text, "lease")).toBe(ms);
  });

  it("treats numbers as milliseconds", () => {
    expect(parseDuration(250, "lease")).toBe(250);
    expect(parseDuration(0, "lease")).toBe(0);
  });

  it.each([
    "",
    "   ",
    "abc",
    "-5s",
    "5 s",
    "5sec",
    "5M",
    "30S",
    "1m30",
    "s",
    "1e3",
    "1..5s",
    "5s ms",
    "Infinity",
  ])("rejects %j", (text) => {
    const err = thrown(() => parseDuration(text, "BATON_LEASE"));
    expect(err.setting).toBe("BATON_LEASE");
    expect(err.message).toBe(
      `invalid setting BATON_LEASE: expected a duration like "30s", "500ms" or "5m", got "${text}"`,
    );
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("rejects the number %d", (n) => {
    const err = thrown(() => parseDuration(n, "--heartbeat"));
    expect(err.setting).toBe("--heartbeat");
    expect(err.message).toContain(`got "${n}"`);
  });
});

describe("parseBytes", () => {
  it.each([
    ["512", 512],
    ["512B", 512],
    ["512b", 512],
    ["256KiB", 262_144],
    ["256kib", 262_144],
    ["1MiB", 1_048_576],
    ["64KB", 64_000],
    ["64kb", 64_000],
    ["1MB", 1_000_000],
    ["1GiB", 1_073_741_824],
    ["2GB", 2_000_000_000],
    ["1.5KiB", 1536],
    [" 256 KiB ", 262_144],
    ["0", 0],
  ])("parses %j as %d bytes", (text, bytes) => {
    expect(parseBytes(text, "maxInputSize")).toBe(bytes);
  });

  it("treats numbers as bytes", () => {
    expect(parseBytes(1024, "maxInputSize")).toBe(1024);
  });

  it.each(["", "abc", "1.5", "1.5B", "-1KiB", "10K", "5 MiBs", "KiB", "1Kib2"])(
    "rejects %j",
    (text) => {
      const err = thrown(() => parseBytes(text, "BATON_MAX_INPUT_SIZE"));
      expect(err.setting).toBe("BATON_MAX_INPUT_SIZE");
      expect(err.message).toContain(`got "${text}"`);
    },
  );

  it.each([-1, 1.5, Number.NaN])("rejects the number %d", (n) => {
    expect(thrown(() => parseBytes(n, "maxInputSize")).setting).toBe("maxInputSize");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [250, "250ms"],
    [1000, "1s"],
    [1500, "1s500ms"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [604_800_000, "7d"],
    [90_061_001, "1d1h1m1s1ms"],
    [1.5, "1.5ms"],
    [-90_000, "-1m30s"],
  ])("formats %d as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const ms of [0, 1, 999, 1000, 61_001, 86_400_000 + 1, 123_456_789]) {
      expect(parseDuration(formatDuration(ms), "x")).toBe(ms);
    }
  });
});

function thrown(fn: () => unknown): ConfigError {
  return thrownBy(fn, ConfigError);
}
