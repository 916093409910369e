import type { WebClient } from "@slack/web-api";
import { type AppHomeDeps, HomeReadiness, homeReadersOf, readAppHome } from "../../app/app-home.flow.js";
import type { KindRegistry } from "../../app/request-kind.js";
import type { HomeViewers } from "../../core/ports/home-viewers.port.js";
import type { Request } from "../../core/request/request.js";
import { buildAppHome } from "./app-home.blocks.js";
import { withLocale } from "./reader-locale.js";
import { readerLocale } from "./reader-locale.middleware.js";

export interface AppHomePublisherOptions {
  /** views.publish (no scope needed). */
  client: Pick<WebClient, "views">;
  deps: AppHomeDeps & { kinds: KindRegistry };
  /** Who opened their Home; without it only the person who just opened or clicked is refreshed. */
  viewers?: HomeViewers;
  readiness?: HomeReadiness;
  /** At most one publish per person per this (a burst of changes becomes one). @defaultValue 3000 */
  perUserIntervalMs?: number;
  /** A change waits this long for the changes that follow it (approved → checking → copying). @defaultValue 300 */
  settleMs?: number;
  /**
   * At least this between two publishes of this process: views.publish is Tier 4 (100+ a minute
   * per workspace), shared by every user. @defaultValue 700 (about 85 a minute)
   */
  gapMs?: number;
}

interface Slot {
  lastAt: number;
  timer?: NodeJS.Timeout;
  running: boolean;
  again: boolean;
  notice?: string;
}

/** People who opened their Home within this long get refreshes when their requests change. */
const VIEWER_WINDOW_MS = 30 * 24 * 3_600_000;
const VIEWERS_READ_MS = 1000;

/**
 * Publishes people's Home tabs (docs/decisions/023): on open, after a click in the Home, and when a
 * request changes for them — never once per change or per poll round: each person's publishes are
 * coalesced (one per {@link AppHomePublisherOptions.perUserIntervalMs}, the latest state), and the
 * whole process keeps a gap between publishes to stay inside views.publish's rate tier.
 */
export class AppHomePublisher {
  private readonly slots = new Map<string, Slot>();
  private readonly readiness: HomeReadiness;
  private readonly perUserIntervalMs: number;
  private readonly settleMs: number;
  private readonly gapMs: number;
  private turn: Promise<void> = Promise.resolve();
  private lastPublishAt = 0;
  private closed = false;
  /** Who looks at their Home, read at most once a second (a burst of changes asks Redis once). */
  private viewersRead: { at: number; users: Promise<string[]> } | undefined;
  /** Publishes made (tests and the sandbox read it). */
  published = 0;

  constructor(private readonly options: AppHomePublisherOptions) {
    this.readiness = options.readiness ?? new HomeReadiness();
    this.perUserIntervalMs = options.perUserIntervalMs ?? 3000;
    this.settleMs = options.settleMs ?? 300;
    this.gapMs = options.gapMs ?? 700;
  }

  /** The person opened their Home: remembered as a viewer, and their Home published now. */
  async opened(userId: string): Promise<void> {
    const { deps, viewers } = this.options;
    await viewers
      ?.opened(userId, deps.clock.now().getTime())
      .catch((err: unknown) => deps.logger.warn({ err }, "app home: viewer not remembered"));
    this.viewersRead = undefined;
    this.schedule(userId, true);
  }

  /** What became of a click in the Home: shown at the top of their Home, published now. */
  notify(userId: string, notice: string): void {
    this.slot(userId).notice = notice;
    this.schedule(userId, true);
  }

  /** The person's Home again now (after their own click changed something). */
  refreshNow(userId: string): void {
    this.schedule(userId, true);
  }

  /** A request changed: the Homes of its requester and of its approvers who look at theirs. */
  requestChanged(request: Request): void {
    if (this.closed) return;
    const { deps, viewers } = this.options;
    if (!viewers) return;
    const now = Date.now();
    if (!this.viewersRead || now - this.viewersRead.at > VIEWERS_READ_MS) {
      const users = viewers.since(deps.clock.now().getTime() - VIEWER_WINDOW_MS);
      users.catch(() => {
        this.viewersRead = undefined;
      });
      this.viewersRead = { at: now, users };
    }
    void this.viewersRead.users
      .then(async (seen) => {
        if (seen.length === 0) return;
        const readers = await homeReadersOf(deps, request, seen);
        const looking = new Set(seen);
        for (const reader of readers) if (looking.has(reader)) this.schedule(reader, false);
      })
      .catch((err: unknown) => deps.logger.warn({ err, requestId: request.id }, "app home: refresh skipped"));
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots.values()) if (slot.timer) clearTimeout(slot.timer);
    this.slots.clear();
  }

  private slot(userId: string): Slot {
    let slot = this.slots.get(userId);
    if (!slot) {
      slot = { lastAt: 0, running: false, again: false };
      this.slots.set(userId, slot);
    }
    return slot;
  }

  private schedule(userId: string, urgent: boolean): void {
    if (this.closed) return;
    const slot = this.slot(userId);
    if (slot.running) {
      // The publish under way may have read the old state: one more after it, never two.
      slot.again = true;
      return;
    }
    if (slot.timer) {
      if (!urgent) return;
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
    const now = Date.now();
    const wait = urgent ? 0 : Math.max(this.settleMs, slot.lastAt + this.perUserIntervalMs - now);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      void this.run(userId, slot);
    }, wait);
    slot.timer.unref?.();
  }

  private async run(userId: string, slot: Slot): Promise<void> {
    slot.running = true;
    try {
      await this.publish(userId, slot);
    } catch (err) {
      this.options.deps.logger.warn({ err, userId }, "app home: not published");
    } finally {
      slot.running = false;
      slot.lastAt = Date.now();
      if (slot.again) {
        slot.again = false;
        this.schedule(userId, false);
      }
    }
  }

  private async publish(userId: string, slot: Slot): Promise<void> {
    await this.waitTurn();
    if (this.closed) return;
    const { deps, client } = this.options;
    const [locale, data] = await Promise.all([
      readerLocale(deps.directory, userId),
      readAppHome(deps, userId, this.readiness),
    ]);
    const notice = slot.notice;
    slot.notice = undefined;
    const at = deps.clock.now().toISOString();
    const view = withLocale(locale, () =>
      buildAppHome(data, deps.kinds, { at, ...(notice ? { notice } : {}) }),
    );
    await client.views.publish({ user_id: userId, view });
    this.published += 1;
  }

  /** One publish at a time across the process, `gapMs` apart. */
  private waitTurn(): Promise<void> {
    const mine = this.turn.then(async () => {
      const wait = this.lastPublishAt + this.gapMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastPublishAt = Date.now();
    });
    this.turn = mine.catch(() => undefined);
    return mine;
  }
}
