import { describe, expect, it } from "vitest";
import { CancelledError } from "../../src/errors.js";
import { createMockContext } from "../../src/sdk/testing.js";
import sleep from "./index.js";

describe("sleep agent", () => {
  it("fails as planned, then resumes on retry without re-running finished steps", async () => {
    const mock = createMockContext({ ms: 10, steps: 2, failTimes: 1 });
    await expect(mock.run(sleep.handler)).rejects.toThrow(/planned failure/);
    mock.retry();
    expect(await mock.run(sleep.handler)).toMatchObject({ slept: 10, steps: 2, attempt: 2 });
    expect(mock.ranSteps).toEqual(["sleep-1", "sleep-2"]);
  });

  it("stops sleeping when cancelled", async () => {
    const mock = createMockContext({ ms: 60_000 });
    const running = mock.run(sleep.handler);
    mock.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledError);
  });

  it("rejects bad input without retry", async () => {
    const mock = createMockContext({ ms: -1 });
    await expect(mock.run(sleep.handler)).rejects.toThrow(/input\.ms/);
  });
});
