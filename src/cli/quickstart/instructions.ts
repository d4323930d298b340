import { DEFAULT_OPTIONS, type BatonConfig } from "../../config/index.js";
import type { ServerOrigin } from "../server.js";

const TRY = `npx baton submit sleep --input '{"ms":500}' --wait`;

/** Env assignments another shell needs to reach this Baton (beyond the defaults). */
function envFor(config: BatonConfig, url: string | undefined): string {
  const vars: string[] = [];
  if (url) vars.push(`BATON_NATS_URL=${url}`);
  else if (config.dataDir !== DEFAULT_OPTIONS.dataDir)
    vars.push(`BATON_DATA_DIR=${config.dataDir}`);
  if (config.prefix !== DEFAULT_OPTIONS.prefix) vars.push(`BATON_PREFIX=${config.prefix}`);
  return vars.length > 0 ? `${vars.join(" ")} ` : "";
}

/** How to talk to the running quickstart from another terminal. */
export function instructions(config: BatonConfig, origin: ServerOrigin, url: string): string[] {
  const lines = [
    "Baton is running: sleep and research wait for tasks here, summarize and embed in their own",
    "processes (Ctrl-C stops them too), and every state change shows up below. From another",
    "terminal, try:",
    "",
  ];
  if (origin === "configured") {
    lines.push(`  ${envFor(config, url)}${TRY}`, `  ${envFor(config, url)}npx baton tasks`);
  } else {
    const local = envFor(config, undefined);
    lines.push(
      `  ${local}${TRY}`,
      `  ${local}npx baton tasks`,
      "",
      "Run from this directory, the CLI finds the embedded server by itself. From anywhere else:",
      "",
      `  ${envFor(config, url)}${TRY}`,
    );
  }
  lines.push("", "Press Ctrl-C to stop.", "");
  return lines;
}
