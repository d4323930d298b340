import { ConfigError } from "../errors.js";
import type { ConcurrencyLimit } from "../placement/concurrency-limit.js";
import { CONFIG_TABLE, type ConfigSetting } from "./defaults.js";
import { setSetting, type BatonOptions } from "./options.js";

const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE_TEXT = new Set(["true", "1"]);
const FALSE_TEXT = new Set(["false", "0"]);

/**
 * Convert a setting written as text (env var or CLI flag) to the value
 * BatonOptions holds. Only the text form is checked here; ranges are checked
 * by compileConfig. `name` is how the user wrote the setting, for errors.
 */
export function parseSettingText(setting: ConfigSetting, text: string, name: string): unknown {
  const trimmed = text.trim();
  switch (setting.kind) {
    case "integer":
    case "number": {
      // Number("") is 0 and Number("0x10") is 16; only plain decimals are accepted.
      if (!NUMBER_TEXT.test(trimmed)) {
        throw new ConfigError(name, `expected a number, got ${JSON.stringify(text)}`);
      }
      return Number(trimmed);
    }
    case "boolean": {
      const lower = trimmed.toLowerCase();
      if (TRUE_TEXT.has(lower)) return true;
      if (FALSE_TEXT.has(lower)) return false;
      throw new ConfigError(name, `expected true, false, 1 or 0, got ${JSON.stringify(text)}`);
    }
    case "logLevel":
      return trimmed.toLowerCase();
    case "limits":
      return parseLimitsText(trimmed, name);
    case "string":
    case "duration":
    case "bytes":
      return trimmed;
  }
}

const MAX_TEXT = /^\d+$/;

/**
 * Parse `tenant=2,tenant:acme=5`: label=max caps every value of the label, label:value=max
 * one value. Empty text means no limits. Errors name the setting and the entry.
 */
export function parseLimitsText(text: string, name: string): ConcurrencyLimit[] {
  if (text.trim() === "") return [];
  return text.split(",").map((raw, i) => {
    const entry = raw.trim();
    const bad = (why: string): ConfigError =>
      new ConfigError(
        name,
        `entry ${i + 1} ${JSON.stringify(entry)}: ${why} (expected label=max or label:value=max)`,
      );
    if (entry === "") throw bad("is empty");
    // The last "=" separates the max, so values may contain "=".
    const eq = entry.lastIndexOf("=");
    if (eq === -1) throw bad("has no =max");
    const target = entry.slice(0, eq);
    const maxText = entry.slice(eq + 1).trim();
    const colon = target.indexOf(":");
    const label = (colon === -1 ? target : target.slice(0, colon)).trim();
    const value = colon === -1 ? undefined : target.slice(colon + 1).trim();
    if (label === "") throw bad("has an empty label");
    // A label with "=" would make limit keys ("label=value") ambiguous.
    if (label.includes("=")) throw bad("has = in its label");
    if (value === "") throw bad("has an empty value after :");
    const max = Number(maxText);
    if (!MAX_TEXT.test(maxText) || !Number.isSafeInteger(max) || max < 1) {
      throw bad(`max must be an integer of at least 1, got ${JSON.stringify(maxText)}`);
    }
    return value === undefined ? { label, max } : { label, value, max };
  });
}

/**
 * Read BATON_* variables into options. Empty values count as unset; unknown
 * BATON_* variables are ignored because other tools may share the prefix.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): BatonOptions {
  const options: BatonOptions = {};
  for (const setting of CONFIG_TABLE) {
    const raw = env[setting.env];
    if (raw === undefined || raw.trim() === "") continue;
    setSetting(options, setting.key, parseSettingText(setting, raw, setting.env));
  }
  return options;
}
