import type { Output } from "./command.js";
import { truncate } from "./format.js";

/**
 * A status line on stderr: rewritten in place on a terminal, one plain line per change
 * otherwise (so logs and CI output stay readable).
 */
export class StatusLine {
  private last = "";
  private drawn = false;

  constructor(private readonly out: Output) {}

  update(text: string): void {
    if (text === this.last) return;
    this.last = text;
    if (this.out.isTTY) {
      // A wrapped line cannot be rewritten with \r, so keep it inside the terminal width.
      const width = Math.max(20, (this.out.columns || 80) - 1);
      this.out.write(`\r\x1b[2K${truncate(text, width)}`);
      this.drawn = true;
    } else {
      this.out.write(`${text}\n`);
    }
  }

  /** Ends the line on a terminal so later output starts on a fresh one. */
  end(): void {
    if (!this.drawn) return;
    this.out.write("\n");
    this.drawn = false;
  }
}
