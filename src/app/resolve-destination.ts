import type { BotConfig } from "../config/load-config.js";
import type { Destination } from "../core/request/request.js";

export type DestinationLookup = { ok: true; destination: Destination } | { ok: false; message: string };

/** A destination is a configured alias, or the UIN of a configured destination: never any account. */
export function resolveDestination(config: Readonly<BotConfig>, name: string): DestinationLookup {
  const entries = Object.entries(config.destinations);
  const match = entries.find(([alias, d]) => alias === name || d.accountUin === name);
  if (!match) {
    const known = entries.map(([alias, d]) => `\`${alias}\` (${d.accountUin})`).join(", ");
    return {
      ok: false,
      message: `\`${name}\` is not a configured destination. The bot copies only to: ${known}. An operator adds destinations in the bot's configuration file.`,
    };
  }
  const [alias, d] = match;
  return {
    ok: true,
    destination: {
      alias,
      accountUin: d.accountUin,
      ...(d.readRoleArn ? { readRoleArn: d.readRoleArn } : {}),
      method: d.method ?? config.replication.method,
    },
  };
}
