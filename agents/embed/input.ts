import { Ajv } from "ajv";
import { TerminalError, ValidationError } from "../../src/errors.js";
import { validateInput } from "../../src/registry/capabilities.js";
import { s, type Infer } from "../../src/sdk/schema.js";

export const DEFAULT_DIMS = 256;
/** Most numbers one result may hold (texts x dims), so results stay a sane message size. */
export const MAX_VALUES = 65_536;

export const embedInput = s.object({
  texts: s.array(s.string(), { minItems: 1, maxItems: 256, description: "Texts to embed" }),
  dims: s.optional(
    s.integer({ minimum: 16, maximum: 4096, description: "Vector length (default 256)" }),
  ),
});
export type EmbedInput = Infer<typeof embedInput>;

const validate = new Ajv({ strict: false }).compile(embedInput.schema);

/** Checks the input again in the handler: delegated or replayed tasks may skip submit checks. */
export function parseInput(input: unknown): Required<EmbedInput> {
  try {
    validateInput(validate, input);
  } catch (err) {
    if (err instanceof ValidationError) throw new TerminalError(err.message, { cause: err });
    throw err;
  }
  const { texts, dims = DEFAULT_DIMS } = input as EmbedInput;
  if (texts.length * dims > MAX_VALUES) {
    throw new TerminalError(
      `input: texts.length x dims is ${texts.length * dims}, at most ${MAX_VALUES}: ` +
        "send fewer texts per task or ask for fewer dims",
    );
  }
  return { texts, dims };
}
