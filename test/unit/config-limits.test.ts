import { compile, configError, parseFlags } from "../helpers/config.js";
import { describe, expect, it } from "vitest";
import { optionsFromEnv, parseLimitsText, type BatonOptions } from "../../src/config/index.js";

describe("parseLimitsText", () => {
  it("parses label=max and label:value=max entries", () => {
    expect(parseLimitsText("tenant=2, tenant:acme=5 ,model : llama = 1", "BATON_LIMITS")).toEqual([
      { label: "tenant", max: 2 },
      { label: "tenant", value: "acme", max: 5 },
      { label: "model", value: "llama", max: 1 },
    ]);
  });

  it("splits the max off at the last = so values may contain = or :", () => {
    expect(parseLimitsText("region:eu=west:1=3", "BATON_LIMITS")).toEqual([
      { label: "region", value: "eu=west:1", max: 3 },
    ]);
  });

  it("reads empty text as no limits", () => {
    expect(parseLimitsText("  ", "--limits")).toEqual([]);
  });

  it.each([
    ["tenant", 'entry 1 "tenant": has no =max'],
    ["tenant=2,", 'entry 2 "": is empty'],
    ["=2", 'entry 1 "=2": has an empty label'],
    [":acme=2", 'entry 1 ":acme=2": has an empty label'],
    ["tenant:=2", 'entry 1 "tenant:=2": has an empty value after :'],
    ["a=b=2", 'entry 1 "a=b=2": has = in its label'],
    ["tenant=0", 'entry 1 "tenant=0": max must be an integer of at least 1, got "0"'],
    ["tenant=1.5", 'entry 1 "tenant=1.5": max must be an integer of at least 1, got "1.5"'],
    ["tenant=x", 'entry 1 "tenant=x": max must be an integer of at least 1, got "x"'],
    ["tenant=-1", 'entry 1 "tenant=-1": max must be an integer of at least 1, got "-1"'],
  ])("rejects %j naming the setting and entry", (text, why) => {
    const err = configError(() => parseLimitsText(text, "BATON_LIMITS"));
    expect(err.setting).toBe("BATON_LIMITS");
    expect(err.message).toBe(
      `invalid setting BATON_LIMITS: ${why} (expected label=max or label:value=max)`,
    );
  });
});

describe("limits config", () => {
  it("defaults to no limits", () => {
    expect(compile().limits).toEqual([]);
  });

  it("reads BATON_LIMITS", () => {
    expect(optionsFromEnv({ BATON_LIMITS: "tenant=2,tenant:acme=5" })).toEqual({
      limits: [
        { label: "tenant", max: 2 },
        { label: "tenant", value: "acme", max: 5 },
      ],
    });
    expect(compile({}, { BATON_LIMITS: "tenant=2" }).limits).toEqual([{ label: "tenant", max: 2 }]);
  });

  it("names BATON_LIMITS on bad syntax", () => {
    const err = configError(() => compile({}, { BATON_LIMITS: "tenant=2,acme" }));
    expect(err.setting).toBe("BATON_LIMITS");
    expect(err.message).toContain('entry 2 "acme"');
  });

  it("reads --limits, which overrides env and code", () => {
    expect(parseFlags(["--limits", "tenant:acme=5"])).toEqual({
      limits: [{ label: "tenant", value: "acme", max: 5 }],
    });
    const config = compile(
      { limits: [{ label: "model", max: 1 }] },
      { BATON_LIMITS: "tenant=2" },
      parseFlags(["--limits=tenant=3"]),
    );
    expect(config.limits).toEqual([{ label: "tenant", max: 3 }]);
    // An empty flag clears limits set elsewhere.
    expect(compile({}, { BATON_LIMITS: "tenant=2" }, parseFlags(["--limits="])).limits).toEqual([]);
  });

  it("names --limits on bad syntax", () => {
    const err = configError(() => parseFlags(["--limits", "tenant=none"]));
    expect(err.setting).toBe("--limits");
  });

  it("accepts limits from code and copies them", () => {
    const limits = [{ label: "tenant", max: 2 }];
    const config = compile({ limits });
    expect(config.limits).toEqual(limits);
    expect(config.limits).not.toBe(limits);
  });

  it.each<[unknown, string, string]>([
    ["tenant=2", "limits", 'expected an array of { label, value?, max }, got "tenant=2"'],
    [[null], "limits[0]", "expected { label, value?, max }, got null"],
    [[{ label: "", max: 1 }], "limits[0].label", "must be a non-empty string"],
    [[{ max: 1 }], "limits[0].label", "must be a non-empty string"],
    [[{ label: "a=b", max: 1 }], "limits[0].label", 'must not contain "=", got "a=b"'],
    [
      [
        { label: "tenant", max: 2 },
        { label: "tenant", max: 0 },
      ],
      "limits[1].max",
      "must be an integer of at least 1",
    ],
    [[{ label: "tenant", max: 1.5 }], "limits[0].max", "must be an integer of at least 1"],
    [
      [{ label: "tenant", value: "", max: 1 }],
      "limits[0].value",
      'expected a non-empty string, got ""',
    ],
    [
      [{ label: "tenant", value: 3, max: 1 }],
      "limits[0].value",
      "expected a non-empty string, got 3",
    ],
    [[{ label: "tenant", max: 1, extra: true }], "limits[0].extra", "unknown field"],
  ])("rejects %j from code naming %s", (limits, setting, message) => {
    const err = configError(() => compile({ limits } as BatonOptions));
    expect(err.setting).toBe(setting);
    expect(err.message).toBe(`invalid setting ${setting}: ${message}`);
  });
});
