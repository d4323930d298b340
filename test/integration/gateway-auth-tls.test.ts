/**
 * Bearer tokens, TLS and mutual TLS on the gateway, and the rule that an unprotected gateway
 * only listens on loopback. Certificates come from Debian's openssl at test time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { createClient, type BatonClient } from "../../src/index.js";
import { startGateway, type Gateway } from "../../src/grpc/server/gateway.js";
import {
  collect,
  GenericClient,
  grpcError,
  reflectionListServices,
  status,
} from "../helpers/grpc-gateway.js";
import { startNats, type TestNats } from "../helpers/nats.js";

let nats: TestNats;
let core: BatonClient;
let dir: string;
const gateways: Gateway[] = [];
const clients: GenericClient[] = [];

const HAS_OPENSSL = spawnSync("openssl", ["version"]).status === 0;

beforeAll(async () => {
  nats = await startNats();
  core = await createClient({ natsUrl: nats.url, prefix: nats.prefix, logLevel: "silent" });
  await core.declareCapability("idle");
  dir = mkdtempSync(join(tmpdir(), "baton-gw-tls-"));
  if (HAS_OPENSSL) makeCertificates(dir);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(gateways.map((g) => g.stop()));
  await core?.close();
  await nats?.[Symbol.asyncDispose]();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function gatewayWith(options: Parameters<typeof startGateway>[0] = {}): Promise<Gateway> {
  const g = await startGateway({ client: core, address: "127.0.0.1:0", env: {}, ...options });
  gateways.push(g);
  return g;
}

function client(address: string, options: ConstructorParameters<typeof GenericClient>[1] = {}) {
  const c = new GenericClient(address, options);
  clients.push(c);
  return c;
}

// ---- certificates ------------------------------------------------------------------------------

function openssl(args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a rogue CA + client. */
function makeCertificates(at: string): void {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  for (const ca of ["ca", "rogue-ca"]) {
    openssl([
      "req",
      "-x509",
      ...ec,
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=Baton test ${ca}`,
    ]);
  }
  writeFileSync(
    join(at, "server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  writeFileSync(join(at, "client.ext"), "extendedKeyUsage=clientAuth\n");
  const leaf = (name: string, ca: string, ext: string): void => {
    openssl([
      "req",
      ...ec,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    ]);
    openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.crt`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      ext,
    ]);
  };
  leaf("server", "ca", "server.ext");
  leaf("client", "ca", "client.ext");
  leaf("rogue-client", "rogue-ca", "client.ext");
}

const file = (name: string): string => join(dir, name);
const pem = (name: string): Buffer => readFileSync(file(name));

// ---- tests --------------------------------------------------------------------------------------

