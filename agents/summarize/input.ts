import { Ajv } from "ajv";
import { TerminalError, ValidationError } from "../../src/errors.js";
import { validateInput } from "../../src/registry/capabilities.js";
import { s, type Infer } from "../../src/sdk/schema.js";

export const summarizeInput = s.object({
  text: s.string({ minLength: 1, description: "Plain text to summarise" }),
  maxSentences: s.optional(
    s.integer({ minimum: 1, maximum: 1000, description: "Most sentences to keep (default 3)" }),
  ),
  ratio: s.optional(
    s.number({ exclusiveMinimum: 0, maximum: 1, description: "Fraction of sentences to keep" }),
  ),
});
export type SummarizeInput = Infer<typeof summarizeInput>;

const validate = new Ajv({ strict: false }).compile(summarizeInput.schema);

/** Checks the input again in the handler: delegated or replayed tasks may skip submit checks. */
export function parseInput(input: unknown): SummarizeInput {
  try {
    validateInput(validate, input);
  } catch (err) {
    if (err instanceof ValidationError) throw new TerminalError(err.message, { cause: err });
    throw err;
  }
  return input as SummarizeInput;
}
