import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import type { FlowDeps } from "../../src/app/flow-deps.js";
import type { RequestKind, StepResult } from "../../src/app/request-kind.js";
import { advance, finish } from "../../src/app/request-steps.js";
import { submitRequest } from "../../src/app/submit-request.flow.js";
import { generateRequestId } from "../../src/core/ids.js";
import { code, text } from "../../src/core/messages/message.js";
import type { Request } from "../../src/core/request/request.js";
import {
  ALICE,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  REQUEST_CHANNEL,
  startHarness,
} from "../support/harness.js";
import { buttonValue } from "../support/slack-blocks.js";
import { approveOnCard } from "../support/slack-steps.js";

/**
 * A kind of request defined here, in the test folder, with nothing changed under src/: it asks
 * to "ring a bell" in the destination, in two steps. If the core were still hard-wired to the
 * snapshot copy, this kind could not get a card, approvals, steps or a notice.
 */
interface BellSpec {
  bell: string;
  times: number;
}
interface BellProgress {
  rung?: number;
}
type BellRequest = Request<BellSpec, BellProgress>;

const rungBells: string[] = [];

const bellKind: RequestKind<BellSpec, BellProgress> = {
  id: "test-bell",
  steps: ["tuning", "ringing"],
  parseSpec: (spec) => spec as BellSpec,
  fingerprintPlan: (request) =>
    `bell:${request.spec.bell}:${request.spec.times}:${request.destination.accountUin}`,
  async runStep(deps: FlowDeps, request: BellRequest): Promise<StepResult> {
    if (request.state === "approved") {
      return advance(
        deps,
        request,
        { to: "running", step: "tuning" },
        {},
        text`Tuning ${code(request.spec.bell)}…`,
      );
    }
    if (request.step === "tuning") {
      return advance(deps, request, { to: "running", step: "ringing" }, {}, text`Tuned; ringing now.`);
    }
    if (request.step === "ringing") {
      rungBells.push(request.spec.bell);
      const result = await deps.store.transition(request.id, {
        to: "completed",
        from: { state: "running", step: "ringing" },
        patch: { progress: { rung: request.spec.times } },
      });
      if (result.ok) {
        await deps.notifier.postThreadReply(result.request, text`Rang ${request.spec.times} times.`);
        await finish(deps, result.request);
      }
      return { kind: "done", state: "completed" };
    }
    return { kind: "done", state: request.state };
  },
  describeCard: (request) => ({
    title: `Ring ${request.spec.bell} in ${request.destination.alias}`,
    summary: text`bell ${request.spec.bell} × ${request.spec.times} in ${request.destination.alias}`,
    fields: [
      { label: "Bell", value: [request.spec.bell] },
      { label: "Times", value: [String(request.spec.times)] },
    ],
    facts: request.progress.rung ? [text`Rung: ${request.progress.rung}`] : [],
    confirm: text`Ring ${request.spec.bell} ${request.spec.times} times?`,
  }),
  describeStep: (step) => (step === "tuning" ? "tuning the bell" : "ringing"),
  describeOutcome: (request) => ({
    text: text`🔔 Bell request ${request.id} ${request.state}: ${request.spec.bell} rang ${request.progress.rung ?? 0} times`,
  }),
  fixFor: () => undefined,
};

describe("a kind of request defined outside src/", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extraKinds: [bellKind as RequestKind] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("goes request → card → approve → its own steps → completed, with a card, a thread and a notice", async () => {
    const before = h.slack.messages.length;
    const outcome = await submitRequest(h.bot.deps, {
      id: generateRequestId(),
      kind: "test-bell",
      requestedBy: ALICE,
      origin: REQUEST_CHANNEL,
      // A name a person typed: rendered literally, never as a ping.
      destination: { alias: "dr-prod", accountUin: DR_PROD_UIN },
      spec: { bell: "<!channel> big-ben", times: 3 },
      progress: {},
    });
    expect(outcome.kind).toBe("posted");
    if (outcome.kind !== "posted") return;
    const requestId = outcome.request.id;
    const card = await h.slack.waitFor(
      () =>
        h.slack.messages
          .slice(before)
          .find((m) => !m.threadTs && buttonValue(m, "request_approve") === requestId),
      { what: "the bell's approval card" },
    );
    const cardJson = JSON.stringify(card.blocks);
    expect(cardJson).toContain("Ring <!channel> big-ben in dr-prod"); // the header is plain text
    expect(cardJson).toContain("&lt;!channel&gt; big-ben"); // mrkdwn escapes it
    expect(cardJson).toContain("Waiting for approval");

    const click = await approveOnCard(h, card, requestId);
    expect(click.status).toBe(200);

    const threadOf = (m: SlackMessage) => h.slack.thread(m.channel, m.ts).map((t) => t.text);
    await h.slack.waitFor(() => threadOf(card).find((t) => t.startsWith("Rang 3 times")), {
      what: "the last step's reply",
      timeoutMs: 10_000,
    });
    expect(threadOf(card)).toEqual([
      expect.stringContaining("Approved by <@U0BOB>"),
      "Tuning `&lt;!channel&gt; big-ben`…",
      "Tuned; ringing now.",
      "Rang 3 times.",
    ]);
    expect(rungBells).toEqual(["<!channel> big-ben"]);

    const stored = await h.bot.deps.store.get(requestId);
    expect(stored).toMatchObject({ kind: "test-bell", state: "completed", progress: { rung: 3 } });
    // The card is refreshed through the outbox (its updates coalesced): wait for the final one.
    const live = await h.slack.waitFor(
      () => {
        const m = h.slack.messages.find((x) => x.ts === card.ts && x.channel === card.channel);
        return JSON.stringify(m?.blocks).includes("Completed") ? m : undefined;
      },
      { what: "the card completed" },
    );
    expect(JSON.stringify(live.blocks)).toContain("Rung: 3");
    const notice = await h.slack.waitFor(
      () => h.slack.messages.find((m) => m.channel === NOTIFY_CHANNEL && m.text.includes(requestId)),
      { what: "the notice" },
    );
    expect(notice.text).toContain("&lt;!channel&gt; big-ben rang 3 times");
    const events = (await h.bot.deps.audit?.read({ requestId }))?.map((e) => e.event);
    expect(events).toEqual(["requested", "approved", "tuning", "ringing", "completed"]);
  });
});
