import { ValidationError } from "../errors.js";

/**
 * Records a step name for this attempt. Names are the keys of stored results, so the runtime
 * and the mock context both reject empty names and a name used twice in one attempt.
 */
export function claimStepName(used: Set<string>, name: unknown): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new ValidationError("step.name", "must be a non-empty string");
  }
  if (used.has(name))
    throw new ValidationError("step.name", `step "${name}" ran twice in one attempt`);
  used.add(name);
  return name;
}
