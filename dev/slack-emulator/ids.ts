import { randomBytes } from "node:crypto";

/** Makes Slack-shaped identifiers: unique, increasing message timestamps and random ids. */
export class IdFactory {
  private lastMicros = 0;
  private counter = 0;

  /** A message ts like "1764000000.000100": wall-clock based, strictly increasing, never repeated. */
  nextTs(): string {
    const micros = Math.max(this.lastMicros + 1, Date.now() * 1000);
    this.lastMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, "0");
    return `${seconds}.${fraction}`;
  }

  /** A trigger id like "1764000000123.1234567890.0a1b2c3d4e5f". */
  triggerId(): string {
    return `${Date.now()}${this.nextCounter()}.${Math.floor(1e9 + Math.random() * 9e9)}.${hex(16)}`;
  }

  /** An id with a Slack prefix, e.g. `V` for views: "V0A1B2C3D4E". */
  prefixed(prefix: string): string {
    return `${prefix}0${hex(10).toUpperCase()}`;
  }

  /** An opaque token for response_url paths. */
  responseId(): string {
    return `${this.nextCounter()}-${hex(12)}`;
  }

  private nextCounter(): number {
    this.counter += 1;
    return this.counter;
  }
}

function hex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);
}
