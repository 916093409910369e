import type { CopyOutcome, FaultSpec } from "./simulator.types.js";

interface ActiveFault {
  spec: FaultSpec;
  /** failures left; undefined = unlimited */
  remaining: number | undefined;
}

/** Injected errors, latencies and the outcome of the next copy. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private readonly latencies = new Map<string, number>();
  private pendingCopyOutcome: CopyOutcome | undefined;

  constructor(private readonly random: () => number) {}

  inject(spec: FaultSpec): void {
    if (!spec.action || !spec.code) {
      throw new Error('injectFault needs an action (or "*") and an error code');
    }
    if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) {
      throw new Error(`injectFault rate must be within 0..1, got ${spec.rate}`);
    }
    if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times >= 1)) {
      throw new Error(`injectFault times must be a positive integer, got ${spec.times}`);
    }
    this.faults.push({ spec: { ...spec }, remaining: spec.times });
  }

  setLatency(action: string, ms: number): void {
    if (ms > 0) {
      this.latencies.set(action, ms);
    } else {
      this.latencies.delete(action);
    }
  }

  clear(): void {
    this.faults = [];
    this.latencies.clear();
    this.pendingCopyOutcome = undefined;
  }

  latencyFor(action: string): number {
    return this.latencies.get(action) ?? this.latencies.get("*") ?? 0;
  }

  /** The fault that fires for this call, if any; counts it against `times`. */
  take(action: string): FaultSpec | undefined {
    for (const fault of this.faults) {
      if (fault.spec.action !== action && fault.spec.action !== "*") {
        continue;
      }
      if (this.random() >= (fault.spec.rate ?? 1)) {
        continue;
      }
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) {
          this.faults = this.faults.filter((other) => other !== fault);
        }
      }
      return fault.spec;
    }
    return undefined;
  }

  setNextCopyOutcome(outcome: CopyOutcome): void {
    this.pendingCopyOutcome = outcome;
  }

  /** The outcome for the copy being made now; resets to success. */
  takeCopyOutcome(): CopyOutcome {
    const outcome = this.pendingCopyOutcome ?? "success";
    this.pendingCopyOutcome = undefined;
    return outcome;
  }

  describe(): {
    faults: Array<FaultSpec & { remaining?: number }>;
    latencies: Record<string, number>;
    nextCopyOutcome?: CopyOutcome;
  } {
    return {
      faults: this.faults.map((fault) =>
        fault.remaining === undefined ? { ...fault.spec } : { ...fault.spec, remaining: fault.remaining },
      ),
      latencies: Object.fromEntries(this.latencies),
      ...(this.pendingCopyOutcome ? { nextCopyOutcome: this.pendingCopyOutcome } : {}),
    };
  }
}
