import { z } from "zod";
import type { TencentSimulator } from "../../dev/tencent-simulator/index.js";
import { COPY_POLICY_ID, SANDBOX } from "./sandbox-seed.js";

/** What the console's side panel shows of the simulated cloud. Plain data, sent as JSON. */
export interface CloudView {
  source: { uin: string; name: string; snapshots: SnapshotRow[]; policies: PolicyRow[] };
  destinations: DestinationRow[];
  copies: CopyRow[];
  faults: FaultState;
}

export interface SnapshotRow {
  snapshotId: string;
  name: string;
  region: string;
  sizeGiB: number;
  state: string;
  percent: number;
}

export interface PolicyRow {
  id: string;
  name: string;
  region: string;
  diskIds: string[];
  /** The schedule in words, e.g. "every day at 03:00". */
  schedule: string;
  /** How many times a day it fires (what "Fire a day" does). */
  firingsPerDay: number;
  /** The linked account's alias (or uin when not configured); absent: not linked. */
  copyTo?: string;
  copyToUin?: string;
  copyDelayMs: number;
  /** Automatic copies the cloud will not make (the "Drop next copy" button). */
  dropNextCopies: number;
  /** The policy's snapshots, newest first (at most `POLICY_RUNS_SHOWN`), with their copies. */
  runs: PolicyRunRow[];
  /** How many snapshots the policy took in all. */
  runCount: number;
}

/** One snapshot a policy took, and what became of its automatic copy. */
export interface PolicyRunRow {
  snapshotId: string;
  name: string;
  createTime: string;
  state: string;
  percent: number;
  copy:
    | { kind: "copy"; snapshotId: string; destination: string; state: string; percent: number }
    /** Made, but not in the destination yet (the policy's copy delay). */
    | { kind: "due"; destination: string; inMs: number }
    | { kind: "dropped"; destination: string }
    /** Taken while the policy was not linked. */
    | { kind: "none" };
}

export const POLICY_RUNS_SHOWN = 6;

export interface DestinationRow {
  alias: string;
  uin: string;
  collaborator: boolean;
  canCopy: boolean;
  readRole: boolean;
  snapshots: SnapshotRow[];
}

export interface CopyRow {
  newSnapshotId: string;
  sourceSnapshotId: string;
  destination: string;
  name: string;
  /** The copy's state in the destination, "DUE" before it shows there, "GONE" when it vanished (failed). */
  state: string;
  percent: number;
}

export interface FaultState {
  drProdRevoked: boolean;
  nextCopy: "success" | "fail" | "stuck";
}

export const FAULTS = ["revoke-dr-prod", "fail-next-copy", "stuck-next-copy", "reset"] as const;
export type FaultName = (typeof FAULTS)[number];

/** The subset of `GET /__sim/state` the panel reads; anything else in it is ignored. */
const snapshotSchema = z.object({
  ownerUin: z.string(),
  snapshotId: z.string(),
  name: z.string(),
  region: z.string(),
  diskSize: z.number(),
  state: z.string(),
  percent: z.number(),
  createTime: z.string(),
  autoSnapshotPolicyId: z.string().optional(),
});
const simStateSchema = z.object({
  now: z.number(),
  accounts: z.array(
    z.object({
      uin: z.string(),
      name: z.string(),
      collaborators: z.array(z.object({ uin: z.string() })),
      roles: z.array(z.unknown()),
      userPolicies: z.array(z.object({ targetUin: z.string(), policyId: z.number() })),
      autoSnapshotPolicies: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          region: z.string(),
          diskIds: z.array(z.string()),
          hours: z.array(z.number()),
          daysOfWeek: z.array(z.number()),
          copyToAccountUin: z.string().optional(),
          autoCopy: z.object({ copyDelayMs: z.number(), dropNextCopies: z.number() }),
        }),
      ),
    }),
  ),
  snapshots: z.array(snapshotSchema),
  copies: z.array(
    z.object({
      sourceSnapshotId: z.string(),
      targetUin: z.string(),
      newSnapshotId: z.string(),
      name: z.string(),
      appearsAt: z.number(),
      trigger: z.enum(["api", "auto-policy"]),
    }),
  ),
  droppedCopies: z.array(z.object({ sourceSnapshotId: z.string(), targetUin: z.string() })),
  nextCopyOutcome: z.enum(["success", "fail", "stuck"]).optional(),
});

