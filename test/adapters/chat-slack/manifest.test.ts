import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SLASH_COMMAND } from "../../../src/adapters/chat-slack/slack-ids.js";

const schemaPath = new URL(
  "../../fixtures/slack-manifest-schema/slack-app-manifest.schema.1.0.0.json",
  import.meta.url,
);
const manifest = parse(readFileSync(new URL("../../../manifest.yml", import.meta.url), "utf8")) as {
  features: { slash_commands: Array<{ command: string; url: string }> };
  settings: { interactivity: { is_enabled: boolean; request_url: string } };
};

describe("manifest.yml", () => {
  it("is valid against Slack's public app manifest schema", () => {
    const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as object;
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    const validate = ajv.compile(schema);
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("declares the slash command the bot listens to, and sends everything to /slack/events", () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toContain(SLASH_COMMAND);
    for (const c of manifest.features.slash_commands) expect(c.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity).toMatchObject({ is_enabled: true });
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });
});
