/**
 * Drives the bot as people do: signed slash commands to the real Bolt app over HTTP, the card it
 * posts read from the Slack emulator, Approve clicked as a signed block action.
 */
import type { EmulatorEvent, SlackEmulator } from "../dev/slack-emulator/index.js";
import { ALICE, BOB } from "../test/support/harness.js";
import { buttonValue } from "../test/support/slack-blocks.js";
import { pool } from "./stats.js";

export interface Card {
  requestId: string;
  channel: string;
  ts: string;
  text: string;
  at: number;
}

export interface SentCommand {
  text: string;
  channel: string;
  sentAt: number;
  ackMs: number;
  status: number;
  /** The command's answer (an ack with a message, or empty). */
  body: unknown;
}

/** Records every approval card the bot posts (top-level messages with an Approve button). */
export class CardWatcher {
  readonly cards: Card[] = [];
  private readonly listeners = new Set<(card: Card) => void>();
  private readonly onChange = (event: EmulatorEvent) => {
    if (event.type !== "message" || event.action !== "posted" || event.message.threadTs) return;
    const requestId = buttonValue(event.message, "request_approve");
    if (!requestId) return;
    const card: Card = {
      requestId,
      channel: event.message.channel,
      ts: event.message.ts,
      text: event.message.text,
      at: Date.now(),
    };
    this.cards.push(card);
    for (const l of this.listeners) l(card);
  };
  constructor(private readonly slack: SlackEmulator) {
    slack.on("change", this.onChange);
  }
  onCard(listener: (card: Card) => void): void {
    this.listeners.add(listener);
  }
  close(): void {
    this.slack.off("change", this.onChange);
    this.listeners.clear();
  }
}

/** Sends `texts` as /snapshot commands, at most `concurrency` at once, timing each ack. */
export async function sendCommands(
  slack: SlackEmulator,
  appUrl: string,
  commands: ReadonlyArray<{ text: string; channel: string; userId?: string }>,
  concurrency: number,
): Promise<SentCommand[]> {
  return pool(commands, concurrency, async (c) => {
    const sentAt = performance.now();
    const wall = Date.now();
    try {
      const answer = await slack.sendSlashCommand(appUrl, {
        text: c.text,
        userId: c.userId ?? ALICE,
        channelId: c.channel,
      });
      return {
        text: c.text,
        channel: c.channel,
        sentAt: wall,
        ackMs: performance.now() - sentAt,
        status: answer.status,
        body: answer.body,
      };
    } catch (err) {
      return {
        text: c.text,
        channel: c.channel,
        sentAt: wall,
        ackMs: Number.NaN,
        status: 0,
        body: String(err),
      };
    }
  });
}

/** Clicks Approve on `card` as an approver; returns the HTTP status and when the click was sent. */
export async function clickApprove(
  slack: SlackEmulator,
  appUrl: string,
  card: Card,
  userId = BOB,
): Promise<{ status: number; at: number }> {
  const at = Date.now();
  try {
    const answer = await slack.sendBlockAction(appUrl, {
      userId,
      actionId: "request_approve",
      value: card.requestId,
      channelId: card.channel,
      messageTs: card.ts,
    });
    return { status: answer.status, at };
  } catch {
    return { status: 0, at };
  }
}

/** A bounded queue of async tasks started as they come (the approvers clicking as cards appear). */
export class TaskLane {
  private running = 0;
  private readonly waiting: Array<() => Promise<void>> = [];
  private readonly all: Promise<void>[] = [];
  constructor(private readonly limit: number) {}
  push(task: () => Promise<void>): void {
    this.all.push(
      new Promise<void>((resolve) => {
        const run = async () => {
          this.running++;
          try {
            await task();
          } catch {
            // recorded by the task itself
          } finally {
            this.running--;
            resolve();
            const next = this.waiting.shift();
            if (next) void next();
          }
        };
        if (this.running < this.limit) void run();
        else this.waiting.push(run);
      }),
    );
  }
  async drain(): Promise<void> {
    for (let seen = 0; seen < this.all.length; seen = this.all.length)
      await Promise.all(this.all.slice(seen));
  }
}

/** Channels `C0B00001…`: a burst spread over `count` request channels (Slack allows ~1 post/s each). */
export function benchChannel(i: number, count: number): string {
  return `C0B${String((i % Math.max(1, count)) + 1).padStart(6, "0")}`;
}
