import { type Text, text, tr } from "../../core/messages/message.js";

/** An account as people know it: "200000000002 (dr-prod)", or said not to be configured. */
export function describeAccountWords(accountUin: string, alias: string | undefined): Text {
  return alias
    ? text`${accountUin} (${alias})`
    : text`${accountUin}${tr(" (not in the bot's configuration)", "（不在机器人的配置中）")}`;
}
