const OFF_TEXT = new Set(["off", "false", "0", "no"]);
const ON_TEXT = new Set(["on", "true", "1", "yes"]);

/** BATON_TRACING as a boolean: on/off (or true/false/1/0); undefined when it is neither. */
export function parseTracingSwitch(value: string | boolean | undefined): boolean | undefined {
  if (typeof value === "boolean") return value;
  const text = value?.trim().toLowerCase();
  if (text === undefined || text === "") return undefined;
  if (OFF_TEXT.has(text)) return false;
  if (ON_TEXT.has(text)) return true;
  return undefined;
}
