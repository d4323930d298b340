import { ConfigError } from "../errors.js";
import { CONFIG_TABLE, type ConfigSetting } from "./defaults.js";
import { parseSettingText } from "./env.js";
import { setSetting, type BatonOptions, type SettingKey } from "./options.js";

export { CONFIG_TABLE };

/** One configuration setting as a CLI flag. */
export interface ConfigFlag {
  /** parseArgs option name, without dashes: "lease". */
  readonly name: string;
  /** As typed on the command line: "--lease". */
  readonly flag: string;
  readonly type: "string" | "boolean";
  readonly key: SettingKey;
  readonly description: string;
}

export const CONFIG_FLAGS: readonly ConfigFlag[] = Object.freeze(
  CONFIG_TABLE.map((setting): ConfigFlag => ({
    name: setting.flag.replace(/^--/, ""),
    flag: setting.flag,
    type: setting.kind === "boolean" ? "boolean" : "string",
    key: setting.key,
    description: setting.description,
  })),
);

export type ConfigParseArgsOption = { type: "string" } | { type: "boolean" };

/** The `options` object for node:util parseArgs covering every config flag. */
export function configParseArgsOptions(): Record<string, ConfigParseArgsOption> {
  const options: Record<string, ConfigParseArgsOption> = {};
  for (const f of CONFIG_FLAGS) options[f.name] = { type: f.type };
  return options;
}

/** The shape of parseArgs `values`. */
export type ParsedFlagValues = Readonly<
  Record<string, string | boolean | readonly (string | boolean)[] | undefined>
>;

/**
 * Convert parseArgs `values` to BatonOptions. Keys that are not config
 * flags (say, --help) are ignored. Errors name the flag.
 */
export function flagsToOptions(values: ParsedFlagValues): BatonOptions {
  const options: BatonOptions = {};
  const byName = new Map<string, ConfigSetting>(
    CONFIG_TABLE.map((s) => [s.flag.replace(/^--/, ""), s]),
  );
  for (const [name, raw] of Object.entries(values)) {
    const setting = byName.get(name);
    if (setting === undefined || raw === undefined) continue;
    // A repeated flag (multiple: true) means the last one wins, as usual for CLIs.
    const value = typeof raw === "string" || typeof raw === "boolean" ? raw : raw[raw.length - 1];
    if (value === undefined) continue;
    if (typeof value === "boolean") {
      if (setting.kind !== "boolean") throw new ConfigError(setting.flag, "expects a value");
      setSetting(options, setting.key, value);
      continue;
    }
    setSetting(options, setting.key, parseSettingText(setting, value, setting.flag));
  }
  return options;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** The configuration reference as a Markdown table, for the README and `baton --help`. */
export function renderConfigTable(): string {
  const rows = [
    "| Option | Environment | Flag | Default | Description |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const s of CONFIG_TABLE) {
    rows.push(
      `| \`${s.key}\` | \`${s.env}\` | \`${s.flag}\` | ${cell(s.default)} | ${cell(s.description)} |`,
    );
  }
  return rows.join("\n");
}
