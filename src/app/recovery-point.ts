import type { BotConfig } from "../config/load-config.js";

/** The default recovery-point objective of a destination: 26 hours (a daily policy, plus slack). */
export const DEFAULT_RECOVERY_POINT_OBJECTIVE_MS = 26 * 3_600_000;

/**
 * How old the newest confirmed copy of a policy linked to this destination may be before the notify
 * channel is told (`destinations.<alias>.recoveryPointObjective`, 26 h by default), in ms. An alias
 * that is not configured gets the default.
 */
export function recoveryPointObjectiveOf(config: Readonly<BotConfig>, alias: string): number {
  return config.destinations[alias]?.recoveryPointObjective ?? DEFAULT_RECOVERY_POINT_OBJECTIVE_MS;
}