/** Reads the simulator's admin view over HTTP (as any console would) and shapes it for the panel. */
export async function readCloudView(sim: TencentSimulator): Promise<CloudView> {
  const response = await fetch(`${sim.url}/__sim/state`);
  const parsed = simStateSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`sandbox.sim_state_unreadable: ${parsed.error.message}`);
  const state = parsed.data;
  const aliasOf = new Map<string, string>(
    Object.entries(SANDBOX.destinations).map(([alias, d]) => [d.uin, alias]),
  );
  const source = state.accounts.find((a) => a.uin === SANDBOX.sourceUin);
  const rowsOf = (uin: string): SnapshotRow[] =>
    state.snapshots
      .filter((s) => s.ownerUin === uin)
      .map((s) => ({
        snapshotId: s.snapshotId,
        name: s.name,
        region: s.region,
        sizeGiB: s.diskSize,
        state: s.state,
        percent: s.percent,
      }));
  const collaborators = new Set(source?.collaborators.map((c) => c.uin));
  const granted = new Set(
    source?.userPolicies.filter((p) => p.policyId === COPY_POLICY_ID).map((p) => p.targetUin),
  );
  const drProd = SANDBOX.destinations["dr-prod"].uin;
  const nameOf = (uin: string) => aliasOf.get(uin) ?? uin;
  const copyOf = (c: (typeof state.copies)[number]) => {
    const arrived = state.snapshots.find(
      (s) => s.ownerUin === c.targetUin && s.snapshotId === c.newSnapshotId,
    );
    if (arrived) return { state: arrived.state, percent: arrived.percent };
    return { state: c.appearsAt > state.now ? "DUE" : "GONE", percent: 0 };
  };
  const runOf = (s: (typeof state.snapshots)[number]): PolicyRunRow => {
    const base = {
      snapshotId: s.snapshotId,
      name: s.name,
      createTime: s.createTime,
      state: s.state,
      percent: s.percent,
    };
    const copy = state.copies.find((c) => c.trigger === "auto-policy" && c.sourceSnapshotId === s.snapshotId);
    if (copy) {
      const destination = nameOf(copy.targetUin);
      const seen = copyOf(copy);
      if (seen.state === "DUE") {
        return { ...base, copy: { kind: "due", destination, inMs: copy.appearsAt - state.now } };
      }
      return { ...base, copy: { kind: "copy", snapshotId: copy.newSnapshotId, destination, ...seen } };
    }
    const dropped = state.droppedCopies.find((d) => d.sourceSnapshotId === s.snapshotId);
    if (dropped) return { ...base, copy: { kind: "dropped", destination: nameOf(dropped.targetUin) } };
    return { ...base, copy: { kind: "none" } };
  };
  return {
    source: {
      uin: SANDBOX.sourceUin,
      name: source?.name ?? "source",
      snapshots: rowsOf(SANDBOX.sourceUin),
      policies: (source?.autoSnapshotPolicies ?? []).map((p) => {
        const taken = state.snapshots
          .filter((s) => s.ownerUin === SANDBOX.sourceUin && s.autoSnapshotPolicyId === p.id)
          .reverse();
        return {
          id: p.id,
          name: p.name,
          region: p.region,
          diskIds: p.diskIds,
          schedule: describeSchedule(p.hours, p.daysOfWeek),
          firingsPerDay: p.hours.length,
          ...(p.copyToAccountUin
            ? { copyTo: nameOf(p.copyToAccountUin), copyToUin: p.copyToAccountUin }
            : {}),
          copyDelayMs: p.autoCopy.copyDelayMs,
          dropNextCopies: p.autoCopy.dropNextCopies,
          runs: taken.slice(0, POLICY_RUNS_SHOWN).map(runOf),
          runCount: taken.length,
        };
      }),
    },
    destinations: Object.entries(SANDBOX.destinations).map(([alias, d]) => ({
      alias,
      uin: d.uin,
      collaborator: collaborators.has(d.uin),
      canCopy: granted.has(d.uin),
      readRole: (state.accounts.find((a) => a.uin === d.uin)?.roles.length ?? 0) > 0,
      snapshots: rowsOf(d.uin),
    })),
    // The copies requests asked for; a policy's automatic copies are shown under the policy.
    copies: state.copies
      .filter((c) => c.trigger === "api")
      .map((c) => ({
        newSnapshotId: c.newSnapshotId,
        sourceSnapshotId: c.sourceSnapshotId,
        destination: nameOf(c.targetUin),
        name: c.name,
        ...copyOf(c),
      })),
    faults: { drProdRevoked: !granted.has(drProd), nextCopy: state.nextCopyOutcome ?? "success" },
  };
}

/** Turns one of the panel's toggles on or off in the simulator. */
export function applyFault(sim: TencentSimulator, fault: FaultName, on: boolean): void {
  const { state } = sim;
  const drProd = SANDBOX.destinations["dr-prod"].uin;
  switch (fault) {
    case "revoke-dr-prod":
      if (on) state.detachUserPolicy(SANDBOX.sourceUin, drProd, COPY_POLICY_ID);
      else state.attachUserPolicy(SANDBOX.sourceUin, drProd, COPY_POLICY_ID);
      return;
    case "fail-next-copy":
      state.setNextCopyOutcome(on ? "fail" : "success");
      return;
    case "stuck-next-copy":
      state.setNextCopyOutcome(on ? "stuck" : "success");
      return;
    case "reset":
      state.clearFaults();
      state.attachUserPolicy(SANDBOX.sourceUin, drProd, COPY_POLICY_ID);
      return;
  }
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "every day at 03:00", "on Mon, Thu at 00:00, 12:00" (Beijing time, as the policy says). */
export function describeSchedule(hours: readonly number[], daysOfWeek: readonly number[]): string {
  const at = [...hours]
    .sort((a, b) => a - b)
    .map((h) => `${String(h).padStart(2, "0")}:00`)
    .join(", ");
  const days =
    daysOfWeek.length === 0 || daysOfWeek.length === 7
      ? "every day"
      : `on ${[...daysOfWeek]
          .sort((a, b) => a - b)
          .map((d) => DAY_NAMES[d] ?? String(d))
          .join(", ")}`;
  return hours.length === 0 ? "never (no hours)" : `${days} at ${at}`;
}
