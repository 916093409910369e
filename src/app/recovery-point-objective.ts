import type { BotConfig } from "../config/load-config.js";

/** The default recovery-point objective: a confirmed copy no older than 26 h (a daily policy, plus slack). */
export const DEFAULT_RECOVERY_POINT_OBJECTIVE_MS = 26 * 60 * 60 * 1000;

/**
 * How old the newest confirmed copy in a destination may be (ms). The default for now; meant to read
 * `destinations.<alias>.recoveryPointObjective` once the configuration has it.
 */
export function recoveryPointObjectiveOf(_config: Readonly<BotConfig>, _alias: string | undefined): number {
  return DEFAULT_RECOVERY_POINT_OBJECTIVE_MS;
}
