import type { Clock } from "../ports/clock.port.js";
import type { CloudApi } from "../ports/cloud-api.port.js";
import type { AttachedPolicyDocument, CamReader } from "./prerequisites.js";

/** @defaultValue 60 s: short enough that a fix shows up within a minute even without Re-check. */
export const DEFAULT_CAM_CACHE_TTL_MS = 60_000;
/** GetPolicy calls in flight at once for one user (CAM allows 20 calls/s per action). */
const GET_POLICY_BATCH = 10;

interface Entry {
  /** When the look-up started (ms): an answer is as old as the question. */
  startedAt: number;
  promise: Promise<unknown>;
}

export interface CamCacheOptions {
  /** How long an answer is reused. @defaultValue DEFAULT_CAM_CACHE_TTL_MS */
  ttlMs?: number;
  clock: Clock;
}

/**
 * CAM answers, kept in this process for a short TTL (docs/decisions/004-cam-answers-cached-in-process.md).
 * Look-ups are shared while in flight, so a burst of requests to one destination costs one set of
 * CAM calls; failures are never kept. A caller may ask for answers no older than `notBefore`
 * (Re-check, and the worker's check after an approval) — that fresh answer then serves everyone.
 */
export class CamCache {
  private readonly entries = new Map<string, Entry>();
  readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(options: CamCacheOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_CAM_CACHE_TTL_MS;
    this.clock = options.clock;
  }

  /**
   * The answer for `key`, from the cache when one is recent enough; `onAnswer` learns when the
   * answer used was looked up and whether it came from the cache (a refusal says how old it is).
   */
  read<T>(
    key: string,
    load: () => Promise<T>,
    notBefore?: number,
    onAnswer?: (answer: { startedAt: number; cached: boolean }) => void,
  ): Promise<T> {
    const now = this.clock.now().getTime();
    const oldestUsable = Math.max(now - this.ttlMs, notBefore ?? Number.NEGATIVE_INFINITY);
    const cached = this.entries.get(key);
    if (cached && cached.startedAt >= oldestUsable) {
      // Shared while in flight: only an answer asked for before this moment counts as cached.
      onAnswer?.({ startedAt: cached.startedAt, cached: cached.startedAt < now });
      return cached.promise as Promise<T>;
    }
    onAnswer?.({ startedAt: now, cached: false });
    const entry: Entry = { startedAt: now, promise: load() };
    this.entries.set(key, entry);
    entry.promise.catch(() => {
      // A failure is not an answer: the next caller asks again.
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.prune(now);
    return entry.promise as Promise<T>;
  }

  /** Forgets everything (tests; an operator's "I just changed CAM"). */
  clear(): void {
    this.entries.clear();
  }

  private prune(now: number): void {
    if (this.entries.size < 256) return;
    for (const [key, entry] of this.entries) if (entry.startedAt < now - this.ttlMs) this.entries.delete(key);
  }
}

export interface CamReaderOptions {
  /** Only answers whose look-up started at or after this time (ms). */
  notBefore?: number;
  /** Told of each answer used: when it was looked up, and whether it came from the cache. */
  onAnswer?: (answer: { startedAt: number; cached: boolean }) => void;
}

/**
 * The checks' view of CAM over the cloud port, through the cache: the collaborator list (one key for
 * the source account) and, per destination, its attached policies with their documents.
 */
export function createCamReader(
  cloud: CloudApi,
  cache: CamCache | undefined,
  options: CamReaderOptions = {},
): CamReader {
  const read = <T>(key: string, load: () => Promise<T>): Promise<T> =>
    cache ? cache.read(key, load, options.notBefore, options.onAnswer) : load();
  return {
    listCollaboratorUins: () =>
      read("collaborators", async () => (await cloud.listCollaborators()).map((c) => c.uin)),
    readAttachedPolicies: (targetUin) => read(`policies:${targetUin}`, () => readPolicies(cloud, targetUin)),
  };
}

async function readPolicies(cloud: CloudApi, targetUin: string): Promise<AttachedPolicyDocument[]> {
  const attached = await cloud.listAttachedPolicies(targetUin);
  const documents: AttachedPolicyDocument[] = [];
  for (let i = 0; i < attached.length; i += GET_POLICY_BATCH) {
    const batch = attached.slice(i, i + GET_POLICY_BATCH);
    const texts = await Promise.all(batch.map((p) => cloud.getPolicyDocument(p.policyId)));
    batch.forEach((policy, j) => {
      const document = texts[j];
      // undefined: deleted since it was listed, so it grants nothing.
      if (document !== undefined)
        documents.push({
          policyId: policy.policyId,
          name: policy.name,
          preset: policy.type === "preset",
          groups: policy.groups,
          document,
        });
    });
  }
  return documents;
}
