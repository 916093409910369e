import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/main/logger.js";
import { BOT_TOKEN, type Harness, SIGNING_SECRET, startHarness } from "../support/harness.js";
import { replicateOnce } from "../support/replicate-once.js";

/** The harness's configured secrets (test/support/harness.ts), which no line may show. */
const SECRETS = [BOT_TOKEN, SIGNING_SECRET, "source-secret-key", "AKIDsource"];
const TOKEN = /xox[abprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+/;
const SIGNATURE = /v0=[0-9a-f]{16,}/;

describe("logs of a replication at debug level", () => {
  let h: Harness;
  const written: string[] = [];
  beforeAll(async () => {
    // The secrets are not given here: the bot hands them to its logger from the environment.
    const logger = createLogger("debug", { destination: { write: (chunk: string) => written.push(chunk) } });
    h = await startHarness({ copyDurationMs: 200, logger });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("are one JSON object per line, show no secret, token or signature, and carry the request id", async () => {
    const { requestId } = await replicateOnce(h, 'replicate snap-abc12345 to dr-prod as "logs-check"');

    // A careless line: secrets in the message, a nested field and an error's message and stack.
    h.bot.deps.logger.warn(
      {
        requestId,
        nested: { value: `key ${SECRETS[2]}` },
        err: new Error(`failed with ${BOT_TOKEN} and ${SIGNING_SECRET}`),
      },
      `careless: ${BOT_TOKEN} xapp-1-A0-123-abc v0=${"ab12".repeat(16)} ${SECRETS[3]}`,
    );
    const lines = written
      .join("")
      .split("\n")
      .filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(50);
    const records = lines.map((line) => {
      expect(() => JSON.parse(line), line).not.toThrow();
      return JSON.parse(line) as Record<string, unknown>;
    });
    for (const line of lines) {
      for (const secret of SECRETS) expect(line.includes(secret), `${secret} in ${line}`).toBe(false);
      expect(line, "token").not.toMatch(TOKEN);
      expect(line, "signature").not.toMatch(SIGNATURE);
    }
    const careless = records.find((r) => String(r.msg).startsWith("careless"));
    expect(careless?.msg).toBe("careless: [redacted] [redacted] [redacted] [redacted]");
    expect((careless?.err as { stack?: string } | undefined)?.stack).toContain(
      "failed with [redacted] and [redacted]",
    );

    // The bot's own lines about this request name it in a field; so does every line of its job.
    const about = records.filter((r) => r.source !== "slack" && JSON.stringify(r).includes(requestId));
    expect(about.length).toBeGreaterThan(0);
    for (const record of about) expect(record.requestId, JSON.stringify(record)).toBe(requestId);
    const jobLines = records.filter((r) => r.queue === "replication" && r.jobId === requestId);
    expect(jobLines.length).toBeGreaterThan(0);
    for (const record of jobLines) expect(record.requestId).toBe(requestId);
  }, 40_000);

  it("a destination without a read role is flagged at start-up, in a warning naming it", () => {
    const records = written
      .join("")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const flagged = records.filter((r) => String(r.msg).includes("has no read role"));
    expect(flagged.map((r) => r.destination)).toEqual(["dr-blind"]);
    expect(String(flagged[0]?.msg)).toContain("outcome_unknown");
    // pino's warn level
    expect(flagged[0]?.level).toBe(40);
  });
});
