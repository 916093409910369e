import type { TencentSimulator } from "../../dev/tencent-simulator/index.js";
import { generateRequestId } from "../../src/core/ids.js";
import type { RequestStore } from "../../src/core/ports/request-store.port.js";
import type { RequestState } from "../../src/core/request/request.js";
import type { SnapshotCopyRequest } from "../../src/kinds/snapshot-copy/snapshot-copy.request.js";
import { ALICE, BOB, DR_PROD_UIN, READ_ROLE, REQUEST_CHANNEL } from "../support/harness.js";
import { aRequest } from "../support/request-fixtures.js";

/** An approved request for snap-abc12345 → dr-prod, as the decide flow leaves it (no card: no Slack posts). */
export function buildApprovedRequest(newName: string): SnapshotCopyRequest {
  const now = new Date().toISOString();
  return aRequest({
    id: generateRequestId(),
    state: "approved",
    requestedBy: ALICE,
    origin: REQUEST_CHANNEL,
    destination: { alias: "dr-prod", accountUin: DR_PROD_UIN, readRoleArn: READ_ROLE },
    newName,
    approvals: [{ userId: BOB, at: now }],
  });
}

/** Creates `count` approved requests with unique copy names and queues them. */
export async function seedApprovedRequests(
  deps: { store: RequestStore; queue: { enqueueRequest(id: string): Promise<void> } },
  count: number,
  namePrefix: string,
): Promise<SnapshotCopyRequest[]> {
  const requests: SnapshotCopyRequest[] = [];
  const seen = new Set<string>();
  while (requests.length < count) {
    const request = buildApprovedRequest(`${namePrefix}-${requests.length}`);
    if (seen.has(request.id)) continue;
    seen.add(request.id);
    await deps.store.create(request);
    requests.push(request);
  }
  await Promise.all(requests.map((r) => deps.queue.enqueueRequest(r.id)));
  return requests;
}

/** Waits until every request is in a final state; returns the count per state. */
export async function waitUntilFinal(
  store: RequestStore,
  ids: readonly string[],
  timeoutMs: number,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  const finalStates: RequestState[] = [
    "completed",
    "submitted",
    "failed",
    "outcome_unknown",
    "rejected",
    "cancelled",
    "expired",
  ];
  for (;;) {
    const states = await Promise.all(ids.map(async (id) => (await store.get(id))?.state ?? "missing"));
    const counts: Record<string, number> = {};
    for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
    if (states.every((s) => finalStates.includes(s as RequestState)) || Date.now() > deadline) return counts;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The most calls of one action by one account that the simulator received in any one-second window. */
export function peakCallsPerSecond(sim: TencentSimulator): { key: string; peak: number } {
  const byKey = new Map<string, number[]>();
  for (const call of sim.calls) {
    const key = `${call.accountUin ?? "?"} ${call.action}`;
    const list = byKey.get(key) ?? [];
    list.push(call.at);
    byKey.set(key, list);
  }
  let worst = { key: "", peak: 0 };
  for (const [key, times] of byKey) {
    times.sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] as number) - (times[start] as number) >= 1000) start++;
      if (end - start + 1 > worst.peak) worst = { key, peak: end - start + 1 };
    }
  }
  return worst;
}

/** How many copies the simulator made per copy name. */
export function copiesByName(sim: TencentSimulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const copy of sim.state.copies) counts.set(copy.name, (counts.get(copy.name) ?? 0) + 1);
  return counts;
}