describe("bearer tokens", () => {
  it("auth off on loopback: calls need no token", async () => {
    const g = await gatewayWith();
    expect(g.config.tokens).toEqual([]);
    const rpc = client(g.address);
    const { task } = await rpc.call<{ task: { id: string } }>("SubmitTask", { capability: "idle" });
    expect(task.id).toHaveLength(26);
  });

  it("auth on: every call but health checks needs a known token, streams included", async () => {
    writeFileSync(file("tokens.txt"), "# gateway tokens\n\n  file-token-1  \n# old-token\n");
    const g = await gatewayWith({
      env: { BATON_GATEWAY_TOKENS: "env-token-a, env-token-b" },
      auth: { tokensFile: file("tokens.txt") },
    });
    expect([...g.config.tokens].sort()).toEqual(["env-token-a", "env-token-b", "file-token-1"]);

    const none = client(g.address);
    const wrong = client(g.address, { token: "old-token" });
    const right = client(g.address, { token: "file-token-1" });
    const alsoRight = client(g.address, { token: "env-token-b" });

    for (const rpc of [none, wrong]) {
      const submit = await grpcError(rpc.call("SubmitTask", { capability: "idle" }));
      expect(submit.code).toBe(status.UNAUTHENTICATED);
      expect((await grpcError(rpc.call("ListTasks", {}))).code).toBe(status.UNAUTHENTICATED);
      expect((await grpcError(rpc.clusterCall("ListAgents", {}))).code).toBe(
        status.UNAUTHENTICATED,
      );
      const watch = await grpcError(collect(rpc.watch({ id: "0000000000AAAAAAAAAAAAAAAA" })));
      expect(watch.code).toBe(status.UNAUTHENTICATED);
      await expect(reflectionListServices(g.address, "v1")).rejects.toMatchObject({
        code: status.UNAUTHENTICATED,
      });
      // Probes need no secret.
      expect((await rpc.healthCheck("")).status).toBe("SERVING");
    }
    expect((await grpcError(none.call("GetTask", { id: "x" }))).details).toMatch(/missing bearer/);
    expect((await grpcError(wrong.call("GetTask", { id: "x" }))).details).toBe(
      "invalid bearer token",
    );
    // Nothing was stored by the rejected submits.
    const before = await right.call<{ tasks: unknown[] }>("ListTasks", { pageSize: 1000 });

    const { task } = await right.call<{ task: { id: string } }>("SubmitTask", {
      capability: "idle",
    });
    expect((await alsoRight.call<{ id: string }>("GetTask", { id: task.id })).id).toBe(task.id);
    await right.call("CancelTask", { id: task.id });
    const events = await collect(alsoRight.watch({ id: task.id }));
    expect(events.at(-1)?.stateChange?.state).toBe("TASK_STATE_CANCELLED");
    expect(await reflectionListServices(g.address, "v1alpha", { token: "env-token-a" })).toContain(
      "baton.v1.TaskService",
    );
    const after = await right.call<{ tasks: unknown[] }>("ListTasks", { pageSize: 1000 });
    expect(after.tasks.length).toBe(before.tasks.length + 1);
  });

  it("rejects a tokens file without tokens, naming the setting", async () => {
    writeFileSync(file("empty-tokens.txt"), "# nothing here\n");
    const err = await startGateway({
      client: core,
      env: { BATON_GATEWAY_TOKENS_FILE: file("empty-tokens.txt") },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe("BATON_GATEWAY_TOKENS_FILE");
  });
});

// Skipped only when Debian's openssl is missing: the certificates are made with it.
describe.skipIf(!HAS_OPENSSL)("TLS and mutual TLS (needs openssl)", () => {
  it("TLS: a client trusting the CA connects; plaintext and untrusting clients do not", async () => {
    const g = await gatewayWith({
      tls: { certFile: file("server.crt"), keyFile: file("server.key") },
    });
    expect(g.config.tls?.clientAuth).toBe("none");
    const tls = client(g.address, { credentials: credentials.createSsl(pem("ca.crt")) });
    expect((await tls.healthCheck("")).status).toBe("SERVING");
    const { task } = await tls.call<{ task: { id: string } }>("SubmitTask", { capability: "idle" });
    expect(task.id).toHaveLength(26);

    const plain = client(g.address);
    expect(
      (await grpcError(plain.call("ListTasks", {}, { deadline: Date.now() + 3000 }))).code,
    ).toBe(status.UNAVAILABLE);
    const untrusting = client(g.address, {
      credentials: credentials.createSsl(pem("rogue-ca.crt")),
    });
    expect(
      (await grpcError(untrusting.call("ListTasks", {}, { deadline: Date.now() + 3000 }))).code,
    ).toBe(status.UNAVAILABLE);
  });

  it("mutual TLS: only clients with a certificate from the CA get in", async () => {
    const g = await gatewayWith({
      env: {
        BATON_GATEWAY_TLS_CERT: file("server.crt"),
        BATON_GATEWAY_TLS_KEY: file("server.key"),
        BATON_GATEWAY_TLS_CA: file("ca.crt"),
        BATON_GATEWAY_TLS_CLIENT_AUTH: "require",
      },
    });
    expect(g.config.tls?.clientAuth).toBe("require");
    const good = client(g.address, {
      credentials: credentials.createSsl(pem("ca.crt"), pem("client.key"), pem("client.crt")),
    });
    expect((await good.call<{ tasks: unknown[] }>("ListTasks", {})).tasks).toBeDefined();

    const noCert = client(g.address, { credentials: credentials.createSsl(pem("ca.crt")) });
    expect(
      (await grpcError(noCert.call("ListTasks", {}, { deadline: Date.now() + 3000 }))).code,
    ).toBe(status.UNAVAILABLE);
    const rogue = client(g.address, {
      credentials: credentials.createSsl(
        pem("ca.crt"),
        pem("rogue-client.key"),
        pem("rogue-client.crt"),
      ),
    });
    expect(
      (await grpcError(rogue.call("ListTasks", {}, { deadline: Date.now() + 3000 }))).code,
    ).toBe(status.UNAVAILABLE);
  });

  it("tokens and mutual TLS together: both are required", async () => {
    const g = await gatewayWith({
      auth: { tokens: ["t0k3n"] },
      tls: { certFile: file("server.crt"), keyFile: file("server.key"), caFile: file("ca.crt") },
    });
    const creds = (): ReturnType<typeof credentials.createSsl> =>
      credentials.createSsl(pem("ca.crt"), pem("client.key"), pem("client.crt"));
    const withToken = client(g.address, { credentials: creds(), token: "t0k3n" });
    const withoutToken = client(g.address, { credentials: creds() });
    expect((await withToken.call<{ tasks: unknown[] }>("ListTasks", {})).tasks).toBeDefined();
    expect((await grpcError(withoutToken.call("ListTasks", {}))).code).toBe(status.UNAUTHENTICATED);
  });
});

describe("loopback rule", () => {
  it("refuses a non-loopback address without tokens or TLS, naming the way out", async () => {
    const err = await startGateway({
      client: core,
      env: { BATON_GATEWAY_ADDRESS: "0.0.0.0:0" },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe("BATON_GATEWAY_ADDRESS");
    expect((err as Error).message).toMatch(/not a loopback address/);
    expect((err as Error).message).toMatch(/BATON_GATEWAY_INSECURE=true/);
  });

  it("serves a non-loopback address with --insecure, with tokens, or with TLS", async () => {
    const insecure = await gatewayWith({ address: "0.0.0.0:0", insecure: true });
    expect((await client(`127.0.0.1:${insecure.port}`).healthCheck("")).status).toBe("SERVING");
    const tokens = await gatewayWith({ address: "0.0.0.0:0", auth: { tokens: ["x"] } });
    expect(tokens.address).toBe(`0.0.0.0:${tokens.port}`);
    if (HAS_OPENSSL) {
      await gatewayWith({
        address: "0.0.0.0:0",
        tls: { certFile: file("server.crt"), keyFile: file("server.key") },
      });
    }
  });
});
