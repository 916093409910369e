import type { App, types } from "@slack/bolt";
import { z } from "zod";
import { checkRequester } from "../../app/approver-lookup.js";
import type { FlowDeps } from "../../app/flow-deps.js";
import { resolveDestination } from "../../app/resolve-destination.js";
import type { BotConfig } from "../../config/load-config.js";
import { didYouMean, normalizeWord } from "../../core/command.grammar.js";
import { MAX_SNAPSHOT_NAME_LENGTH, REGION, SNAPSHOT_ID } from "../../core/ids.js";
import { type Label, tr } from "../../core/messages/message.js";
import type { RequestRateLimiter } from "../../core/ports/request-rate-limit.port.js";
import { requestReplication } from "../../kinds/snapshot-copy/request-replication.flow.js";
import { renderReplicateOutcome, renderUnexpectedError } from "./command-replies.blocks.js";
import { fitBlocks, joinWithin, plainText, renderPlain } from "./mrkdwn.renderer.js";
import { say } from "./reader-locale.js";
import { refuseOverRateLimit } from "./request-rate-limit.js";
import { SHORTCUT_REPLICATE, VIEW_REPLICATE } from "./slack-ids.js";
import { SLACK_LIMITS } from "./slack-limits.js";

/** Block ids of the modal's inputs; each input's action id is `value`. */
export const FIELD = {
  snapshot: "snapshot",
  destination: "destination",
  name: "name",
  region: "region",
  channel: "channel",
} as const;

/** The global shortcut's modal: the fields of `/snapshot replicate`, plus where to post the request. */
export function buildReplicateModal(config: Readonly<BotConfig>): types.ModalView {
  const aliases = listWithin(Object.keys(config.destinations), MAX_HINT_LIST);
  const regions = config.source.regions;
  const text = (block: string, label: Label, placeholder: Label, optional: boolean, hint?: Label) => ({
    type: "input" as const,
    block_id: block,
    optional,
    label: plainText(label, SLACK_LIMITS.inputLabel),
    element: {
      type: "plain_text_input" as const,
      action_id: "value",
      placeholder: plainText(placeholder, SLACK_LIMITS.placeholder),
    },
    ...(hint ? { hint: plainText(hint, SLACK_LIMITS.inputHint) } : {}),
  });
  return {
    type: "modal",
    callback_id: VIEW_REPLICATE,
    title: plainText([tr("Replicate a snapshot", "复制快照")], SLACK_LIMITS.modalTitle),
    submit: plainText([tr("Ask for approval", "提交审批")], SLACK_LIMITS.modalButton),
    close: plainText([tr("Cancel", "取消")], SLACK_LIMITS.modalButton),
    blocks: fitBlocks(
      [
        text(FIELD.snapshot, [tr("Snapshot id", "快照 ID")], "snap-abc12345", false),
        text(FIELD.destination, [tr("Destination", "目标账号")], "dr-prod", false, [
          tr(`An alias or its account UIN: ${aliases}`, `别名或其账号 UIN：${aliases}`),
        ]),
        text(
          FIELD.name,
          [tr("New name", "新名称")],
          [tr("<source name>-copy-<yyyymmdd>", "<源快照名>-copy-<yyyymmdd>")],
          true,
          [tr(`At most ${MAX_SNAPSHOT_NAME_LENGTH} characters`, `最多 ${MAX_SNAPSHOT_NAME_LENGTH} 个字符`)],
        ),
        text(
          FIELD.region,
          [tr("Region", "地域")],
          // A placeholder holds 150 characters: the first regions, then how many more.
          joinWithin(regions, ", ", SLACK_LIMITS.placeholder),
          true,
          [
            tr(
              `Leave empty to search every configured region: ${listWithin(regions, MAX_HINT_LIST)}`,
              `留空则在所有已配置的地域中查找：${listWithin(regions, MAX_HINT_LIST)}`,
            ),
          ],
        ),
        {
          type: "input",
          block_id: FIELD.channel,
          label: plainText([tr("Post the request in", "申请发布到")], SLACK_LIMITS.inputLabel),
          element: {
            type: "conversations_select",
            action_id: "value",
            filter: { include: ["public", "private"] },
          },
        },
      ],
      SLACK_LIMITS.viewBlocks,
    ),
  };
}

/** Hints and errors list configured names; a long list is summarised, not cut. */
const MAX_HINT_LIST = 600;
const listWithin = (names: readonly string[], max: number) => joinWithin(names, ", ", max);

const stateSchema = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({ value: z.string().nullish(), selected_conversation: z.string().nullish() }).passthrough(),
  ),
);

export interface ReplicateForm {
  snapshotId: string;
  destination: string;
  newName?: string;
  region?: string;
  channelId: string;
}

export type FormCheck = { ok: true; form: ReplicateForm } | { ok: false; errors: Record<string, string> };

