import type { FlowDeps } from "../../app/flow-deps.js";
import { isFinal } from "../../core/request/lifecycle.js";
import { numberedCopyName } from "./copy-name.js";
import { isSnapshotCopy } from "./snapshot-copy.request.js";

/**
 * How many numbers a default name may skip before giving up: a number is skipped only when its
 * name was taken some other way (an explicit `as "<name>-3"`, or names reserved before the counter
 * existed), so a request normally takes the first number it is given.
 */
const MAX_SKIPPED_NUMBERS = 50;

/**
 * How long a reservation's holder may go without a stored record before the name counts as free:
 * a request reserves its name before it is stored (seconds, even with slow look-ups); a holder
 * still unstored after this never will be (its process stopped in between).
 */
const UNSTORED_HOLDER_GRACE_MS = 10 * 60_000;

/**
 * Every copy the bot makes gets a name no other of its requests uses in that destination account
 * and region: after a crash, a copy whose id was lost is found by its name (decision 011), so a
 * shared name could make one request adopt another's copy. An explicit name is taken as given or
 * refused; a default name gets the next number of its (destination, region, name) counter
 * (`…-copy-20261125-2`), in one step however many copies of the snapshot were asked for that day.
 */
export async function reserveCopyName(
  deps: Pick<FlowDeps, "store">,
  request: { id: string; accountUin: string; region: string },
  name: string,
  explicit: boolean,
): Promise<string | undefined> {
  const scope = `${request.accountUin}:${request.region}`;
  const tries = explicit ? 1 : MAX_SKIPPED_NUMBERS;
  for (let attempt = 1; attempt <= tries; attempt++) {
    const n = explicit ? 1 : await deps.store.nextNameNumber(scope, name);
    const candidate = numberedCopyName(name, n);
    const reserved = await deps.store.reserveName(scope, candidate, request.id);
    if (reserved.ok) return candidate;
    // A request that ended without ever calling the copy (rejected, cancelled, expired, failed
    // before copying) made no snapshot under that name: its name may be used again.
    const holder = await deps.store.get(reserved.holder);
    // A holder with no record may be a request still being stored (it reserves first): only once
    // its reservation is older than that can take is it one that was never stored (a crash).
    const madeNoCopy =
      (!holder && reserved.ageMs > UNSTORED_HOLDER_GRACE_MS) ||
      (holder !== undefined &&
        isFinal(holder.state) &&
        isSnapshotCopy(holder) &&
        !holder.progress.copyRequestedAt &&
        !holder.progress.newSnapshotId);
    if (madeNoCopy && (await deps.store.takeOverName(scope, candidate, reserved.holder, request.id))) {
      return candidate;
    }
  }
  return undefined;
}
