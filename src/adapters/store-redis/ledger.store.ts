import type { Redis } from "ioredis";
import type {
  AnnouncementClaim,
  IncidentState,
  KnownLink,
  LedgerEntry,
  PendingAnnouncement,
  ReplicationLedger,
} from "../../core/ports/replication-ledger.port.js";

/**
 * The replication ledger in Redis (docs/decisions/020), under `<prefix>:auto:`:
 * `links` (policy id → link), `entries:<policy id>` (source snapshot id → entry), `incidents`
 * (policy id → incident), `outbox` (announcement id → announcement to post), `posting` (id → when a
 * run claimed its post), `announced` (id → the chat's message id), `runs` (count, lastAt). Every fact
 * and its outbox entry are written by one script, so they exist together or not at all.
 */
export class RedisReplicationLedger implements ReplicationLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(name: string): string {
    return `${this.prefix}:auto:${name}`;
  }

  async links(): Promise<KnownLink[]> {
    const all = await this.redis.hgetall(this.key("links"));
    return Object.values(all).map((raw) => JSON.parse(raw) as KnownLink);
  }

  async addLinks(links: readonly KnownLink[]): Promise<KnownLink[]> {
    const added: KnownLink[] = [];
    for (const link of links) {
      if ((await this.redis.hsetnx(this.key("links"), link.policyId, JSON.stringify(link))) === 1)
        added.push(link);
    }
    return added;
  }

  async updateLinks(links: readonly KnownLink[]): Promise<void> {
    for (const link of links) {
      await this.redis.eval(
        "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end",
        1,
        this.key("links"),
        link.policyId,
        JSON.stringify(link),
      );
    }
  }

  async dropLink(policyId: string, announcement: PendingAnnouncement): Promise<boolean> {
    const dropped = await this.redis.eval(
      `if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
       redis.call('HDEL', KEYS[3], ARGV[1])
       if redis.call('HEXISTS', KEYS[4], ARGV[2]) == 0 then redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) end
       return 1`,
      4,
      this.key("links"),
      this.key("outbox"),
      this.key("incidents"),
      this.key("announced"),
      policyId,
      announcement.id,
      JSON.stringify(announcement),
    );
    return dropped === 1;
  }

  async entries(policyId: string): Promise<LedgerEntry[]> {
    const all = await this.redis.hgetall(this.key(`entries:${policyId}`));
    return Object.values(all).map((raw) => JSON.parse(raw) as LedgerEntry);
  }

  async record(
    policyId: string,
    sources: readonly LedgerEntry[],
    pairs: readonly LedgerEntry[],
    announcement: PendingAnnouncement,
  ): Promise<LedgerEntry[]> {
    if (sources.length === 0 && pairs.length === 0) return [];
    // The outbox entry is the announcement with its pairs cut out: the script splices in the raw
    // JSON of the pairs it confirmed (no re-encoding in Lua: numbers stay exact).
    const template = JSON.stringify({
      ...announcement,
      announcement: { ...announcement.announcement, pairs: [] },
    });
    const marker = '"pairs":[]';
    const at = template.lastIndexOf(marker);
    const args = [
      announcement.id,
      template.slice(0, at + marker.length - 1),
      template.slice(at + marker.length - 1),
      String(sources.length),
      ...sources.flatMap((e) => [e.sourceSnapshotId, JSON.stringify(e)]),
      ...pairs.flatMap((e) => [e.sourceSnapshotId, JSON.stringify(e)]),
    ];
    const confirmed = (await this.redis.eval(
      `local n = tonumber(ARGV[4])
       local i = 5
       for _ = 1, n do
         redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
         i = i + 2
       end
       local done = {}
       while i <= #ARGV do
         local current = redis.call('HGET', KEYS[1], ARGV[i])
         if (not current) or (not string.find(current, '"copySnapshotId"', 1, true)) then
           redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
           table.insert(done, ARGV[i + 1])
         end
         i = i + 2
       end
       if #done > 0 and redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then
         redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2] .. table.concat(done, ',') .. ARGV[3])
       end
       return done`,
      3,
      this.key(`entries:${policyId}`),
      this.key("outbox"),
      this.key("announced"),
      ...args,
    )) as string[];
    return confirmed.map((raw) => JSON.parse(raw) as LedgerEntry);
  }

  async incident(policyId: string): Promise<IncidentState | undefined> {
    const raw = await this.redis.hget(this.key("incidents"), policyId);
    return raw ? (JSON.parse(raw) as IncidentState) : undefined;
  }

  async setIncident(state: IncidentState, announcement: PendingAnnouncement): Promise<boolean> {
    const changed = await this.redis.eval(
      `local current = redis.call('HGET', KEYS[1], ARGV[1])
       local open = current and string.find(current, '"open":true', 1, true) ~= nil
       if open == (ARGV[2] == '1') then return 0 end
       redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
       if redis.call('HEXISTS', KEYS[3], ARGV[4]) == 0 then redis.call('HSETNX', KEYS[2], ARGV[4], ARGV[5]) end
       return 1`,
      3,
      this.key("incidents"),
      this.key("outbox"),
      this.key("announced"),
      state.policyId,
      state.open ? "1" : "0",
      JSON.stringify(state),
      announcement.id,
      JSON.stringify(announcement),
    );
    return changed === 1;
  }

  async queueAnnouncement(announcement: PendingAnnouncement): Promise<boolean> {
    const queued = await this.redis.eval(
      `if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
       return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])`,
      2,
      this.key("outbox"),
      this.key("announced"),
      announcement.id,
      JSON.stringify(announcement),
    );
    return queued === 1;
  }

  async pendingAnnouncements(): Promise<PendingAnnouncement[]> {
    const all = await this.redis.hgetall(this.key("outbox"));
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as PendingAnnouncement)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async claimAnnouncement(id: string, now: number, leaseMs: number): Promise<AnnouncementClaim> {
    return (await this.redis.eval(
      `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 'gone' end
       local claimed = redis.call('HGET', KEYS[2], ARGV[1])
       if not claimed then
         redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
         return 'post'
       end
       if tonumber(claimed) + tonumber(ARGV[3]) <= tonumber(ARGV[2]) then
         redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
         return 'verify'
       end
       return 'busy'`,
      2,
      this.key("outbox"),
      this.key("posting"),
      id,
      String(now),
      String(leaseMs),
    )) as AnnouncementClaim;
  }

  async markAnnounced(id: string, messageId: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key("announced"), id, messageId)
      .hdel(this.key("outbox"), id)
      .hdel(this.key("posting"), id)
      .exec();
  }

  async countRun(at: number): Promise<number> {
    const [[, count] = []] =
      (await this.redis
        .multi()
        .hincrby(this.key("runs"), "count", 1)
        .hset(this.key("runs"), "lastAt", String(at))
        .exec()) ?? [];
    return Number(count);
  }

  async runs(): Promise<{ count: number; lastAt?: number }> {
    const raw = await this.redis.hgetall(this.key("runs"));
    return { count: Number(raw.count ?? 0), ...(raw.lastAt ? { lastAt: Number(raw.lastAt) } : {}) };
  }
}
