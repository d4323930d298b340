import { Ajv } from "ajv";
import { TerminalError, ValidationError } from "../../src/errors.js";
import { validateInput } from "../../src/registry/capabilities.js";
import { s, type Infer } from "../../src/sdk/schema.js";

export const DEFAULT_TOP = 3;
export const MAX_DOCUMENTS = 32;

export const researchInput = s.object({
  question: s.string({ minLength: 1, description: "What to answer from the documents" }),
  documents: s.array(
    s.object({
      id: s.string({ minLength: 1, maxLength: 128, description: "Cited as [id] in the answer" }),
      text: s.string({ minLength: 1, description: "Plain text of the document" }),
    }),
    { minItems: 1, maxItems: MAX_DOCUMENTS },
  ),
  top: s.optional(
    s.integer({ minimum: 1, maximum: MAX_DOCUMENTS, description: "Summaries in the answer (3)" }),
  ),
});
export type ResearchInput = Infer<typeof researchInput>;

const ranked = s.object({ id: s.string(), score: s.number(), summary: s.string() });
export const researchOutput = s.object({ answer: s.string(), ranked: s.array(ranked) });
export type ResearchOutput = Infer<typeof researchOutput>;
export type Ranked = Infer<typeof ranked>;

const validate = new Ajv({ strict: false }).compile(researchInput.schema);

/** Checks the input again in the handler: delegated or replayed tasks may skip submit checks. */
export function parseInput(input: unknown): ResearchInput {
  try {
    validateInput(validate, input);
  } catch (err) {
    if (err instanceof ValidationError) throw new TerminalError(err.message, { cause: err });
    throw err;
  }
  return input as ResearchInput;
}
