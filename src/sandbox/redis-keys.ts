import { Redis } from "ioredis";

/**
 * Deletes every key under `<prefix>:` but `keep` (SCAN, never FLUSHDB): the sandbox cleans up only its own run.
 * Sweeps twice, a moment apart: a write the closed queues had already sent (a job scheduler's next
 * run) can land just after the first sweep.
 */
export async function deleteKeysWithPrefix(
  redisUrl: string,
  prefix: string,
  options: { keep?: readonly string[] } = {},
): Promise<number> {
  const keep = new Set(options.keep ?? []);
  const first = await sweepKeys(redisUrl, prefix, keep);
  await new Promise((resolve) => setTimeout(resolve, 250));
  return first + (await sweepKeys(redisUrl, prefix, keep));
}

async function sweepKeys(redisUrl: string, prefix: string, keep: ReadonlySet<string>): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on("error", () => {});
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      const doomed = keys.filter((key) => !keep.has(key));
      if (doomed.length > 0) deleted += await redis.del(...doomed);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}
