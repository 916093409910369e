import { createCamReader } from "../core/cam/cam-cache.js";
import type { IncidentState, KnownLink, LedgerEntry } from "../core/ports/replication-ledger.port.js";
import { checkApprover, isPastExpiry } from "../core/request/approval-rules.js";
import type { Request } from "../core/request/request.js";
import { checkEveryDestination, type DestinationReadiness } from "./accounts.flow.js";
import { approverPolicyFor, isAmong } from "./approver-lookup.js";
import type { FlowDeps } from "./flow-deps.js";
import type { ListedRequest } from "./list-requests.flow.js";
import { recoveryPointObjectiveOf } from "./recovery-point.js";

/**
 * What one person's Home tab shows (docs/decisions/023). Everything is read from the store, the
 * ledger and the CAM cache the bot already keeps: opening the Home never asks the cloud more than
 * one readiness round per {@link READINESS_TTL_MS}, whoever opens it and however often.
 */
export interface HomeData {
  userId: string;
  /** Whether they approve requests to any destination (their Home then lists their decisions). */
  approver: boolean;
  /** Pending requests this person may approve now (their decision is what is missing). */
  awaitingDecision: ListedRequest[];
  /** Their own recent requests, newest first. */
  mine: ListedRequest[];
  readiness?: { checkedAt: string; destinations: DestinationReadiness[] };
  /** Each linked policy the watcher follows, from the ledger. */
  links: HomeLinkRow[];
  /** The newest finished copies and failures, with links to their cards. */
  latest: ListedRequest[];
  /** Set when automatic replication is configured: when the watcher last looked (ISO). */
  watcherLastRunAt?: string;
}

export interface HomeLinkRow {
  link: KnownLink;
  /** The newest source snapshot the ledger matched to its copy. */
  lastCopy?: LedgerEntry;
  /** The newest source snapshot the policy took (copied or not). */
  lastSource?: LedgerEntry;
  /** False when the destination has no read role: copies cannot be seen. */
  verifiable: boolean;
  objectiveMs: number;
  /** Age of the recovery point (the last copy's source time) when there is one. */
  recoveryPointAgeMs?: number;
  incidentOpen: boolean;
}

export type AppHomeDeps = Pick<
  FlowDeps,
  "config" | "store" | "notifier" | "directory" | "logger" | "clock" | "cloud" | "camCache" | "ledger"
>;

/** How far back the Home looks in the store, and how many of each list it keeps. */
const SCAN_LIMIT = 500;
export const HOME_LIST_LIMIT = 10;
/** One readiness round (the CAM cache's answers) is reused this long by every Home. */
export const READINESS_TTL_MS = 5 * 60_000;

const FINISHED_COPY_STATES = new Set<Request["state"]>([
  "completed",
  "submitted",
  "failed",
  "outcome_unknown",
]);

/**
 * Destination readiness for the Home, shared by every reader of this process: the accounts checks
 * (collaborator, copy permission, automatic-replication permission) through the CAM cache, computed
 * at most once per TTL and shared while in flight. A failed round is not kept.
 */
export class HomeReadiness {
  private last: { at: number; value: Promise<HomeData["readiness"]> } | undefined;

  constructor(private readonly ttlMs: number = READINESS_TTL_MS) {}

  read(
    deps: Pick<AppHomeDeps, "config" | "cloud" | "camCache" | "clock" | "logger">,
  ): Promise<HomeData["readiness"]> {
    const now = deps.clock.now().getTime();
    if (this.last && now - this.last.at < this.ttlMs) return this.last.value;
    const value = checkAll(deps).catch((err: unknown) => {
      deps.logger.warn({ err }, "app home: destination readiness not read");
      if (this.last?.value === value) this.last = undefined;
      return undefined;
    });
    this.last = { at: now, value };
    return value;
  }
}

async function checkAll(
  deps: Pick<AppHomeDeps, "config" | "cloud" | "camCache" | "clock">,
): Promise<HomeData["readiness"]> {
  const checkedAt = deps.clock.now().toISOString();
  // No `notBefore`: answers the CAM cache holds (from requests, Re-check, `accounts`) are reused.
  const cam = createCamReader(deps.cloud, deps.camCache);
  const destinations = await checkEveryDestination(deps.config, cam);
  return { checkedAt, destinations };
}

