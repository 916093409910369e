import type { FlowDeps } from "../../app/flow-deps.js";
import { CloudError } from "../../core/ports/cloud-api.port.js";
import type { CopyObservation, WatchedCopy } from "../../core/ports/copy-watch.port.js";

export interface PollRound {
  /** Copies looked at in this round. */
  watched: number;
  /** Destination account + region + role groups: one batch of DescribeSnapshots calls each. */
  groups: number;
  /** Requests whose copy reached an end (NORMAL, gone, or a permanent error): worth waking now. */
  settled: string[];
}

/**
 * One poll round over every copy in flight (docs/decisions/009): grouped by destination account, region
 * and read role, each group is read with DescribeSnapshots in batches of up to 100 ids (the
 * adapter splits them), and what was seen is recorded for the verify steps to read. One round
 * costs about (copies in flight / 100) calls per destination and region, however many jobs wait.
 */
export async function pollCopiesInFlight(
  deps: Pick<FlowDeps, "cloud" | "copyWatch" | "clock" | "logger">,
): Promise<PollRound> {
  const watched = await deps.copyWatch.list();
  const groups = new Map<string, WatchedCopy[]>();
  for (const copy of watched) {
    const key = `${copy.accountUin}|${copy.region}|${copy.readRoleArn}`;
    const group = groups.get(key);
    if (group) group.push(copy);
    else groups.set(key, [copy]);
  }
  const observations = new Map<string, CopyObservation>();
  const settled: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const first = group[0];
      if (!first) return;
      const at = deps.clock.now().toISOString();
      try {
        const found = await deps.cloud.describeDestinationSnapshots(
          { accountUin: first.accountUin, readRoleArn: first.readRoleArn },
          first.region,
          group.map((c) => c.snapshotId),
        );
        const byId = new Map(found.map((s) => [s.snapshotId, s]));
        for (const copy of group) {
          const snapshot = byId.get(copy.snapshotId);
          if (!snapshot) {
            observations.set(copy.requestId, { kind: "absent", at });
            settled.push(copy.requestId);
            continue;
          }
          observations.set(copy.requestId, {
            kind: "seen",
            at,
            state: snapshot.state,
            percent: snapshot.percent,
            diskSizeGiB: snapshot.diskSizeGiB,
          });
          if (snapshot.state === "NORMAL") settled.push(copy.requestId);
        }
      } catch (err) {
        if (!(err instanceof CloudError)) throw err;
        deps.logger.warn(
          { code: err.code, accountUin: first.accountUin, region: first.region, copies: group.length },
          "poll round could not read a destination",
        );
        for (const copy of group) {
          observations.set(copy.requestId, {
            kind: "error",
            at,
            code: err.code,
            cloud: err.classification,
            message: err.message,
            retryable: err.retryable,
            ...(err.requestId ? { cloudRequestId: err.requestId } : {}),
          });
          if (!err.retryable) settled.push(copy.requestId);
        }
      }
    }),
  );
  await deps.copyWatch.record(observations);
  return { watched: watched.length, groups: groups.size, settled };
}
