import {
  code,
  type Inline,
  joinText,
  link,
  type Message,
  mention,
  type Text,
  text,
  toPlainText,
  tr,
} from "../core/messages/message.js";
import type { Request } from "../core/request/request.js";

/**
 * Words the kinds share, in both languages. The pieces of every kind's outcome line (the notify channel's one line per outcome, issue 13):
 * who asked and who approved, how long it took, what went wrong in a few words, the thread's link.
 * The fix and any policy document stay in the thread; the line only points there.
 */

/** "asked by @alice, approved by @bob and @carol" (no approvers: only who asked). */
export function describeWho(request: Pick<Request, "requestedBy" | "approvals">): Text {
  const asker = mention(request.requestedBy);
  const approvers = request.approvals.map((a) => [mention(a.userId)] as Text);
  if (approvers.length === 0) return text`${tr(text`asked by ${asker}`, text`申请人 ${asker}`)}`;
  const en = joinText(approvers, ", ");
  const zh = joinText(approvers, "、");
  return text`${tr(text`asked by ${asker}, approved by ${en}`, text`申请人 ${asker}，审批人 ${zh}`)}`;
}

/** A duration as people say it: "45s", "3m 12s", "2h 5m" / "45秒", "3分12秒", "2小时5分". */
export function describeDuration(ms: number): Text {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (seconds < 60) return text`${tr(`${seconds}s`, `${seconds}秒`)}`;
  if (minutes < 60) return text`${tr(`${minutes}m ${seconds % 60}s`, `${minutes}分${seconds % 60}秒`)}`;
  return text`${tr(`${hours}h ${minutes % 60}m`, `${hours}小时${minutes % 60}分`)}`;
}

/**
 * How long the request took: from the approval that let it run (or, for one that never ran, from
 * when it was asked) to its end. Nothing when the times cannot be read.
 */
export function describeTook(
  request: Pick<Request, "state" | "approvals" | "createdAt" | "updatedAt">,
): Text {
  const ran = ["completed", "submitted", "failed", "outcome_unknown"].includes(request.state);
  const start = ran ? (request.approvals.at(-1)?.at ?? request.createdAt) : request.createdAt;
  const ms = Date.parse(request.updatedAt) - Date.parse(start);
  if (!Number.isFinite(ms)) return [];
  const took = describeDuration(ms);
  return ran
    ? text`${tr(text`took ${took}`, text`用时 ${took}`)}`
    : text`${tr(text`after ${took}`, text`历时 ${took}`)}`;
}

/** A failure in a few words: its first sentence and its code; the thread has the rest. */
export function describeFailureBriefly(failure: NonNullable<Request["failure"]>): Text {
  const said = failure.said?.message ?? failure.message;
  const words = (locale: "en" | "zh-CN") => (typeof said === "string" ? said : toPlainText(said, locale));
  const en = firstSentence(words("en"), /(?<=[.!?])\s|\n/);
  const zh = typeof said === "string" ? "" : firstSentence(words("zh-CN"), /(?<=[。！？])|\n/);
  return text`${tr(
    en ? text`${en} (${code(failure.code)})` : text`${code(failure.code)}`,
    zh ? text`${zh}（${code(failure.code)}）` : text`${code(failure.code)}，原因和处理方法见讨论串`,
  )}`;
}

function firstSentence(value: string, end: RegExp): string {
  const first = (value.split(end)[0] ?? "").trim();
  if (first.length <= 140) return first;
  const space = first.lastIndexOf(" ", 139);
  return `${first.slice(0, space > 40 ? space : 139).trimEnd()}…`;
}

/** The link to the request's thread, when the adapter has one. */
export function describeThreadLink(threadLink: string | undefined): Text {
  if (!threadLink) return [];
  return text`${tr(text`${link(threadLink, "thread")}`, text`${link(threadLink, "讨论串")}`)}`;
}

/** The parts of a line joined with " · ", empty ones left out. */
export function joinLine(parts: readonly Text[]): Text {
  return joinText(
    parts.filter((p) => p.length > 0),
    " · ",
  );
}

/**
 * What a kind says itself in its outcome headline: the request's own name for "what" ("Copy",
 * "Automatic replication") and the words of the states only it words its own way, each with its
 * lead-in (" completed", ": outcome unknown, …").
 */
export interface HeadlineWords {
  what: Inline;
  completed: Inline;
  outcomeUnknown: Inline;
  submitted?: Inline;
}

/** The headline of the outcome line: one symbol, what happened, the request. */
export function describeHeadline(request: Pick<Request, "id" | "state">, words: HeadlineWords): Text {
  const { id } = request;
  const { what } = words;
  switch (request.state) {
    case "completed":
      return text`🟢 ${what} ${id}${words.completed}`;
    case "submitted":
      return words.submitted ? text`📤 ${what} ${id}${words.submitted}` : text`${what} ${id}`;
    case "outcome_unknown":
      return text`❔ ${what} ${id}${words.outcomeUnknown}`;
    case "failed":
      return text`🔴 ${what} ${id} ${tr("failed", "失败")}`;
    case "rejected":
      return text`⛔ ${what} ${id} ${tr("rejected", "已被拒绝")}`;
    case "cancelled":
      return text`✖️ ${what} ${id} ${tr("cancelled", "已取消")}`;
    case "expired":
      return text`⏰ ${what} ${id} ${tr("expired before it was approved", "未获批准，已过期")}`;
    default:
      return text`${what} ${id}`;
  }
}

/**
 * The notify channel's one line for any kind: headline and where, then the failure in brief, who
 * rejected or cancelled, who asked and approved, how long, and the thread.
 */
export function describeOutcomeLine(
  request: Pick<
    Request,
    | "id"
    | "state"
    | "failure"
    | "rejection"
    | "cancellation"
    | "requestedBy"
    | "approvals"
    | "createdAt"
    | "updatedAt"
  >,
  headline: HeadlineWords,
  where: Inline | Text,
  threadLink: string | undefined,
): Message {
  const line = joinLine([
    text`${describeHeadline(request, headline)}${tr(": ", "：")}${where}`,
    request.failure ? describeFailureBriefly(request.failure) : [],
    request.rejection ? text`${tr("rejected by", "拒绝人")} ${mention(request.rejection.userId)}` : [],
    request.cancellation ? text`${tr("cancelled by", "取消人")} ${mention(request.cancellation.userId)}` : [],
    describeWho(request),
    describeTook(request),
    describeThreadLink(threadLink),
  ]);
  return { text: line, blocks: [{ type: "section", text: line }] };
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

/**
 * Tencent Cloud's own time text (`YYYY-MM-DD HH:mm:ss`, Beijing time) as an ISO time for a `time()`
 * part, so each reader sees it in their own time zone; undefined when it is not that form.
 */
export function fromBeijingTime(value: string | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value ?? "");
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, se) - BEIJING_OFFSET_MS).toISOString();
}

/**
 * A time Tencent Cloud gives both ways (epoch ms, or its Beijing-time text) as an ISO time for a
 * `time()` part: the ms when there, else the text; undefined when neither can be read.
 */
export function fromCloudTime(ms: number | undefined, beijingText: string | undefined): string | undefined {
  return ms !== undefined ? new Date(ms).toISOString() : fromBeijingTime(beijingText);
}
