/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Incremental parser for `text/event-stream` (WHATWG HTML, "Server-sent events"): feed it text
 * as it arrives, in pieces of any size, and it returns the events completed so far. Lines may end
 * in CRLF, LF or CR, even when a CRLF is split between two pieces.
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | undefined;
  private started = false;
  /** The last piece ended in CR, so an LF starting the next one belongs to that line end. */
  private afterCR = false;

  push(text: string): SseEvent[] {
    let piece = text;
    if (!this.started && piece.length > 0) {
      this.started = true;
      if (piece.startsWith("\uFEFF")) piece = piece.slice(1);
    }
    if (this.afterCR && piece.startsWith("\n")) piece = piece.slice(1);
    if (piece.length > 0) this.afterCR = false;
    const buf = this.buffer + piece;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c !== "\n" && c !== "\r") continue;
      this.line(buf.slice(start, i), events);
      if (c === "\r") {
        if (i + 1 === buf.length) this.afterCR = true;
        else if (buf[i + 1] === "\n") i++;
      }
      start = i + 1;
    }
    this.buffer = buf.slice(start);
    return events;
  }

  /**
   * Ends the stream. Unlike a browser, this also dispatches a last event that has no blank
   * line after it: some servers close right after `data: [DONE]`.
   */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.buffer.length > 0) this.line(this.buffer, events);
    this.buffer = "";
    this.line("", events);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) {
        const id = this.id;
        events.push({
          event: this.event || "message",
          data: this.data.join("\n"),
          ...(id ? { id } : {}),
        });
      }
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) return; // comment, used as a keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    // "retry" and unknown fields are ignored: the runtime, not the stream, decides on retries.
  }
}
