import { describe, expect, it } from "vitest";
import { loadBotConfigFile } from "../../src/config/load-config.js";

describe("bot.config.example.yml", () => {
  it("is a valid configuration, so copying it is a working start", () => {
    const config = loadBotConfigFile(new URL("../../bot.config.example.yml", import.meta.url).pathname);
    expect(Object.keys(config.destinations)).toEqual(["dr-prod"]);
    expect(config.replication.pollInterval).toBe(15_000);
  });
});
