import { CONFIG_TABLE, type BatonConfig } from "../../config/index.js";
import type { FlagValues } from "../command.js";

/**
 * The environment of a peer agent process: this one's, plus the settings given to the
 * quickstart as flags, on the same NATS server, prefix and log level.
 */
export function peerEnv(
  env: NodeJS.ProcessEnv,
  values: FlagValues,
  config: BatonConfig,
  natsUrl: string,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const setting of CONFIG_TABLE) {
    const raw = values[setting.flag.replace(/^--/, "")];
    // A repeated flag means the last one wins, as in flagsToOptions.
    const value = typeof raw === "object" ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[setting.env] = String(value);
  }
  out.BATON_NATS_URL = natsUrl;
  out.BATON_PREFIX = config.prefix;
  out.BATON_DATA_DIR = config.dataDir;
  // Without it `baton agent` logs at info; the quickstart's terminal is for its narration.
  out.BATON_LOG_LEVEL = config.logLevel;
  // A fixed peer port or advertised address belongs to one process; each peer picks its own.
  out.BATON_PEER_PORT = "0";
  delete out.BATON_PEER_ADVERTISE;
  return out;
}