/** Validates the modal's values: errors are keyed by block id (`response_action: errors`). */
export function checkReplicateForm(values: unknown, config: Readonly<BotConfig>): FormCheck {
  const state = stateSchema.safeParse(values);
  const read = (block: string) => {
    if (!state.success) return "";
    const input = state.data[block]?.value;
    return (input?.value ?? input?.selected_conversation ?? "").trim();
  };
  const errors: Record<string, string> = {};
  // Pasted ids and aliases may carry look-alike hyphens (‐ – −): read as `-`, as the command does.
  const snapshotId = normalizeWord(read(FIELD.snapshot)).toLowerCase();
  if (!SNAPSHOT_ID.test(snapshotId))
    errors[FIELD.snapshot] = say(
      "A snapshot id is snap- followed by 8 letters or digits, e.g. snap-abc12345.",
      "快照 ID 由 snap- 加 8 位字母或数字组成，例如 snap-abc12345。",
    );
  const destinationName = normalizeWord(read(FIELD.destination)).toLowerCase();
  const destination = resolveDestination(config, destinationName);
  if (!destination.ok) {
    const aliases = Object.keys(config.destinations);
    const near = destinationName ? didYouMean(destinationName, aliases) : undefined;
    const known = listWithin(aliases, MAX_HINT_LIST);
    errors[FIELD.destination] = near
      ? `${say("Not a configured destination.", "不是已配置的目标账号。")}${renderPlain(near, MAX_HINT_LIST)}`
      : say(
          `Not a configured destination. Use one of: ${known}.`,
          `不是已配置的目标账号。请使用：${known}。`,
        );
  }
  const newName = read(FIELD.name);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
  if (newName.length > MAX_SNAPSHOT_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(newName))
    errors[FIELD.name] = say(
      `At most ${MAX_SNAPSHOT_NAME_LENGTH} characters, no control characters (Tencent Cloud's limit).`,
      `最多 ${MAX_SNAPSHOT_NAME_LENGTH} 个字符，不能包含控制字符（腾讯云的限制）。`,
    );
  const region = normalizeWord(read(FIELD.region)).toLowerCase();
  if (region && !REGION.test(region))
    errors[FIELD.region] = say("A region name looks like ap-guangzhou.", "地域名称形如 ap-guangzhou。");
  else if (region && config.source.regions.length > 0 && !config.source.regions.includes(region)) {
    const near = didYouMean(region, config.source.regions);
    if (near)
      errors[FIELD.region] =
        `${say("Not a configured region.", "不是已配置的地域。")}${renderPlain(near, MAX_HINT_LIST)}`;
  }
  const channelId = read(FIELD.channel);
  if (!/^[CGD][A-Z0-9]{2,}$/.test(channelId))
    errors[FIELD.channel] = say("Pick the channel where the request is made.", "请选择发布申请的频道。");
  else if (config.slack.requestChannels.length > 0 && !config.slack.requestChannels.includes(channelId))
    errors[FIELD.channel] = say(
      "Replication requests are taken only in the configured request channels.",
      "只有在已配置的申请频道中才能提交复制申请。",
    );
  if (Object.keys(errors).length > 0 || !destination.ok) return { ok: false, errors };
  return {
    ok: true,
    form: {
      snapshotId,
      destination: destination.destination.alias,
      ...(newName ? { newName } : {}),
      ...(region ? { region } : {}),
      channelId,
    },
  };
}

/**
 * The global shortcut "Replicate a snapshot": opens the modal; its submission is one request,
 * counted against the person's rate limit (over it, the modal says so and nothing is created).
 */
export function registerReplicateShortcut(app: App, deps: FlowDeps, rateLimiter?: RequestRateLimiter): void {
  app.shortcut(SHORTCUT_REPLICATE, async ({ ack, shortcut, client }) => {
    await ack();
    try {
      await client.views.open({ trigger_id: shortcut.trigger_id, view: buildReplicateModal(deps.config) });
    } catch (err) {
      deps.logger.error({ err }, "replicate modal could not be opened");
    }
  });

  app.view(VIEW_REPLICATE, async ({ ack, view, body, client }) => {
    const checked = checkReplicateForm(view.state?.values, deps.config);
    if (!checked.ok) {
      await ack({ response_action: "errors", errors: checked.errors });
      return;
    }
    const { form } = checked;
    const userId = body.user.id;
    const requester = await checkRequester(deps, userId, form.destination).catch(() => ({
      kind: "allowed" as const,
    }));
    if (requester.kind === "refused") {
      await ack({
        response_action: "errors",
        errors: { [FIELD.destination]: renderPlain(requester.reason, SLACK_LIMITS.placeholder) },
      });
      return;
    }
    const refusal = await refuseOverRateLimit(rateLimiter, userId, deps, "replicate");
    if (refusal) {
      await ack({
        response_action: "errors",
        errors: { [FIELD.snapshot]: renderPlain(refusal, SLACK_LIMITS.placeholder) },
      });
      return;
    }
    await ack();
    let text: string;
    try {
      text = renderReplicateOutcome(await requestReplication(deps, { ...form, userId }));
    } catch (err) {
      deps.logger.error({ err, userId }, "replication request from the modal failed");
      text = renderUnexpectedError();
    }
    await client.chat
      .postEphemeral({ channel: form.channelId, user: userId, text })
      .catch((err) => deps.logger.warn({ err, userId }, "could not tell the user privately"));
  });
}
