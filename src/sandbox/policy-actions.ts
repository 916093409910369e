import type { TencentSimulator } from "../../dev/tencent-simulator/index.js";
import { SANDBOX } from "./sandbox-seed.js";

/** What the cloud pane's buttons do to one of the source account's scheduled policies. */
export const POLICY_ACTIONS = ["fire", "fire-day", "drop-next-copy", "unlink", "delete"] as const;
export type PolicyActionName = (typeof POLICY_ACTIONS)[number];

/** A policy action the simulator refuses; `status` is the HTTP answer, `message` one line. */
export class PolicyActionError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface PolicyActionResult {
  /** Snapshots taken at once ("fire"). */
  taken?: string[];
  /** Firings scheduled ("fire-day"), one every `stepMs`. */
  scheduled?: number;
  /** Automatic copies that will not arrive ("drop-next-copy"). */
  dropNextCopies?: number;
}

/** Progress of a "Fire a day" run, per policy id. */
export type DayRuns = Record<string, { fired: number; total: number }>;

/**
 * Runs the policy buttons against the simulator. "Fire a day" compresses one simulated day: the
 * policy fires once per trigger hour of its schedule, one firing every `stepMs` of real time, so each
 * snapshot has its own time and its automatic copy follows after the policy's copy delay, as by day.
 */
export class PolicyActions {
  private readonly runs = new Map<string, { fired: number; total: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly sim: TencentSimulator,
    private readonly stepMs: number,
    /** Called after every change a timer made (a firing of a day), so the page is told. */
    private readonly onChange: () => void,
  ) {}

  apply(policyId: string, action: PolicyActionName): PolicyActionResult {
    const { state } = this.sim;
    const src = SANDBOX.sourceUin;
    const policy = state.getAutoSnapshotPolicy(src, policyId);
    if (!policy) throw new PolicyActionError(404, `no scheduled policy ${policyId} in the source account`);
    switch (action) {
      case "fire":
        return { taken: state.firePolicy(src, policyId).map((s) => s.snapshotId) };
      case "fire-day": {
        if (this.runs.has(policyId)) {
          throw new PolicyActionError(409, `${policyId} is already firing a day`);
        }
        const total = Math.max(1, policy.hours.length);
        this.runs.set(policyId, { fired: 0, total, timer: setTimeout(() => this.step(policyId), 0) });
        return { scheduled: total };
      }
      case "drop-next-copy": {
        const dropNextCopies = policy.autoCopy.dropNextCopies + 1;
        state.setAutoCopyBehaviour(src, policyId, { dropNextCopies });
        return { dropNextCopies };
      }
      case "unlink":
        if (!policy.copyToAccountUin) throw new PolicyActionError(409, `${policyId} is not linked`);
        state.unlinkByDestination(policy.copyToAccountUin, policyId);
        return {};
      case "delete":
        this.stop(policyId);
        state.removeAutoSnapshotPolicy(src, policyId);
        return {};
    }
  }

  /** The "Fire a day" runs in progress. */
  dayRuns(): DayRuns {
    return Object.fromEntries([...this.runs].map(([id, r]) => [id, { fired: r.fired, total: r.total }]));
  }

  close(): void {
    for (const id of [...this.runs.keys()]) this.stop(id);
  }

  private step(policyId: string): void {
    const run = this.runs.get(policyId);
    if (!run) return;
    if (this.sim.state.getAutoSnapshotPolicy(SANDBOX.sourceUin, policyId)) {
      this.sim.state.firePolicy(SANDBOX.sourceUin, policyId);
      run.fired += 1;
    } else {
      run.fired = run.total; // deleted meanwhile: the day ends here
    }
    if (run.fired >= run.total) this.runs.delete(policyId);
    else run.timer = setTimeout(() => this.step(policyId), this.stepMs);
    this.onChange();
  }

  private stop(policyId: string): void {
    const run = this.runs.get(policyId);
    if (run) clearTimeout(run.timer);
    this.runs.delete(policyId);
  }
}
