import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import {
  compileGatewayConfig,
  describeGatewaySecurity,
  GATEWAY_SETTINGS,
  isLoopbackHost,
  parseListenAddress,
  renderGatewayConfigTable,
  type GatewayConfigSources,
  type GatewayOptions,
} from "../../src/grpc/server/gateway-config.js";

const dir = mkdtempSync(join(tmpdir(), "baton-gw-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const cert = path("cert.pem", "CERT");
const key = path("key.pem", "KEY");
const ca = path("ca.pem", "CA");

const MAX_INPUT = 256 * 1024;
function compile(
  options?: GatewayOptions,
  sources: Partial<GatewayConfigSources> = {},
): ReturnType<typeof compileGatewayConfig> {
  return compileGatewayConfig(options, { env: {}, maxInputBytes: MAX_INPUT, ...sources });
}
function settingOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.setting;
    throw err;
  }
  return "(no error)";
}

describe("gateway settings", () => {
  it("defaults to loopback, plaintext, no auth, 4MiB messages, 10s shutdown", () => {
    expect(compile()).toEqual({
      address: "127.0.0.1:50051",
      local: true,
      tokens: [],
      insecure: false,
      maxMessageBytes: 4 * 1024 * 1024,
      shutdownTimeoutMs: 10_000,
    });
  });

  it("reads BATON_GATEWAY_* and lets code options, then flags, win", () => {
    const env = {
      BATON_GATEWAY_ADDRESS: "127.0.0.1:7000",
      BATON_GATEWAY_TOKENS: " a, b ,,",
      BATON_GATEWAY_MAX_MESSAGE_SIZE: "8MiB",
      BATON_GATEWAY_SHUTDOWN_TIMEOUT: "3s",
      BATON_GATEWAY_INSECURE: "1",
    };
    const fromEnv = compile(undefined, { env });
    expect(fromEnv).toMatchObject({
      address: "127.0.0.1:7000",
      tokens: ["a", "b"],
      maxMessageBytes: 8 * 1024 * 1024,
      shutdownTimeoutMs: 3000,
      insecure: true,
    });
    expect(compile({ address: "[::1]:7001" }, { env }).address).toBe("[::1]:7001");
    expect(
      compile({ address: "[::1]:7001" }, { env, flags: { address: "localhost:7002" } }).address,
    ).toBe("localhost:7002");
  });

  it("reads tokens from a file and from the list together", () => {
    const file = path("tokens", "# comment\none\n\ntwo\n");
    expect(compile({ auth: { tokens: ["zero"], tokensFile: file } }).tokens).toEqual([
      "zero",
      "one",
      "two",
    ]);
    expect(settingOf(() => compile({ auth: { tokensFile: path("none", "# only\n") } }))).toBe(
      "auth.tokensFile",
    );
    expect(
      settingOf(() =>
        compile(undefined, { env: { BATON_GATEWAY_TOKENS_FILE: join(dir, "missing") } }),
      ),
    ).toBe("BATON_GATEWAY_TOKENS_FILE");
  });

  it("builds TLS and mutual TLS from files, with client auth following the CA", () => {
    const tls = compile({ tls: { certFile: cert, keyFile: key } }).tls;
    expect(tls).toEqual({ cert: Buffer.from("CERT"), key: Buffer.from("KEY"), clientAuth: "none" });
    const mtls = compile({ tls: { certFile: cert, keyFile: key, caFile: ca } }).tls;
    expect(mtls?.clientAuth).toBe("require");
    expect(mtls?.ca?.toString()).toBe("CA");
    expect(
      describeGatewaySecurity(compile({ tls: { certFile: cert, keyFile: key, caFile: ca } })),
    ).toBe("no auth, mutual TLS");
  });

  it("names the setting in every TLS mistake", () => {
    expect(settingOf(() => compile(undefined, { env: { BATON_GATEWAY_TLS_CERT: cert } }))).toBe(
      "BATON_GATEWAY_TLS_CERT",
    );
    expect(settingOf(() => compile(undefined, { flags: { tls: { keyFile: key } } }))).toBe(
      "--tls-key",
    );
    expect(settingOf(() => compile({ tls: { caFile: ca } }))).toBe("tls.caFile");
    expect(
      settingOf(() => compile({ tls: { certFile: cert, keyFile: key, clientAuth: "require" } })),
    ).toBe("tls.clientAuth");
    expect(
      settingOf(() =>
        compile({ tls: { certFile: cert, keyFile: key, caFile: ca, clientAuth: "none" } }),
      ),
    ).toBe("tls.caFile");
    expect(
      settingOf(() =>
        compile(undefined, {
          env: { BATON_GATEWAY_TLS_CLIENT_AUTH: "maybe" },
          flags: { tls: { certFile: cert, keyFile: key } },
        }),
      ),
    ).toBe("BATON_GATEWAY_TLS_CLIENT_AUTH");
    expect(
      settingOf(() => compile({ tls: { certFile: join(dir, "nope.pem"), keyFile: key } })),
    ).toBe("tls.certFile");
  });

  it("refuses a non-loopback address without tokens or TLS unless insecure", () => {
    expect(settingOf(() => compile({ address: "0.0.0.0:50051" }))).toBe("address");
    expect(settingOf(() => compile(undefined, { flags: { address: "10.1.2.3:1" } }))).toBe(
      "--address",
    );
    expect(() => compile(undefined, { env: { BATON_GATEWAY_ADDRESS: "[::]:1" } })).toThrow(
      /BATON_GATEWAY_ADDRESS: \[::\]:1 is not a loopback address.*--insecure/,
    );
    expect(compile({ address: "0.0.0.0:1", insecure: true }).local).toBe(false);
    expect(compile({ address: "0.0.0.0:1", auth: { tokens: ["t"] } }).tokens).toEqual(["t"]);
    expect(
      compile({ address: "0.0.0.0:1", tls: { certFile: cert, keyFile: key } }).tls,
    ).toBeDefined();
    expect(compile({ address: "unix:/tmp/baton.sock" }).local).toBe(true);
  });

  it("keeps the transport limit above maxInputSize + 64KiB", () => {
    expect(settingOf(() => compile({ maxMessageSize: "300KiB" }))).toBe("maxMessageSize");
    expect(compile({ maxMessageSize: "320KiB" }).maxMessageBytes).toBe(320 * 1024);
    expect(
      settingOf(() => compile(undefined, { env: { BATON_GATEWAY_MAX_MESSAGE_SIZE: "lots" } })),
    ).toBe("BATON_GATEWAY_MAX_MESSAGE_SIZE");
  });

  it("rejects unknown options and malformed values, naming them", () => {
    expect(settingOf(() => compile({ adress: "x" } as GatewayOptions))).toBe("adress");
    expect(settingOf(() => compile({ tls: { cert: "x" } } as unknown as GatewayOptions))).toBe(
      "tls.cert",
    );
    expect(settingOf(() => compile({ address: "localhost" }))).toBe("address");
    expect(settingOf(() => compile(undefined, { env: { BATON_GATEWAY_INSECURE: "yes" } }))).toBe(
      "BATON_GATEWAY_INSECURE",
    );
    expect(settingOf(() => compile({ shutdownTimeout: "soon" }))).toBe("shutdownTimeout");
    expect(settingOf(() => compile({ auth: { tokens: ["has space"] } }))).toBe("auth.tokens");
  });

  it("parses listen addresses and knows loopback hosts", () => {
    expect(parseListenAddress("127.0.0.1:50051")).toEqual({
      host: "127.0.0.1",
      port: 50051,
      local: true,
    });
    expect(parseListenAddress("[::1]:0")).toEqual({ host: "::1", port: 0, local: true });
    expect(parseListenAddress("[::]:80")).toEqual({ host: "::", port: 80, local: false });
    expect(parseListenAddress("example.com:443")?.local).toBe(false);
    expect(parseListenAddress("127.0.0.1:70000")).toBeUndefined();
    expect(parseListenAddress("::1:80")).toBeUndefined();
    expect(parseListenAddress("[nothost]:80")).toBeUndefined();
    expect(parseListenAddress(":80")).toBeUndefined();
    for (const h of ["localhost", "127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"]) {
      expect(isLoopbackHost(h)).toBe(true);
    }
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "localhost.example.com"]) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });

  it("documents every setting with an env var, and flags for all but the token list", () => {
    for (const s of GATEWAY_SETTINGS) {
      expect(s.env).toMatch(/^BATON_GATEWAY_[A-Z_]+$/);
      if (s.key !== "auth.tokens") expect(s.flag).toMatch(/^--[a-z-]+$/);
    }
    expect(renderGatewayConfigTable()).toContain("`BATON_GATEWAY_TLS_CLIENT_AUTH`");
  });
});
