// Polling that pauses while the tab is hidden and never overlaps itself.

const status = () => document.getElementById("status");

/**
 * Shows the last API failure in the header, or clears it.
 * @param {unknown} err
 */
export function reportError(err) {
  const el = status();
  if (!el) return;
  el.textContent = err ? `⚠ ${err instanceof Error ? err.message : String(err)}` : "";
  el.classList.toggle("error", Boolean(err));
}

/**
 * Runs `fn` now and every `ms` until the returned stop function is called.
 * @param {() => Promise<void>} fn
 * @param {number} ms
 * @returns {() => void}
 */
export function poll(fn, ms) {
  let stopped = false;
  let running = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden && !running) {
      running = true;
      try {
        await fn();
        reportError(undefined);
      } catch (err) {
        reportError(err);
      } finally {
        running = false;
      }
    }
    if (!stopped) timer = setTimeout(() => void tick(), ms);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
