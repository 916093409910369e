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
  copyTo?: string;
}

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
  /** The copy's state in the destination, or "GONE" when it vanished (a failed copy). */
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
});
const simStateSchema = z.object({
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
          copyToAccountUin: z.string().optional(),
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
    }),
  ),
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
  return {
    source: {
      uin: SANDBOX.sourceUin,
      name: source?.name ?? "source",
      snapshots: rowsOf(SANDBOX.sourceUin),
      policies: (source?.autoSnapshotPolicies ?? []).map((p) => ({
        id: p.id,
        name: p.name,
        region: p.region,
        ...(p.copyToAccountUin ? { copyTo: aliasOf.get(p.copyToAccountUin) ?? p.copyToAccountUin } : {}),
      })),
    },
    destinations: Object.entries(SANDBOX.destinations).map(([alias, d]) => ({
      alias,
      uin: d.uin,
      collaborator: collaborators.has(d.uin),
      canCopy: granted.has(d.uin),
      readRole: (state.accounts.find((a) => a.uin === d.uin)?.roles.length ?? 0) > 0,
      snapshots: rowsOf(d.uin),
    })),
    copies: state.copies.map((c) => {
      const arrived = state.snapshots.find(
        (s) => s.ownerUin === c.targetUin && s.snapshotId === c.newSnapshotId,
      );
      return {
        newSnapshotId: c.newSnapshotId,
        sourceSnapshotId: c.sourceSnapshotId,
        destination: aliasOf.get(c.targetUin) ?? c.targetUin,
        name: c.name,
        state: arrived?.state ?? "GONE",
        percent: arrived?.percent ?? 0,
      };
    }),
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
