import { describe, expect, it, vi } from "vitest";
import { ChildLinks } from "../../src/dispatch/child-links.js";
import { gate } from "../helpers/core.js";

/** A ChildLinks whose writes wait for the test to let them finish. */
function links(): { links: ChildLinks; writes: string[][]; finish: () => void } {
  const writes: string[][] = [];
  let open = gate();
  const l = new ChildLinks(async (ids) => {
    writes.push([...ids]);
    await open.promise;
  });
  return {
    links: l,
    writes,
    finish: () => {
      open.open();
      open = gate();
    },
  };
}

describe("ChildLinks", () => {
  it("writes the children stored while a write is in flight together, in one more write", async () => {
    const t = links();
    const first = t.links.link("a");
    const rest = [t.links.link("b"), t.links.link("c")];
    expect(t.writes).toEqual([["a"]]);
    t.finish();
    await vi.waitFor(() => expect(t.writes).toEqual([["a"], ["b", "c"]]));
    t.finish();
    await Promise.all([first, ...rest]);
  });

  it("writes a child linked in the very turn the last write ends", async () => {
    const writes: string[][] = [];
    let late: Promise<void> | undefined;
    const l = new ChildLinks(async (ids) => {
      writes.push([...ids]);
      await Promise.resolve();
      // Runs once the loop has seen nothing waiting, before anything awaiting it resumes.
      if (!late)
        queueMicrotask(() =>
          queueMicrotask(() => {
            late = l.link("b");
          }),
        );
    });
    await l.link("a");
    await vi.waitFor(() => expect(late).toBeDefined());
    await late;
    expect(writes).toEqual([["a"], ["b"]]);
  });

  it("rejects the children of a failed write; a later link writes those still waiting", async () => {
    const writes: string[][] = [];
    let fail = true;
    const hold = gate();
    const l = new ChildLinks(async (ids) => {
      writes.push([...ids]);
      await hold.promise;
      if (fail) throw new Error("no NATS");
    });
    const a = l.link("a");
    const b = l.link("b"); // waits for a's write; that write fails before b's starts
    hold.open();
    await expect(a).rejects.toThrow("no NATS");
    await expect(b).rejects.toThrow("no NATS");
    fail = false;
    await l.link("c");
    expect(writes).toEqual([["a"], ["b", "c"]]);
  });
});
