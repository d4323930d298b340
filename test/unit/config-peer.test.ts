import { hostname } from "node:os";
import { compile, configError, parseFlags } from "../helpers/config.js";
import { describe, expect, it } from "vitest";
import { CONFIG_TABLE, type BatonOptions } from "../../src/config/index.js";
import { advertisedPeerAddress, joinHostPort } from "../../src/grpc/peer/server.js";

describe("peer service settings", () => {
  it("default to loopback, any free port, and an advertise address derived later", () => {
    const config = compile();
    expect(config.peerHost).toBe("127.0.0.1");
    expect(config.peerPort).toBe(0);
    expect(config.peerAdvertise).toBeUndefined();
  });

  it("are documented in CONFIG_TABLE with env vars and flags", () => {
    const rows = CONFIG_TABLE.filter((s) => s.key.startsWith("peer"));
    expect(rows.map((s) => [s.key, s.env, s.flag, s.kind])).toEqual([
      ["peerHost", "BATON_PEER_HOST", "--peer-host", "string"],
      ["peerPort", "BATON_PEER_PORT", "--peer-port", "integer"],
      ["peerAdvertise", "BATON_PEER_ADVERTISE", "--peer-advertise", "string"],
    ]);
    for (const row of rows) expect(row.description.length).toBeGreaterThan(20);
  });

  it("read from env, code and flags, flags winning", () => {
    const env = {
      BATON_PEER_HOST: "0.0.0.0",
      BATON_PEER_PORT: "7000",
      BATON_PEER_ADVERTISE: "agent-1.internal:7000",
    };
    expect(compile({}, env)).toMatchObject({
      peerHost: "0.0.0.0",
      peerPort: 7000,
      peerAdvertise: "agent-1.internal:7000",
    });
    const config = compile(
      { peerPort: 7001 },
      env,
      parseFlags(["--peer-host", "::", "--peer-advertise", "[fd00::1]:7002"]),
    );
    expect(config).toMatchObject({
      peerHost: "::",
      peerPort: 7001,
      peerAdvertise: "[fd00::1]:7002",
    });
  });

  it("accepts a bracketed IPv6 host and stores it bare", () => {
    expect(compile({ peerHost: "[::1]" }).peerHost).toBe("::1");
    expect(compile({ peerHost: "my-host.local" }).peerHost).toBe("my-host.local");
  });

  it.each<[string, NodeJS.ProcessEnv]>([
    ["BATON_PEER_HOST", { BATON_PEER_HOST: "127.0.0.1:7000" }],
    ["BATON_PEER_HOST", { BATON_PEER_HOST: "a host" }],
    ["BATON_PEER_PORT", { BATON_PEER_PORT: "65536" }],
    ["BATON_PEER_PORT", { BATON_PEER_PORT: "-1" }],
    ["BATON_PEER_PORT", { BATON_PEER_PORT: "80.5" }],
    ["BATON_PEER_PORT", { BATON_PEER_PORT: "port" }],
    ["BATON_PEER_ADVERTISE", { BATON_PEER_ADVERTISE: "agent-1.internal" }],
    ["BATON_PEER_ADVERTISE", { BATON_PEER_ADVERTISE: "agent-1:0" }],
    ["BATON_PEER_ADVERTISE", { BATON_PEER_ADVERTISE: "fd00::1:7000" }],
  ])("name %s in errors", (setting, env) => {
    const err = configError(() => compile({}, env));
    expect(err.setting).toBe(setting);
    expect(err.message.startsWith(`invalid setting ${setting}: `)).toBe(true);
  });

  it.each<[string, BatonOptions]>([
    ["peerHost", { peerHost: "" }],
    ["peerPort", { peerPort: 70_000 }],
    ["peerAdvertise", { peerAdvertise: " " }],
  ])("name the code option %s in errors", (setting, options) => {
    expect(configError(() => compile(options)).setting).toBe(setting);
  });

  it("name the flag in errors", () => {
    expect(configError(() => compile({}, {}, parseFlags(["--peer-port", "99999"]))).setting).toBe(
      "--peer-port",
    );
  });
});

describe("advertisedPeerAddress", () => {
  it("uses the advertise setting when given", () => {
    expect(advertisedPeerAddress("0.0.0.0", 7000, "agent-1:9000")).toBe("agent-1:9000");
  });

  it("uses the bound host and port", () => {
    expect(advertisedPeerAddress("127.0.0.1", 41234, undefined)).toBe("127.0.0.1:41234");
    expect(advertisedPeerAddress("::1", 41234, undefined)).toBe("[::1]:41234");
  });

  it("uses the host name for a wildcard bind", () => {
    expect(advertisedPeerAddress("0.0.0.0", 7000, undefined)).toBe(`${hostname()}:7000`);
    expect(advertisedPeerAddress("::", 7000, undefined)).toBe(`${hostname()}:7000`);
  });

  it("brackets IPv6 hosts once", () => {
    expect(joinHostPort("fd00::1", 1)).toBe("[fd00::1]:1");
    expect(joinHostPort("[fd00::1]", 1)).toBe("[fd00::1]:1");
  });
});