/** Everything one person's Home shows, read for them now. */
export async function readAppHome(
  deps: AppHomeDeps,
  userId: string,
  readiness: HomeReadiness,
): Promise<HomeData> {
  const now = deps.clock.now();
  const [recent, ready, links, runs] = await Promise.all([
    deps.store.listRecent(SCAN_LIMIT),
    readiness.read(deps),
    readLinks(deps),
    deps.ledger ? deps.ledger.runs().catch(() => undefined) : Promise.resolve(undefined),
  ]);
  const pending = recent.filter((r) => r.state === "pending_approval" && !isPastExpiry(r, now));
  const awaiting: Request[] = [];
  for (const request of pending) {
    if (await mayApproveNow(deps, request, userId)) awaiting.push(request);
  }
  const approver = await approvesAny(deps, userId);
  const mine = recent.filter((r) => r.requestedBy === userId).slice(0, HOME_LIST_LIMIT);
  const latest = recent.filter((r) => FINISHED_COPY_STATES.has(r.state)).slice(0, HOME_LIST_LIMIT);
  const withLinks = (list: readonly Request[]) =>
    Promise.all(
      list.map(async (request): Promise<ListedRequest> => {
        const link = await deps.notifier.cardLink?.(request).catch(() => undefined);
        return link ? { request, link } : { request };
      }),
    );
  return {
    userId,
    approver,
    awaitingDecision: await withLinks(awaiting),
    mine: await withLinks(mine),
    ...(ready ? { readiness: ready } : {}),
    links,
    latest: await withLinks(latest),
    ...(runs?.lastAt !== undefined ? { watcherLastRunAt: new Date(runs.lastAt).toISOString() } : {}),
  };
}

/** The same rules as a click (approval-rules.ts): an approver of its destination who has not voted. */
async function mayApproveNow(deps: AppHomeDeps, request: Request, userId: string): Promise<boolean> {
  const policy = approverPolicyFor(deps, request.destination.alias);
  const approver = await isAmong(deps, userId, policy);
  return checkApprover(request, userId, approver, policy).kind === "allowed";
}

async function approvesAny(deps: AppHomeDeps, userId: string): Promise<boolean> {
  for (const alias of Object.keys(deps.config.destinations)) {
    if (await isAmong(deps, userId, approverPolicyFor(deps, alias))) return true;
  }
  return false;
}

/**
 * Whose Home a change of this request concerns: its requester, and the people among `viewers` who
 * approve its destination (a request appearing in, or leaving, their list).
 */
export async function homeReadersOf(
  deps: Pick<AppHomeDeps, "config" | "directory" | "logger">,
  request: Request,
  viewers: readonly string[],
): Promise<string[]> {
  const policy = approverPolicyFor(deps, request.destination.alias);
  const readers = new Set<string>([request.requestedBy]);
  for (const viewer of viewers) {
    if (!readers.has(viewer) && (await isAmong(deps, viewer, policy))) readers.add(viewer);
  }
  return [...readers];
}

async function readLinks(
  deps: Pick<AppHomeDeps, "config" | "ledger" | "clock" | "logger">,
): Promise<HomeLinkRow[]> {
  const ledger = deps.ledger;
  if (!ledger) return [];
  try {
    const links = await ledger.links();
    const now = deps.clock.now().getTime();
    return await Promise.all(
      links.map(async (link): Promise<HomeLinkRow> => {
        const [entries, incident] = await Promise.all([
          ledger.entries(link.policyId),
          ledger.incident(link.policyId).catch((): IncidentState | undefined => undefined),
        ]);
        const bySource = [...entries].sort((a, b) => b.sourceCreatedAt - a.sourceCreatedAt);
        const lastCopy = bySource.find((e) => e.copySnapshotId !== undefined);
        const lastSource = bySource[0];
        const alias = link.alias;
        const verifiable = alias !== undefined && deps.config.destinations[alias]?.readRoleArn !== undefined;
        return {
          link,
          ...(lastCopy ? { lastCopy, recoveryPointAgeMs: Math.max(0, now - lastCopy.sourceCreatedAt) } : {}),
          ...(lastSource ? { lastSource } : {}),
          verifiable,
          objectiveMs: recoveryPointObjectiveOf(deps.config, alias ?? ""),
          incidentOpen: incident?.open === true,
        };
      }),
    );
  } catch (err) {
    deps.logger.warn({ err }, "app home: the ledger could not be read");
    return [];
  }
}
