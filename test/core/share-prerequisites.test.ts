import { describe, expect, it } from "vitest";
import { renderText } from "../../src/adapters/chat-slack/mrkdwn.renderer.js";
import { checkSharePrerequisites, MAX_SHARE_ACCOUNTS } from "../../src/core/cam/prerequisites.js";
import { toPlainText } from "../../src/core/messages/message.js";
import { CloudError } from "../../src/core/ports/cloud-api.port.js";
import type { Snapshot } from "../../src/core/snapshot.js";

const DEST = "200000000009";
const snapshot: Snapshot = {
  snapshotId: "snap-data0001",
  name: "data-nightly",
  region: "ap-shanghai",
  state: "NORMAL",
  diskId: "disk-data0001",
  diskSizeGiB: 40,
  diskUsage: "DATA_DISK",
  encrypted: false,
  percent: 100,
  createdAt: "2026-11-24 03:00:00",
};
const input = {
  snapshotId: snapshot.snapshotId,
  regions: ["ap-shanghai"],
  sourceUin: "100000000001",
  destination: { alias: "dr-share", accountUin: DEST, method: "share" as const },
};
const others = (n: number) => Array.from({ length: n }, (_, i) => String(300000000000 + i));

async function shareCheck(found: Partial<Snapshot> | undefined, shares: () => Promise<readonly string[]>) {
  const report = await checkSharePrerequisites(input, {
    findSnapshot: async () => (found ? { ...snapshot, ...found } : undefined),
    listShares: shares,
  });
  // As an English reader reads them: the reason in plain words, the fix as Slack shows it.
  return report.results.map((r) => ({
    ...r,
    reason: toPlainText(r.reason),
    ...(r.fix ? { fix: renderText(r.fix, 3000, "en") } : {}),
  }));
}

describe("share prerequisites (docs/decisions/017)", () => {
  it("passes a NORMAL data-disk snapshot shared with fewer than 50 accounts, without any CAM check", async () => {
    const results = await shareCheck({}, async () => others(3));
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ["snapshot", "passed"],
      ["share", "passed"],
    ]);
    expect(results[1]?.reason).toContain("3 of at most 50");
  });

  it("refuses a system-disk snapshot and points to the copy method", async () => {
    const [, share] = await shareCheck({ diskUsage: "SYSTEM_DISK" }, async () => []);
    expect(share).toMatchObject({ status: "failed", code: "share.system_disk" });
    expect(share?.fix).toContain("`method: copy` under `destinations.dr-share`");
  });

  it("refuses an encrypted snapshot", async () => {
    const [, share] = await shareCheck({ encrypted: true }, async () => []);
    expect(share).toMatchObject({ status: "failed", code: "share.encrypted" });
  });

  it(`refuses with the count when ${MAX_SHARE_ACCOUNTS} accounts already hold a share`, async () => {
    const [, share] = await shareCheck({}, async () => others(MAX_SHARE_ACCOUNTS));
    expect(share).toMatchObject({ status: "failed", code: "share.limit_reached" });
    expect(share?.reason).toContain("already shared with 50 accounts");
    expect(share?.reason).toContain("at most 50");
  });

  it("passes when the destination already holds a share (sharing again changes nothing), even when full", async () => {
    const [, share] = await shareCheck({}, async () => [...others(MAX_SHARE_ACCOUNTS - 1), DEST]);
    expect(share?.status).toBe("passed");
    expect(share?.reason).toContain("already shared with");
  });

  it("a busy cloud is a transient cannot-verify; a missing snapshot skips the share check", async () => {
    const [, busy] = await shareCheck({}, async () => {
      throw new CloudError({
        code: "ResourceBusy",
        message: "busy",
        category: "unavailable",
        reason: "other",
      });
    });
    expect(busy).toMatchObject({ status: "cannot-verify", transient: true });
    const missing = await shareCheck(undefined, async () => []);
    expect(missing.map((r) => r.status)).toEqual(["failed", "cannot-verify"]);
  });
});
