import { defineAgent } from "../../src/sdk/define-agent.js";
import { streamChat, type ChatResult } from "./chat.js";
import { readConfig } from "./config.js";
import { chatInput, parseInput } from "./input.js";

/** Chat completion against any OpenAI-compatible endpoint, streaming text via `ctx.emit`. */
export default defineAgent<unknown, ChatResult>({
  name: "llm",
  capabilities: ["llm"],
  // Waiting on the network, not the CPU: one process can hold many calls open.
  concurrency: 8,
  // Bounds a stalled server; long generations can ask for more with the task's own timeout.
  timeout: "10m",
  inputSchema: chatInput.schema,
  handler: async (ctx) => {
    const input = parseInput(ctx.input);
    const config = readConfig();
    ctx.log.debug({ model: config.model, url: config.baseUrl }, "chat completion");
    // A step, so a redelivery after the answer is in (say a lost lease) does not pay for it twice.
    return ctx.step("completion", () =>
      streamChat(config, input, { signal: ctx.signal, onDelta: (text) => ctx.emit(text) }),
    );
  },
});
