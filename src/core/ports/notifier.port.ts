import type { ReplicationRequest, SlackLocation } from "../request/request.js";

/** How flows tell people what happened. The Slack adapter renders; flows say what, not how. */
export interface Notifier {
  postApprovalCard(request: ReplicationRequest, channel: string): Promise<SlackLocation>;
  updateCard(request: ReplicationRequest): Promise<void>;
  postThreadReply(request: ReplicationRequest, text: string): Promise<void>;
  /** One top-level message in the notify channel when a request ends. */
  announceOutcome(request: ReplicationRequest, channel: string): Promise<void>;
  tellUser(channel: string, userId: string, text: string): Promise<void>;
  /** A link to the request's card (`chat.getPermalink`); undefined when there is none. */
  cardLink?(request: ReplicationRequest): Promise<string | undefined>;
}
