import { utf8 } from "./utf8.js";

const VALID_NAME = /^[!-9;-~]+$/;

/**
 * NATS message headers written straight in their wire form. nats.js's MsgHdrs keeps a Map,
 * checks and searches its keys on every set and encodes with TextEncoder; the task path sends
 * five or six headed messages per task, and that showed as about 5 KB of garbage per task. Only
 * `encode` is what a publish reads.
 */
export class HeaderBlock {
  private text = "NATS/1.0";

  /**
   * Adds a `name: value` line (a second add of a name adds a second line); throws on a name or
   * value NATS cannot carry, as MsgHdrs does.
   */
  add(name: string, value: string): this {
    if (!VALID_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n]/.test(value)) throw new TypeError(`header ${name}: value has a CR or LF`);
    this.text += `\r\n${name}: ${value.trim()}`;
    return this;
  }

  encode(): Uint8Array {
    return utf8(`${this.text}\r\n\r\n`);
  }
}
