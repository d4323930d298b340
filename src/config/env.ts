import { ConfigError } from "../errors.js";
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
    case "string":
    case "duration":
    case "bytes":
      return trimmed;
  }
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
