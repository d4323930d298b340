/**
 * docker-compose.yml cannot be started here (no Docker engine), so check what would break it
 * silently: settings Baton does not know, agent modules that do not exist, peers advertising
 * another service's name, and Prometheus scraping hosts or ports nobody serves.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_TABLE } from "../../src/config/index.js";
import { GATEWAY_SETTINGS } from "../../src/grpc/server/gateway-config.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}
interface Compose {
  services: Record<string, Service>;
}
interface PromConfig {
  rule_files?: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}

const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), {
  merge: true,
}) as Compose;
const prometheus = parse(
  readFileSync(join(ROOT, "deploy/prometheus/prometheus.yml"), "utf8"),
) as PromConfig;
const batonServices = Object.entries(compose.services).filter(([, s]) => s.build === ".");

/** Variables Baton reads besides its settings table. */
const OTHER_BATON_VARS = new Set(["BATON_LOG_FORMAT"]);

describe("docker-compose.yml", () => {
  it("runs the gateway and the example agents from the repository's image", () => {
    expect(existsSync(join(ROOT, "Dockerfile"))).toBe(true);
    const roles = batonServices.map(([, s]) => s.command?.[0]);
    expect(roles).toContain("gateway");
    expect(roles.filter((r) => r === "agent").length).toBeGreaterThanOrEqual(3);
    for (const [name, s] of batonServices) {
      if (s.command?.[0] !== "agent") continue;
      for (const module of s.command.slice(1)) {
        expect(existsSync(join(ROOT, module, "index.ts")), `${name}: ${module}`).toBe(true);
      }
    }
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(["nats", "jaeger", "prometheus"]),
    );
  });

  it("sets only settings Baton knows", () => {
    const known = new Set<string>([
      ...CONFIG_TABLE.map((row) => row.env),
      ...GATEWAY_SETTINGS.map((s) => s.env),
      ...OTHER_BATON_VARS,
    ]);
    for (const [name, s] of batonServices) {
      for (const key of Object.keys(s.environment ?? {})) {
        if (key.startsWith("BATON_")) expect(known.has(key), `${name}: ${key}`).toBe(true);
      }
    }
  });

  it("has every agent advertise its own service name to peers", () => {
    for (const [name, s] of batonServices) {
      if (s.command?.[0] !== "agent") continue;
      const env = s.environment ?? {};
      expect(env.BATON_PEER_ADVERTISE, name).toBe(`${name}:${env.BATON_PEER_PORT}`);
    }
  });

  it("is scraped by Prometheus on the ports the services serve", () => {
    const targets = prometheus.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((sc) => sc.targets),
    );
    const served = batonServices.map(([name, s]) => {
      const env = s.environment ?? {};
      const http = env.BATON_GATEWAY_HTTP;
      const port = s.command?.[0] === "gateway" ? http?.split(":").at(-1) : env.BATON_METRICS_PORT;
      return `${name}:${port}`;
    });
    expect([...targets].sort()).toEqual([...served].sort());
    for (const file of prometheus.rule_files ?? []) {
      expect(existsSync(join(ROOT, "deploy/prometheus", file)), file).toBe(true);
    }
  });
});
