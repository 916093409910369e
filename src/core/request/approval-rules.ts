import { code, joinText, mention, type Text, text, tr } from "../messages/message.js";
import { statesLeadingTo } from "./lifecycle.js";
import type { Request, RequestState } from "./request.js";

/** Slack users and user groups (ids). */
export interface People {
  users: readonly string[];
  usergroups: readonly string[];
}

export interface ApproverPolicy extends People {
  required: number;
  allowSelfApproval: boolean;
}

/** A destination's own approvers replace the global ones; `required` falls back to the global one. */
export function pickApproverPolicy(
  global: ApproverPolicy,
  destination?: Partial<People> & { required?: number | undefined },
): ApproverPolicy {
  if (!destination || (destination.users?.length ?? 0) + (destination.usergroups?.length ?? 0) === 0) {
    return global;
  }
  return {
    users: destination.users ?? [],
    usergroups: destination.usergroups ?? [],
    required: destination.required ?? global.required,
    allowSelfApproval: global.allowSelfApproval,
  };
}

/** Approvals a request needs: fixed when it was made, so a config change does not move a vote. */
export function requiredApprovalsOf(request: Request, policy: ApproverPolicy): number {
  return request.requiredApprovals ?? policy.required;
}

export type ApprovalCheck = { kind: "allowed" } | { kind: "refused"; reason: Text };

/** The refusal of a second Approve by the same person: in one place, the store's duplicate says it too. */
export const ALREADY_APPROVED: Text = [
  tr(
    "You already approved this request; another approver is needed.",
    "你已批准过此申请，还需要另一位审批人批准。",
  ),
];

/**
 * May this person approve? `isApprover` is resolved by the caller (it needs Slack user groups).
 * The count and the "one vote per person" rule are applied atomically by the store.
 */
export function checkApprover(
  request: Request,
  userId: string,
  isApprover: boolean,
  policy: ApproverPolicy,
): ApprovalCheck {
  const alias = request.destination.alias;
  if (!isApprover) {
    return {
      kind: "refused",
      reason: [
        tr(
          text`You are not an approver for copies to ${alias}, so your click changed nothing.`,
          text`你不是复制到 ${alias} 的审批人，你的点击没有改变任何内容。`,
        ),
      ],
    };
  }
  if (userId === request.requestedBy && !policy.allowSelfApproval) {
    return {
      kind: "refused",
      reason: [
        tr(
          "You made this request, and a request needs a second pair of eyes: another approver must approve it.",
          "这是你自己提交的申请，需要另一个人把关：请由其他审批人批准。",
        ),
      ],
    };
  }
  if (request.approvals.some((a) => a.userId === userId))
    return { kind: "refused", reason: ALREADY_APPROVED };
  return { kind: "allowed" };
}

export function checkRejecter(isApprover: boolean): ApprovalCheck {
  return isApprover
    ? { kind: "allowed" }
    : {
        kind: "refused",
        reason: [
          tr(
            text`Only an approver can reject a request; your click changed nothing. (The requester can withdraw it with ${code("/snapshot cancel")}.)`,
            text`只有审批人可以拒绝申请，你的点击没有改变任何内容。（申请人可以用 ${code("/snapshot cancel")} 撤回申请。）`,
          ),
        ],
      };
}

/** States from which `/snapshot cancel` works (nothing has been sent to the cloud yet): the lifecycle's. */
export const CANCELLABLE_STATES: readonly RequestState[] = statesLeadingTo("cancelled");

export function checkCanceller(request: Request, userId: string, isApprover: boolean): ApprovalCheck {
  if (userId !== request.requestedBy && !isApprover) {
    const who = mention(request.requestedBy);
    return {
      kind: "refused",
      reason: [
        tr(
          text`Only the requester (${who}) or an approver can cancel ${code(request.id)}.`,
          text`只有申请人（${who}）或审批人可以取消 ${code(request.id)}。`,
        ),
      ],
    };
  }
  if (CANCELLABLE_STATES.includes(request.state)) return { kind: "allowed" };
  return { kind: "refused", reason: describeUncancellable(request, userId) };
}

function describeUncancellable(request: Request, viewer: string): Text {
  const id = code(request.id);
  if (request.state === "running") {
    const work = workOf(request);
    return [
      tr(
        text`${id} cannot be cancelled: ${work.en} in progress, and work Tencent Cloud has started cannot be called back. Follow it in the card's thread; delete what it made in the destination account afterwards if it is not wanted.`,
        text`${id} 无法取消：${work.zh}进行中，腾讯云已开始的操作无法撤回。请在卡片的消息列中跟进；如果不需要，完成后在目标账号中删除它创建的内容。`,
      ),
    ];
  }
  return text`${tr(text`${id} cannot be cancelled. `, text`${id} 无法取消。`)}${describeDecidedState(request, viewer)}`;
}

