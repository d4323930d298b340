export {
  compileConfig,
  DUPLICATE_WINDOW_MIN_MS,
  HEARTBEAT_MIN_MS,
  LEASE_MAX_MS,
  LEASE_MIN_MS,
  MAX_DELIVERIES_MIN,
  MAX_INPUT_LIMIT_BYTES,
  type ConfigSources,
} from "./compile.js";
export { CONFIG_TABLE, DEFAULT_OPTIONS, type ConfigSetting } from "./defaults.js";
export {
  formatDuration,
  invalidBytesMessage,
  invalidDurationMessage,
  parseBytes,
  parseDuration,
} from "./duration.js";
export { optionsFromEnv, parseLimitsText, parseSettingText } from "./env.js";
export {
  CONFIG_FLAGS,
  configParseArgsOptions,
  flagsToOptions,
  renderConfigTable,
  type ConfigFlag,
  type ConfigParseArgsOption,
  type ParsedFlagValues,
} from "./flags.js";
export {
  getSetting,
  LOG_LEVELS,
  setSetting,
  type BatonConfig,
  type BatonOptions,
  type LogLevel,
  type SettingKey,
  type SettingKind,
} from "./options.js";
