import type { Redis } from "ioredis";
import { z } from "zod";
import {
  AUDIT_EVENT_NAME,
  type AuditEntry,
  type AuditQuery,
  type AuditTrail,
  type StoredAuditEntry,
} from "../../core/ports/audit.port.js";

/** The audit stream's key; the request store writes state changes to the same stream. */
export function auditStreamKey(prefix: string): string {
  return `${prefix}:audit`;
}

/** Flat `field value …` pairs for XADD; absent fields are left out. */
export function encodeAuditFields(entry: AuditEntry): string[] {
  const fields: string[] = ["event", entry.event, "requestId", entry.requestId, "at", entry.at];
  if (entry.userId) fields.push("userId", entry.userId);
  if (entry.from) fields.push("from", entry.from);
  if (entry.detail) fields.push("detail", entry.detail);
  if (entry.reason) fields.push("reason", entry.reason);
  return fields;
}

const storedEntrySchema = z.object({
  event: z.string().regex(AUDIT_EVENT_NAME),
  requestId: z.string(),
  at: z.string(),
  userId: z.string().optional(),
  from: z.string().optional(),
  detail: z.string().optional(),
  reason: z.string().optional(),
});

function decodeEntry(id: string, flat: string[]): StoredAuditEntry | undefined {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  const parsed = storedEntrySchema.safeParse(record);
  if (!parsed.success) return undefined;
  const { userId, from, detail, reason, ...rest } = parsed.data;
  return {
    id,
    ...rest,
    ...(userId ? { userId } : {}),
    ...(from ? { from } : {}),
    ...(detail ? { detail } : {}),
    ...(reason ? { reason } : {}),
  };
}

const PAGE = 1000;

/**
 * The audit trail as one Redis stream, append-only: nothing here trims or deletes it (docs/decisions/007;
 * decision 007). `since`/`until` select by the stream id, i.e. Redis' clock in milliseconds.
 */
export class RedisAuditTrail implements AuditTrail {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = auditStreamKey(prefix);
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.redis.xadd(this.key, "*", ...encodeAuditFields(entry));
  }

  async read(query: AuditQuery = {}): Promise<StoredAuditEntry[]> {
    const out: StoredAuditEntry[] = [];
    let start = query.since ? String(query.since.getTime()) : "-";
    const end = query.until ? String(query.until.getTime()) : "+";
    for (;;) {
      const page = (await this.redis.xrange(this.key, start, end, "COUNT", PAGE)) as Array<
        [string, string[]]
      >;
      for (const [id, flat] of page) {
        const entry = decodeEntry(id, flat);
        if (entry && (!query.requestId || entry.requestId === query.requestId)) out.push(entry);
      }
      const last = page[page.length - 1];
      if (page.length < PAGE || !last) return out;
      start = `(${last[0]}`;
    }
  }
}
