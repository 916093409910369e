import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SLASH_COMMAND } from "../../../src/adapters/chat-slack/slack-ids.js";
import { USAGE } from "../../../src/core/command.grammar.js";

/**
 * manifest.yml asks for the bot scopes the code needs and no more. The code is read for the Slack
 * Web API methods it calls (`client.<ns>.<method>(`, Bolt's `say`) and the Bolt listeners it
 * registers; each maps to the scope Slack documents for it (null: none needed).
 */
const SCOPE_OF_METHOD: Record<string, string | null> = {
  "chat.postMessage": "chat:write",
  "chat.postEphemeral": "chat:write",
  "chat.update": "chat:write",
  "chat.delete": "chat:write",
  "chat.getPermalink": null,
  "views.open": null,
  "views.update": null,
  "views.push": null,
  "views.publish": null,
  "users.info": "users:read",
  "usergroups.users.list": "usergroups:read",
  "usergroups.list": "usergroups:read",
  // conversations.*: channels:read for public channels (groups:read, im:read… for others).
  "conversations.info": "channels:read",
  "conversations.list": "channels:read",
  "conversations.members": "channels:read",
  // Automatic replication looks for its own keyed post in the notify channel (docs/decisions/018).
  // Reading a thread or channel back (the outbox finds a post left unfinished by a crash).
  "conversations.replies": "channels:history",
  "conversations.history": "channels:history",
  "reactions.add": "reactions:write",
  "auth.test": null,
  // Socket Mode: called with the app-level token, whose scope (connections:write) is not a bot scope.
  "apps.connections.open": null,
};
/** Bolt listeners: slash commands and shortcuts need `commands`; actions, views and app_home_opened none. */
const SCOPE_OF_LISTENER: Record<string, string | null> = {
  command: "commands",
  shortcut: "commands",
  action: null,
  view: null,
  event: null,
};
/** Events the code listens to (`app.event("…")`) and the bot scope each needs (null: none). */
const SCOPE_OF_EVENT: Record<string, string | null> = {
  app_home_opened: null,
};

const root = new URL("../../../", import.meta.url);
const readText = (path: string) => readFileSync(new URL(path, root), "utf8");
const manifest = parse(readText("manifest.yml")) as {
  features: {
    slash_commands: Array<{ command: string; usage_hint?: string }>;
    app_home?: { home_tab_enabled?: boolean };
  };
  oauth_config: { scopes: { bot?: string[]; user?: string[] } };
  settings: { event_subscriptions?: { bot_events?: string[]; user_events?: string[]; request_url?: string } };
};

function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** What the code uses of Slack: Web API methods and listener kinds, with a file that uses each. */
function slackUsage(): {
  methods: Map<string, string>;
  listeners: Map<string, string>;
  events: Map<string, string>;
} {
  const methods = new Map<string, string>();
  const listeners = new Map<string, string>();
  const events = new Map<string, string>();
  for (const file of [...sourceFiles("src/adapters/chat-slack"), ...sourceFiles("src/main")]) {
    const text = readText(file);
    for (const m of text.matchAll(/\b\w*[cC]lient\s*\.\s*([a-z]\w*(?:\s*\.\s*[a-z]\w*)+)\s*\(/g)) {
      methods.set((m[1] ?? "").replace(/\s+/g, ""), file);
    }
    if (/\bsay\(/.test(text)) methods.set("chat.postMessage", file);
    for (const m of text.matchAll(
      /\bapp\s*\.\s*(command|shortcut|action|view|event|message|options)\s*\(/g,
    )) {
      listeners.set(m[1] ?? "", file);
    }
    for (const m of text.matchAll(/\bapp\s*\.\s*event\s*\(\s*"([a-z_]+)"/g)) events.set(m[1] ?? "", file);
  }
  return { methods, listeners, events };
}

describe("manifest.yml scopes", () => {
  const { methods, listeners, events } = slackUsage();

  it("finds the calls it expects (the scan works)", () => {
    expect([...methods.keys()]).toEqual(expect.arrayContaining(["chat.postMessage", "users.info"]));
    expect([...listeners.keys()]).toContain("command");
  });

  it("knows the scope of every Web API method and listener the code uses", () => {
    const unknown = [
      ...[...methods].filter(([m]) => !(m in SCOPE_OF_METHOD)).map(([m, f]) => `${m} (${f})`),
      ...[...listeners].filter(([l]) => !(l in SCOPE_OF_LISTENER)).map(([l, f]) => `app.${l} (${f})`),
    ];
    expect(unknown, "add these to the tables at the top of this test").toEqual([]);
  });

  it("asks for exactly the bot scopes those need, and no user scopes", () => {
    const needed = new Set<string>();
    for (const m of methods.keys()) {
      const scope = SCOPE_OF_METHOD[m];
      if (scope) needed.add(scope);
    }
    for (const l of listeners.keys()) {
      const scope = SCOPE_OF_LISTENER[l];
      if (scope) needed.add(scope);
    }
    for (const e of events.keys()) {
      const scope = SCOPE_OF_EVENT[e];
      if (scope) needed.add(scope);
    }
    expect([...(manifest.oauth_config.scopes.bot ?? [])].sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });
});

describe("manifest.yml events", () => {
  const { events } = slackUsage();

  it("subscribes to exactly the events the code listens to, as the bot", () => {
    expect([...events.keys()].filter((e) => !(e in SCOPE_OF_EVENT))).toEqual([]);
    const subscribed = manifest.settings.event_subscriptions;
    expect([...(subscribed?.bot_events ?? [])].sort()).toEqual([...events.keys()].sort());
    expect(subscribed?.user_events ?? []).toEqual([]);
    expect(subscribed?.request_url).toMatch(/\/slack\/events$/);
  });

  it("turns the Home tab on, since the bot listens to app_home_opened", () => {
    expect(events.has("app_home_opened")).toBe(true);
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
  });
});

describe("manifest.yml slash command usage hint", () => {
  it("names every command the grammar knows", () => {
    const hint = manifest.features.slash_commands.find((c) => c.command === SLASH_COMMAND)?.usage_hint ?? "";
    const words = new Set(hint.split(/[^\w-]+/));
    const verbs = Object.values(USAGE).flatMap((usage) =>
      [...usage.matchAll(/\/snapshot (\w+)/g)].map((m) => m[1] ?? ""),
    );
    expect(verbs.filter((verb) => !words.has(verb))).toEqual([]);
  });
});
