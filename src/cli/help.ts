import { CONFIG_TABLE } from "../config/index.js";
import type { Command } from "./command.js";

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

function optionRows(cmd: Command): [string, string][] {
  const rows: [string, string][] = Object.entries(cmd.options).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : "    ";
    const value = o.type === "string" ? ` <${o.value ?? "value"}>` : "";
    return [`${short}--${name}${value}`, o.description];
  });
  rows.push(["-h, --help", "Show this help"]);
  return rows;
}

export function commandHelp(cmd: Command): string {
  const lines = cmd.usage.map((u, i) => `${i === 0 ? "Usage:" : "      "} baton ${u}`);
  lines.push("", cmd.summary + ".");
  if (cmd.description) lines.push("", ...wrap(cmd.description, 96, ""));
  lines.push("", "Options:");
  const rows = optionRows(cmd);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  lines.push(
    "",
    "Configuration flags (--nats-url, --prefix, --lease, ...) and BATON_* variables apply too:",
    "see `baton help config`.",
  );
  return lines.join("\n");
}

export function generalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: baton <command> [options]",
    "",
    "Baton runs durable multi-step tasks on NATS JetStream.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${"help".padEnd(width)}  Show help for a command, or \`baton help config\``,
    "",
    "Run `baton <command> --help` for a command's options.",
  ].join("\n");
}

export function configHelp(): string {
  const lines = [
    "Configuration: defaults < BATON_* environment < flags. Durations take units (250ms, 30s, 5m).",
    "",
  ];
  for (const s of CONFIG_TABLE) {
    const value = s.kind === "boolean" ? "" : " <value>";
    lines.push(`  ${s.flag}${value}   ${s.env}   (default: ${s.default})`);
    lines.push(...wrap(s.description, 92, "      "));
  }
  return lines.join("\n");
}
