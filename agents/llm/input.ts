import { Ajv } from "ajv";
import { TerminalError, ValidationError } from "../../src/errors.js";
import { validateInput } from "../../src/registry/capabilities.js";
import { s, type Infer } from "../../src/sdk/schema.js";

export const chatInput = s.object({
  messages: s.array(
    s.object({
      role: s.enum(["system", "user", "assistant"]),
      content: s.string(),
    }),
    { minItems: 1, description: "The conversation so far, oldest first" },
  ),
  maxTokens: s.optional(s.integer({ minimum: 1, description: "Most tokens to generate" })),
  temperature: s.optional(
    s.number({ minimum: 0, maximum: 2, description: "Sampling temperature" }),
  ),
});
export type ChatInput = Infer<typeof chatInput>;

const validate = new Ajv({ strict: false }).compile(chatInput.schema);

/** Checks the input again in the handler: delegated or replayed tasks may skip submit checks. */
export function parseInput(input: unknown): ChatInput {
  try {
    validateInput(validate, input);
  } catch (err) {
    if (err instanceof ValidationError) throw new TerminalError(err.message, { cause: err });
    throw err;
  }
  return input as ChatInput;
}