/** What a person calls the work of a request, by its kind and method: "copy", "share", "link". */
interface Work {
  readonly en: string;
  readonly zh: string;
}

const WORK_OF_KIND: Record<string, Work> = {
  "snapshot-copy": { en: "copy", zh: "复制" },
  "policy-link": { en: "link", zh: "关联" },
};

function workOf(request: Pick<Request, "kind" | "destination">): Work {
  if (request.kind === "snapshot-copy" && request.destination.method === "share")
    return { en: "share", zh: "共享" };
  return WORK_OF_KIND[request.kind] ?? { en: "work", zh: "处理" };
}

/** Who did it, as the reader hears it: "You" for themselves, their mention for anyone else. */
function whoDid(userIds: readonly string[], viewer: string | undefined): { en: Text; zh: Text } {
  if (viewer && userIds.includes(viewer)) {
    const others = userIds.filter((u) => u !== viewer).map((u) => [mention(u)]);
    return others.length === 0
      ? { en: ["You"], zh: ["你"] }
      : { en: text`You and ${joinText(others, ", ")}`, zh: text`你和 ${joinText(others, "、")}` };
  }
  const all = userIds.map((u) => [mention(u)]);
  return { en: joinText(all, ", "), zh: joinText(all, "、") };
}

/**
 * Why a click on a request that is no longer pending changed nothing, said to `viewer` (the person
 * who clicked or typed): "You already approved this request; copy in progress."
 */
export function describeDecidedState(request: Request, viewer?: string): Text {
  const work = workOf(request);
  switch (request.state) {
    case "rejected": {
      if (!request.rejection) return [tr("This request was already rejected.", "此申请已被拒绝。")];
      const by = whoDid([request.rejection.userId], viewer);
      return [tr(text`${by.en} already rejected this request.`, text`${by.zh}已拒绝此申请。`)];
    }
    case "cancelled": {
      if (!request.cancellation)
        return [tr("This request was cancelled; nothing was done.", "此申请已取消，未执行任何操作。")];
      const by = whoDid([request.cancellation.userId], viewer);
      return [
        tr(
          text`${by.en} cancelled this request; nothing was done.`,
          text`${by.zh}已取消此申请，未执行任何操作。`,
        ),
      ];
    }
    case "expired":
      return [
        tr(
          "This request expired before enough approvers approved it; make a new request if it is still needed.",
          "此申请在获得足够审批前已过期；如仍需要，请重新提交申请。",
        ),
      ];
    case "pending_approval":
      return [tr("This request is still waiting for approval.", "此申请仍在等待审批。")];
    default: {
      const now = STATE_WORDS[request.state](work);
      if (request.approvals.length === 0)
        return [tr(text`This request was already approved; ${now.en}.`, text`此申请已获批准，${now.zh}。`)];
      const by = whoDid(
        request.approvals.map((a) => a.userId),
        viewer,
      );
      return [
        tr(text`${by.en} already approved this request; ${now.en}.`, text`${by.zh}已批准此申请，${now.zh}。`),
      ];
    }
  }
}

/** An approved request's state as people say it after "; ": never the state's or the step's id. */
const STATE_WORDS: Record<
  Exclude<RequestState, "pending_approval" | "rejected" | "cancelled" | "expired">,
  (w: Work) => Work
> = {
  approved: (w) => ({ en: `queued, the ${w.en} starts shortly`, zh: `已排队，即将开始${w.zh}` }),
  running: (w) => ({ en: `${w.en} in progress`, zh: `${w.zh}进行中` }),
  completed: (w) => ({ en: `the ${w.en} is complete`, zh: `${w.zh}已完成` }),
  submitted: (w) => ({
    en: `the ${w.en} was submitted to Tencent Cloud`,
    zh: `${w.zh}已提交给腾讯云`,
  }),
  failed: (w) => ({
    en: `the ${w.en} failed; the card's thread says why`,
    zh: `${w.zh}失败，原因见卡片的消息列`,
  }),
  outcome_unknown: (w) => ({
    en: `it is not known whether the ${w.en} was made; the card's thread says where to look`,
    zh: `无法确定${w.zh}是否已完成，卡片的消息列说明了去哪里查看`,
  }),
};

/** True when a pending request's time is up (the expiry job may not have run yet). */
export function isPastExpiry(request: Request, now: Date): boolean {
  return request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now.getTime();
}
