import { z } from "zod";
import { REQUEST_STATES } from "../../core/request/lifecycle.js";
import type { Request } from "../../core/request/request.js";

/** The shape version this code writes; records without it were written before request kinds. */
export const RECORD_VERSION = 2;

const decisionSchema = z.object({ userId: z.string(), at: z.string(), reason: z.string().optional() });

// Lua's cjson turns an empty JSON array into an empty object; the schema restores arrays.
const emptyObjectAsArray = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0 ? [] : v),
    z.array(item),
  );

const storedRequestSchema = z
  .object({
    v: z.literal(RECORD_VERSION),
    id: z.string(),
    kind: z.string(),
    state: z.enum(REQUEST_STATES),
    step: z.string().optional(),
    approvals: emptyObjectAsArray(decisionSchema),
    // Text (parts); the first version stored plain strings.
    approverProblems: emptyObjectAsArray(
      z.union([z.string().transform((line) => [line]), emptyObjectAsArray(z.unknown())]),
    ).optional(),
  })
  .passthrough();

/**
 * Records are written only by this store, so only what Lua's cjson can distort is checked (state,
 * and empty arrays that come back as objects); the rest is trusted as the shape this code wrote.
 */
export function decodeRecord(raw: string): Request {
  const value: unknown = JSON.parse(raw);
  const parsed = storedRequestSchema.parse(isCurrent(value) ? value : upgradeV1Record(value));
  const { v: _version, ...request } = parsed;
  return request as unknown as Request;
}

export function encodeRecord(request: Request): string {
  return JSON.stringify({ v: RECORD_VERSION, ...request });
}

export function isCurrent(value: unknown): boolean {
  return !!value && typeof value === "object" && (value as { v?: unknown }).v === RECORD_VERSION;
}

const v1Schema = z
  .object({
    id: z.string(),
    state: z.string(),
    requestChannel: z.string(),
    snapshot: z.record(z.string(), z.unknown()),
    newName: z.string(),
    copy: z.unknown().optional(),
    card: z.object({ channel: z.string(), ts: z.string() }).optional(),
  })
  .passthrough();

const V1_STEPS = new Set(["checking", "copying", "verifying"]);

/**
 * A manual copy as the first version stored it (`kind: "replicate"`, the snapshot, name and copy
 * facts at the top, `checking` / `copying` / `verifying` as states): the same request in today's
 * shape, so that requests in flight during an upgrade carry on (docs/decisions/014).
 */
export function upgradeV1Record(value: unknown): unknown {
  const old = v1Schema.parse(value);
  const { requestChannel, snapshot, newName, copy, card, state, kind: _kind, ...rest } = old;
  const step = V1_STEPS.has(state) ? state : undefined;
  return {
    ...rest,
    v: RECORD_VERSION,
    kind: "snapshot-copy",
    state: step ? "running" : state,
    ...(step ? { step } : {}),
    origin: requestChannel,
    ...(card ? { card: { conversation: card.channel, id: card.ts } } : {}),
    spec: { snapshot, newName },
    progress: copy && typeof copy === "object" && !Array.isArray(copy) ? copy : {},
  };
}
