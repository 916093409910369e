import type { Redis } from "ioredis";
import { z } from "zod";
import type { CopyClaim, CopyObservation, CopyWatch, WatchedCopy } from "../../core/ports/copy-watch.port.js";

const watchedCopySchema = z.object({
  requestId: z.string(),
  accountUin: z.string(),
  readRoleArn: z.string(),
  region: z.string(),
  snapshotId: z.string(),
});

const observationSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("seen"),
    at: z.string(),
    state: z.string(),
    percent: z.number(),
    diskSizeGiB: z.number(),
  }),
  z.object({ kind: z.literal("absent"), at: z.string() }),
  z.object({
    kind: z.literal("error"),
    at: z.string(),
    code: z.string(),
    cloud: z
      .object({
        category: z.enum(["throttled", "maybe_sent", "unavailable", "permanent"]),
        reason: z.string(),
      })
      .optional(),
    message: z.string(),
    retryable: z.boolean(),
    cloudRequestId: z.string().optional(),
  }),
]);

/** Records only for copies still watched, so a late poll round cannot bring a finished one back. */
const RECORD_SCRIPT = `
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
return 0
`;

/** Compare-and-swap of one string key: ARGV[1] expected ('' = absent), ARGV[2] next ('' = delete). */
const SWAP_SCRIPT = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1
`;

/** A claim outlives any copy a request can wait for (and then expires with the request's history). */
const CLAIM_TTL_SECONDS = 90 * 24 * 3600;

/** Two Redis hashes: `<prefix>:copy-watch` (request id → copy) and `…:seen` (request id → observation). */
export class RedisCopyWatch implements CopyWatch {
  private readonly watchedKey: string;
  private readonly seenKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.watchedKey = `${prefix}:copy-watch`;
    this.seenKey = `${prefix}:copy-watch:seen`;
  }

  async watch(copy: WatchedCopy): Promise<void> {
    await this.redis.hset(this.watchedKey, copy.requestId, JSON.stringify(copy));
  }

  async unwatch(requestId: string): Promise<void> {
    await this.redis.multi().hdel(this.watchedKey, requestId).hdel(this.seenKey, requestId).exec();
  }

  async list(): Promise<WatchedCopy[]> {
    const all = await this.redis.hgetall(this.watchedKey);
    const copies: WatchedCopy[] = [];
    for (const raw of Object.values(all)) {
      const parsed = watchedCopySchema.safeParse(safeJson(raw));
      if (parsed.success) copies.push(parsed.data);
    }
    return copies;
  }

  async record(observations: ReadonlyMap<string, CopyObservation>): Promise<void> {
    if (observations.size === 0) return;
    const fields: string[] = [];
    for (const [requestId, observation] of observations) fields.push(requestId, JSON.stringify(observation));
    await this.redis.eval(RECORD_SCRIPT, 2, this.watchedKey, this.seenKey, ...fields);
  }

  async observation(requestId: string): Promise<CopyObservation | undefined> {
    const raw = await this.redis.hget(this.seenKey, requestId);
    if (raw === null) return undefined;
    const parsed = observationSchema.safeParse(safeJson(raw));
    return parsed.success ? (parsed.data as CopyObservation) : undefined;
  }

  async readCopyClaim(requestId: string): Promise<CopyClaim | undefined> {
    return decodeClaim(await this.redis.get(this.claimKey(requestId)));
  }

  async swapCopyClaim(
    requestId: string,
    expected: CopyClaim | undefined,
    next: CopyClaim | undefined,
  ): Promise<boolean> {
    const swapped = await this.redis.eval(
      SWAP_SCRIPT,
      1,
      this.claimKey(requestId),
      encodeClaim(expected),
      encodeClaim(next),
      String(CLAIM_TTL_SECONDS),
    );
    return Number(swapped) === 1;
  }

  private claimKey(requestId: string): string {
    return `${this.prefix}:copy-claim:${requestId}`;
  }
}

function encodeClaim(claim: CopyClaim | undefined): string {
  return claim ? `${claim.at}|${claim.ended ? "ended" : "open"}` : "";
}

function decodeClaim(raw: string | null): CopyClaim | undefined {
  if (!raw) return undefined;
  const [at = "", state] = raw.split("|");
  return { at, ended: state === "ended" };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
