import { code, mention, type Text, text, tr } from "../core/messages/message.js";
import type { AuditEntry } from "../core/ports/audit.port.js";
import {
  type ApprovalCheck,
  type ApproverPolicy,
  type People,
  pickApproverPolicy,
} from "../core/request/approval-rules.js";
import type { FlowDeps } from "./flow-deps.js";

/** The approvers of copies into `alias`: the destination's own, else the global ones. */
export function approverPolicyFor(deps: Pick<FlowDeps, "config">, alias: string): ApproverPolicy {
  return pickApproverPolicy(deps.config.approvers, deps.config.destinations[alias]?.approvers);
}

/** Is `userId` one of `people` (directly, or through a user group that can still be read)? */
/** What looking people up in the directory uses. */
export type LookupDeps = Pick<FlowDeps, "directory" | "logger">;

export async function isAmong(deps: LookupDeps, userId: string, people: People): Promise<boolean> {
  if (people.users.includes(userId)) return true;
  for (const group of people.usergroups) {
    try {
      if ((await deps.directory.usergroupMembers(group)).includes(userId)) return true;
    } catch (err) {
      // A deleted or unreadable group grants nothing; it must not crash the click.
      deps.logger.warn({ err, usergroup: group }, "user group could not be read");
    }
  }
  return false;
}

/** Per-destination requesters (`destinations.<alias>.requesters`): who may ask to copy into which account. */
export async function checkRequester(
  deps: LookupDeps & Pick<FlowDeps, "config">,
  userId: string,
  alias: string,
): Promise<ApprovalCheck> {
  const requesters = deps.config.destinations[alias]?.requesters;
  if (!requesters || (await isAmong(deps, userId, requesters))) return { kind: "allowed" };
  return {
    kind: "refused",
    reason: [
      tr(
        text`You are not among the people who may ask for copies into ${code(alias)}. Ask one of them, or an operator to add you to ${code(`destinations.${alias}.requesters`)}.`,
        text`你不在可以申请复制到 ${code(alias)} 的人员之列。请其中一人代为申请，或请运维人员把你加入 ${code(`destinations.${alias}.requesters`)}。`,
      ),
    ],
  };
}

/**
 * Approvers who left the workspace and user groups that no longer exist: reported on the card so
 * someone fixes the configuration, never a crash. Users that cannot be looked up are not reported.
 */
export async function findApproverProblems(deps: LookupDeps, policy: ApproverPolicy): Promise<Text[]> {
  const problems: Text[] = [];
  const { userState } = deps.directory;
  if (userState) {
    for (const user of policy.users) {
      try {
        const state = await userState.call(deps.directory, user);
        if (state === "deleted")
          problems.push([
            tr(
              text`approver ${mention(user)} has left the workspace`,
              text`审批人 ${mention(user)} 已离开工作区`,
            ),
          ]);
        if (state === "not_found")
          problems.push([
            tr(
              text`approver ${user} is not a user of this workspace`,
              text`审批人 ${user} 不是此工作区的用户`,
            ),
          ]);
      } catch (err) {
        deps.logger.debug({ err, user }, "approver could not be looked up");
      }
    }
  }
  for (const group of policy.usergroups) {
    try {
      const members = await deps.directory.usergroupMembers(group);
      if (members.length === 0)
        problems.push([
          tr(text`approver group ${group} has no members`, text`审批人用户组 ${group} 没有成员`),
        ]);
    } catch (err) {
      deps.logger.debug({ err, group }, "approver group could not be read");
      problems.push([
        tr(
          text`approver group ${group} no longer exists or cannot be read`,
          text`审批人用户组 ${group} 已不存在或无法读取`,
        ),
      ]);
    }
  }
  return problems;
}

/** Records an entry (a refusal, a stop) in the audit trail; a failure to record never fails the answer to the person. */
/** What recording a flow's own audit entry uses (the trail is optional: absent, nothing is recorded). */
export type AuditDeps = Pick<FlowDeps, "audit" | "clock" | "logger">;

export async function recordAuditEntry(deps: AuditDeps, entry: Omit<AuditEntry, "at">): Promise<void> {
  if (!deps.audit) return;
  try {
    await deps.audit.record({ ...entry, at: deps.clock.now().toISOString() });
  } catch (err) {
    deps.logger.warn({ err, requestId: entry.requestId }, "audit entry could not be written");
  }
}
