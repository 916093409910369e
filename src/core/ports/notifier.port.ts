import type { Message, Text } from "../messages/message.js";
import type { MessageRef, Request } from "../request/request.js";

/**
 * How flows tell people what happened, in neutral messages (src/core/messages/message.ts). The
 * chat adapter renders them, and knows what a conversation id and a message reference are.
 */
export interface Notifier {
  /** Posts the request's approval card in a conversation. */
  postCard(request: Request, conversation: string): Promise<MessageRef>;
  updateCard(request: Request): Promise<void>;
  postThreadReply(request: Request, message: Text | Message): Promise<void>;
  /** One top-level message in the notify conversation when a request ends. */
  announceOutcome(request: Request, conversation: string): Promise<void>;
  /** A private message to one person in a conversation. */
  tellUser(conversation: string, userId: string, message: Text): Promise<void>;
  /**
   * A top-level message in a conversation, not tied to a request (automatic replication). `key`
   * identifies what it announces: the adapter stores it with the message, so that
   * `findAnnouncement` can tell whether a post whose answer was lost was made.
   */
  announce(conversation: string, message: Message, key: string): Promise<MessageRef>;
  /** The message posted by `announce` with this key since `sinceMs` (epoch ms), if there is one. */
  findAnnouncement(conversation: string, key: string, sinceMs: number): Promise<MessageRef | undefined>;
  /** A link to the request's card; undefined when there is none. */
  cardLink?(request: Request): Promise<string | undefined>;
  /**
   * Delivers what the calls above queued (an outbox, docs/decisions/021): one round, run by the
   * worker. Absent when the notifier posts at once.
   */
  deliverPending?(): Promise<{ delivered: number; waiting: number }>;
}
