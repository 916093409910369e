import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import {
  SCREENSHOTS as ARTIFACTS,
  type SandboxInBrowser,
  startSandboxInBrowser,
} from "../support/browser.js";

/**
 * How long to wait for something to show. Every wait is on what the page shows, never a sleep; the
 * bound is for a loaded 2-core machine, where the sandbox (in this very process) and Chromium share
 * the cores with other test runs: vitest's expect.poll gives up after 1 s by default and Playwright
 * after 30 s, and a keyboard round trip there can take longer than the first.
 */
const WAIT_MS = 20_000;
/** A snapshot name of the most characters Tencent Cloud allows (60), with no space to break at. */
const LONG_NAME = "orders-db-primary-before-schema-migration-2026-11-24-final01";
/** Widths the layout must work at: a phone (390 px) to a wide screen. */
const WIDTHS = [390, 600, 900, 1280, 1920];
const SAMPLE =
  "*bold* `code` <@U0BOB> <#C0NOTIFY> <https://example.com/a|site> <javascript:alert(1)|bad> <img src=x onerror=alert(1)> &lt;b&gt;";

/** Waits (on observable state) until `probe` satisfies the matcher that follows. */
const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: WAIT_MS, interval: 100 });

describe("sandbox console in a real browser: request → refusal → approval → thread → notify channel", {
  timeout: 90_000,
}, () => {
  let browser: SandboxInBrowser | undefined;
  let sandbox: Sandbox;
  let page: Page;

  beforeAll(async () => {
    browser = await startSandboxInBrowser({
      // A stuck copy fails within seconds here, a normal 1.5 s copy long before that.
      sandbox: { maxCopyDuration: "10s" },
      waitMs: WAIT_MS,
      profilePrefix: "sandbox-chromium-",
    });
    ({ sandbox, page } = browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  }, 60_000);

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const USER_IDS: Record<string, string> = { alice: "U0ALICE", bob: "U0BOB", carol: "U0CAROL" };
  /** Switches user and waits until the page shows that user's view (every message redrawn for them). */
  const actAs = async (name: string) => {
    await page.getByRole("radio", { name: new RegExp(`^${name}\\b`) }).check();
    await poll(() => page.locator("body").getAttribute("data-user")).toBe(USER_IDS[name]);
  };
  const channel = () => page.locator("#messages");
  /** A property of the focused element (a string expression: the test has no DOM types). */
  const focused = (property: string) => page.evaluate<unknown>(`document.activeElement?.${property}`);

  it("shows the channel, the user switcher and the simulated cloud", async () => {
    const response = await page.goto(sandbox.consoleUrl);
    expect(response?.status()).toBe(200);
    await poll(() => page.locator("#channel-title").textContent()).toContain("dr-requests");
    await poll(() => page.getByRole("radio", { name: /^alice\b/ }).isChecked()).toBe(true);
    const cloud = page.locator("#cloud-pane");
    await cloud.getByText("snap-new00001").waitFor();
    expect(await cloud.textContent()).toMatch(/CREATING\s*40%/);
    expect(await cloud.locator('[data-destination="dr-new"]').textContent()).toContain("not a collaborator");
    expect(await cloud.locator('[data-destination="dr-locked"]').textContent()).toContain(
      "no copy permission",
    );
    expect(await page.getByLabel("Message #dr-requests").count()).toBe(1);
  });

  it("alice asks, sees the card and is refused when she approves her own request", async () => {
    await actAs("alice");
    const box = page.getByLabel("Message #dr-requests");
    await box.fill('/snapshot replicate snap-db000001 to dr-prod as "orders-db-dr"');
    await box.press("Enter");

    const card = channel().locator("li.msg", { hasText: "Copy snap-db000001 to dr-prod" });
    await card.getByRole("button", { name: "Approve" }).waitFor();
    const cardText = (await card.textContent()) ?? "";
    for (const fact of [
      "Waiting for approval",
      "orders-db-daily",
      "ap-guangzhou",
      "200 GiB",
      "orders-db-dr",
      "@alice",
    ]) {
      expect(cardText).toContain(fact);
    }
    // The private answer to the command, visible to alice only.
    await channel()
      .locator("li.msg.ephemeral", { hasText: /waiting for approval in #dr-requests/ })
      .waitFor();
    await shot("01-card-as-alice");

    await card.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByRole("dialog", { name: "Approve this copy?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Approve" }).click();
    const refusal = channel().locator("li.msg.ephemeral", {
      hasText: /approver|own request|may not approve/i,
    });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("Only visible to you");
    await shot("02-alice-refused");
    expect(await card.getByRole("button", { name: "Approve" }).count()).toBe(1);
  });

  it("bob approves (confirm dialog), the thread reaches completed and the notify channel says so", async () => {
    await actAs("bob");
    // alice's private replies are not bob's to see.
    expect(await channel().locator("li.msg.ephemeral").count()).toBe(0);

    const card = channel().locator("li.msg", { hasText: "Copy snap-db000001 to dr-prod" });
    await card.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByRole("dialog", { name: "Approve this copy?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("200000000002");
    await dialog.getByRole("button", { name: "Approve" }).click();

    await card.getByRole("button", { name: /repl(y|ies)/ }).click();
    const thread = page.locator("#thread-messages");
    await thread.getByText(/Completed in/).waitFor({ timeout: 2 * WAIT_MS });
    await card.getByText("Completed").first().waitFor();
    expect(await card.getByRole("button", { name: "Approve" }).count()).toBe(0);
    const threadText = (await thread.textContent()) ?? "";
    expect(threadText).toMatch(/Approved by/);
    expect(threadText).toMatch(/Copy started/);
    await page
      .locator("#cloud-pane")
      .getByText(/→ dr-prod as "orders-db-dr"/)
      .waitFor();
    await shot("03-thread-completed");

    await page.getByRole("button", { name: /^#dr-notify/ }).click();
    await poll(() => page.locator("#channel-title").textContent()).toContain("dr-notify");
    const notice = channel().locator("li.msg", { hasText: /completed/ });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/snap-db000001 → account 200000000002 \(dr-prod\)/);
    await shot("04-notify-channel");
  });

  it("alice's request to dr-new is refused privately", async () => {
    await actAs("alice");
    await page.getByRole("button", { name: /^#dr-requests/ }).click();
    const box = page.getByLabel("Message #dr-requests");
    await box.fill("/snapshot replicate snap-web00001 to dr-new");
    await box.press("Enter");
    const refusal = channel().locator("li.msg.ephemeral", { hasText: /collaborator|not allowed|refused/i });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("Only visible to you");
    await shot("05-dr-new-refused");

    await actAs("carol");
    expect(await channel().locator("li.msg.ephemeral").count()).toBe(0);
  });

  it("the shortcut's form checks its fields, posts a card, and Reject asks for a reason in a modal", async () => {
    await actAs("alice");
    await page.getByRole("button", { name: /Replicate a snapshot \(form\)/ }).click();
    const form = page.getByRole("dialog", { name: "Replicate a snapshot" });
    await form.waitFor();
    await form.getByRole("button", { name: "Ask for approval" }).click();
    const snapshotField = form.getByLabel("Snapshot id");
    await poll(() => snapshotField.getAttribute("aria-invalid")).toBe("true");
    expect(await form.textContent()).toMatch(/snap- followed by 8/);
    await snapshotField.fill("snap-logs0001");
    await form.getByLabel("Destination").fill("dr-prod");
    await form.getByLabel("Post the request in").selectOption({ label: "#dr-requests" });
    await shot("07-shortcut-form");
    await form.getByRole("button", { name: "Ask for approval" }).click();
    await form.waitFor({ state: "hidden" });
    const card = channel().locator("li.msg", { hasText: "Copy snap-logs0001 to dr-prod" });
    await card.getByRole("button", { name: "Reject" }).waitFor();

    await actAs("carol");
    await card.getByRole("button", { name: "Reject" }).click();
    const modal = page.getByRole("dialog", { name: "Reject request" });
    await modal.waitFor();
    await modal.getByLabel(/Reason/).fill("not during the freeze");
    await shot("08-reject-reason");
    await modal.getByRole("button", { name: "Reject" }).click();
    await modal.waitFor({ state: "hidden" });
    await card.getByText(/Rejected by @carol/).waitFor();
    expect(await card.textContent()).toContain("not during the freeze");
    expect(await card.getByRole("button", { name: "Approve" }).count()).toBe(0);
  });

  it("the fault toggles change the simulated cloud", async () => {
    const drProd = page.locator('#cloud-pane [data-destination="dr-prod"]');
    const revoke = page.getByLabel("Revoke dr-prod's copy permission");
    await revoke.check();
    await drProd.getByText("no copy permission").waitFor();
    const failNext = page.getByLabel("Fail the next copy");
    await failNext.check();
    await page.reload();
    // The toggles show the simulator's state, not the page's memory.
    await drProd.getByText("no copy permission").waitFor();
    await poll(() => page.getByLabel("Fail the next copy").isChecked()).toBe(true);
    await shot("06-faults");
    await page.getByRole("button", { name: "Clear all faults" }).click();
    await drProd.getByText("✓ copy permission").waitFor();
    await poll(() => page.getByLabel("Fail the next copy").isChecked()).toBe(false);
  });

  it("the cloud pane shows the scheduled policies; Fire now takes a snapshot and its automatic copy follows", async () => {
    const pane = page.locator("#cloud-pane");
    const linkable = pane.locator('[data-policy="asp-daily001"]');
    const linked = pane.locator('[data-policy="asp-web4hour"]');
    await linked.getByText(/every day at 00:00, 04:00, 08:00/).waitFor();
    const facts = (await linked.textContent()) ?? "";
    expect(facts).toContain("disk-web00001");
    expect(facts).toContain("CopyToAccountUin 200000000002 (dr-prod)");
    expect(await linkable.textContent()).toContain("not linked");
    // Buttons are labelled by their policy, and what cannot be done is disabled, not hidden.
    const buttons = pane.getByRole("group", { name: "web-every-4h" });
    for (const name of [
      "Fire now",
      "Fire a day (6×)",
      "Drop next copy",
      "Unlink (as dr-prod)",
      "Delete policy",
    ]) {
      expect(await buttons.getByRole("button", { name }).isEnabled()).toBe(true);
    }
    expect(
      await pane
        .getByRole("group", { name: "daily-03h" })
        .getByRole("button", { name: "Unlink (as the destination)" })
        .isDisabled(),
    ).toBe(true);

    await buttons.getByRole("button", { name: "Fire now" }).click();
    const status = page.locator("#cloud-status");
    await status.getByText(/asp-web4hour fired: snap-/).waitFor();
    const snapshotId = /snap-[a-z0-9]{8}/.exec((await status.textContent()) ?? "")?.[0] ?? "";
    const run = linked.locator(`tr[data-run="${snapshotId}"]`);
    await run.waitFor();
    // The automatic copy shows in dr-prod after the policy's delay (3 s in the sandbox).
    const copied = run.locator('[data-copy="copy"]');
    await copied.waitFor({ timeout: 2 * WAIT_MS });
    expect(await copied.textContent()).toContain("in dr-prod");
    const copyId = (await copied.locator(".id").textContent()) ?? "";
    expect(copyId).toMatch(/^snap-[a-z0-9]{8}$/);
    await pane.locator('[data-destination="dr-prod"]').getByText(copyId).waitFor();
    await linked.scrollIntoViewIfNeeded();
    await shot("09-policy-fired");
    // The card as it is at this moment: the pane is redrawn when the cloud changes (a copy's
    // countdown), so an element screenshot could find its element replaced half-way.
    const box = await linked.boundingBox();
    if (box) await page.screenshot({ path: join(ARTIFACTS, "09-policy-card.png"), clip: box });
  });

  it("works from the keyboard: skip link to the message box, Enter to send, Escape cancels a confirm", async () => {
    await actAs("alice");
    await page.reload();
    await poll(() => page.locator("body").getAttribute("data-user")).toBe("U0ALICE");
    await page.keyboard.press("Tab");
    await poll(() => focused("textContent")).toContain("Skip to the message box");
    await page.keyboard.press("Enter");
    await poll(() => focused("id")).toBe("composer-input");
    await page.keyboard.type("/snapshot replicate snap-web00001 to dr-prod");
    await page.keyboard.press("Enter");
    const card = channel().locator("li.msg", { hasText: "Copy snap-web00001 to dr-prod" });
    const approve = card.getByRole("button", { name: "Approve" });
    await approve.waitFor();

    // actAs waits for bob's view: the switch redraws every message, so the button alice's view
    // drew is gone by then. Focus the card's button as it is now and see that it has the focus
    // before the key goes (a redraw after that keeps the focus on the same button).
    await actAs("bob");
    await poll(async () => {
      await approve.focus();
      return focused('getAttribute("data-action-id")');
    }).toBe("request_approve");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Approve this copy?" });
    await dialog.waitFor();
    // The safe choice has the focus; Escape closes without approving.
    await poll(() => focused("textContent")).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await poll(() => focused('getAttribute("data-action-id")')).toBe("request_approve");
    expect(await card.textContent()).toContain("Waiting for approval");
  });

  /** The widest element inside `selector` against its box and the cloud pane's left edge (page coordinates). */
  const overflowOf = (selector: string) =>
    page.evaluate<{
      right: number;
      paneRight: number;
      cloudLeft: number;
      scroll: number;
      client: number;
    }>(`(() => {
      const pane = document.querySelector(${JSON.stringify(selector)});
      let right = 0;
      for (const node of pane.querySelectorAll("*")) {
        const box = node.getBoundingClientRect();
        if (box.width > 0) right = Math.max(right, box.right);
      }
      return {
        right,
        paneRight: pane.getBoundingClientRect().right,
        cloudLeft: document.getElementById("cloud-pane").getBoundingClientRect().left,
        scroll: pane.scrollWidth,
        client: pane.clientWidth,
      };
    })()`);

  it("a 60-character name and a long policy JSON line wrap inside the channel, never under the cloud pane", async () => {
    await page.setViewportSize({ width: 1500, height: 940 });
    await actAs("alice");
    const box = page.getByLabel("Message #dr-requests");
    await box.fill(`/snapshot replicate snap-web00001 to dr-prod as "${LONG_NAME}"`);
    await box.press("Enter");
    const card = channel().locator("li.msg", { hasText: LONG_NAME });
    await card.getByRole("button", { name: "Approve" }).waitFor();
    // dr-locked lacks the permission: the refusal quotes the minimal policy, one long JSON line.
    await box.fill("/snapshot replicate snap-logs0001 to dr-locked");
    await box.press("Enter");
    const refusal = channel().locator("li.msg.ephemeral", { hasText: /cvm:CopySnapshotCrossAccount/ });
    await refusal.waitFor();
    await refusal.locator("pre").first().waitFor();

    const measured = await overflowOf("#messages");
    expect(measured.scroll).toBeLessThanOrEqual(measured.client);
    expect(measured.right).toBeLessThanOrEqual(measured.paneRight + 1);
    expect(measured.right).toBeLessThanOrEqual(measured.cloudLeft + 1);
    // The name is there whole, on more than one line where it must.
    expect(await card.textContent()).toContain(LONG_NAME);
    await refusal.scrollIntoViewIfNeeded();
    await shot("10-long-words-wide");
  });

  it("works from 390 px to a wide screen: no sideways scrolling, panes stacked on a phone, long words wrapped", async () => {
    try {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        const size = await page.evaluate<{
          width: number;
          height: number;
          clientWidth: number;
          clientHeight: number;
        }>(
          "(({ scrollWidth, scrollHeight, clientWidth, clientHeight }) => ({ width: scrollWidth, height: scrollHeight, clientWidth, clientHeight }))(document.documentElement)",
        );
        expect(size.width, `no horizontal scroll at ${width} px`).toBeLessThanOrEqual(size.clientWidth);
        // Side by side (wider than 1100 px), the panes scroll inside and the page itself does not.
        if (width > 1100)
          expect(size.height, `no page scroll at ${width} px`).toBeLessThanOrEqual(size.clientHeight);
        const nameEnd = await channel()
          .locator("li.msg", { hasText: LONG_NAME })
          .first()
          .evaluate((node) => node.getBoundingClientRect().right);
        const main = await page.locator("#channel-pane").boundingBox();
        expect(nameEnd, `the long name stays in the channel at ${width} px`).toBeLessThanOrEqual(
          (main?.x ?? 0) + (main?.width ?? 0) + 1,
        );
        if (width === 390) {
          const side = await page.locator(".sidebar").boundingBox();
          const cloud = await page.locator("#cloud-pane").boundingBox();
          // One pane below the other, each the page's width.
          expect(main?.width).toBeGreaterThan(380);
          expect(cloud?.width).toBeGreaterThan(380);
          expect(main?.y).toBeGreaterThanOrEqual((side?.y ?? 0) + (side?.height ?? 0) - 1);
          expect(cloud?.y).toBeGreaterThanOrEqual((main?.y ?? 0) + (main?.height ?? 0) - 1);
          await page.screenshot({ path: join(ARTIFACTS, "11-narrow-390.png"), fullPage: true });
          await shot("11-narrow-390-first-screen");
        }
        if (width === 1920) {
          const cloud = await page.locator("#cloud-pane").boundingBox();
          // Side by side: the cloud pane to the right of the channel, at the same height.
          expect(cloud?.x).toBeGreaterThanOrEqual((main?.x ?? 0) + (main?.width ?? 0) - 1);
          expect(Math.abs((cloud?.y ?? 0) - (main?.y ?? 0))).toBeLessThan(2);
          await shot("12-wide-1920");
        }
      }
    } finally {
      await page.setViewportSize({ width: 1500, height: 940 });
    }
  });

  /** Every state badge and readiness check that is shown, with how many lines it takes. */
  const badgeLines = () =>
    page.evaluate<Array<{ text: string; lines: number; inside: boolean }>>(`[
      ...document.querySelectorAll("#cloud-pane .state, #cloud-pane .check"),
    ]
      .filter((node) => node.getClientRects().length > 0)
      .map((node) => {
        const box = node.getBoundingClientRect();
        const lineHeight = parseFloat(getComputedStyle(node).fontSize) * 1.6;
        const card = (node.closest(".account") ?? node.closest("#cloud-pane")).getBoundingClientRect();
        return {
          text: node.textContent,
          lines: Math.max(node.getClientRects().length, Math.round(box.height / lineHeight + 0.2) || 1),
          inside: box.left >= card.left - 1 && box.right <= card.right + 1,
        };
      })`);

  it("a stuck copy: its badge stays on one line at any width, and the thread says the bot stopped waiting", async () => {
    await page.getByLabel("Make the next copy stuck at 42%").check();
    await actAs("alice");
    const box = page.getByLabel("Message #dr-requests");
    await box.fill('/snapshot replicate snap-db000001 to dr-prod as "orders-db-stuck"');
    await box.press("Enter");
    const card = channel().locator("li.msg", { hasText: "orders-db-stuck" });
    await card.getByRole("button", { name: "Approve" }).waitFor();
    await actAs("carol");
    await card.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByRole("dialog", { name: "Approve this copy?" });
    await dialog.getByRole("button", { name: "Approve" }).click();
    const copying = page.locator("#cloud-pane .state-COPYING_FROM_REMOTE").first();
    await copying.waitFor();
    try {
      for (const width of [390, 1500]) {
        await page.setViewportSize({ width, height: 900 });
        // In one step inside the page: the pane redraws as the copy moves, and a locator action can
        // find the element it waited on replaced before it scrolls ("not attached to the DOM").
        await page.evaluate(
          `document.querySelector("#cloud-pane .state-COPYING_FROM_REMOTE")?.scrollIntoView({ block: "center" })`,
        );
        const badges = await badgeLines();
        expect(badges.map((b) => b.text)).toContain("COPYING_FROM_REMOTE");
        for (const badge of badges) expect(badge, `at ${width} px`).toMatchObject({ lines: 1, inside: true });
        if (width === 390) {
          // The cloud pane redraws as the copy's progress moves: shoot where the card is on screen,
          // not the element itself, which a redraw can replace half-way (as for the policy card).
          const box = await page.evaluate<{
            x: number;
            y: number;
            width: number;
            height: number;
          } | null>(`(() => {
            const r = document.querySelector("#cloud-pane .state-COPYING_FROM_REMOTE")?.closest(".account")?.getBoundingClientRect();
            return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
          })()`);
          if (box && box.width > 0 && box.height > 0)
            await page.screenshot({ path: join(ARTIFACTS, "13-badge-390.png"), clip: box });
        }
      }
    } finally {
      await page.setViewportSize({ width: 1500, height: 940 });
    }
    // maxCopyDuration is 10 s in this sandbox: the thread reports the stuck copy and what to do.
    await card.getByRole("button", { name: /repl(y|ies)/ }).click();
    const thread = page.locator("#thread-messages");
    await thread
      .getByText(/stopped waiting/)
      .first()
      .waitFor({ timeout: 3 * WAIT_MS });
    expect(await thread.textContent()).toMatch(/42%/);
    await shot("14-stuck-copy");
    await page.getByRole("button", { name: "Clear all faults" }).click();
  });

  it("a status link scrolls to the card and marks it, from the same channel and from #dr-notify", async () => {
    await actAs("alice");
    await page.getByRole("button", { name: /^#dr-requests/ }).click();
    await page.setViewportSize({ width: 1500, height: 700 });
    try {
      const card = channel().locator("li.msg", { hasText: "Copy snap-db000001 to dr-prod" }).first();
      const requestId = /rq-[a-z0-9]{6}/.exec((await card.textContent()) ?? "")?.[0] ?? "";
      expect(requestId).not.toBe("");
      const inView = () =>
        card.evaluate((node) => {
          const list = node.closest(".messages")?.getBoundingClientRect();
          const box = node.getBoundingClientRect();
          return list !== undefined && box.bottom > list.top && box.top < list.bottom;
        });
      const box = page.getByLabel("Message #dr-requests");
      await box.fill(`/snapshot status ${requestId}`);
      await box.press("Enter");
      const answer = channel().locator("li.msg.ephemeral", { hasText: requestId }).last();
      const link = answer.locator('a[href^="#C0REQUESTS/"]');
      await link.waitFor();
      await poll(() => inView()).toBe(false); // the card is far up the channel: the test can fail
      await link.click();
      await poll(() => card.getAttribute("aria-current")).toBe("true");
      await poll(() => inView()).toBe(true);
      expect(await focused('getAttribute("data-key")')).toBe(await card.getAttribute("data-key"));
      await shot("15-status-link");

      // The outcome notice in #dr-notify links to the same card.
      await page.getByRole("button", { name: /^#dr-notify/ }).click();
      const notice = channel()
        .locator("li.msg", { hasText: /completed/ })
        .first();
      await notice.locator('a[href^="#C0REQUESTS/"]').click();
      await poll(() => page.locator("#channel-title").textContent()).toContain("dr-requests");
      await poll(() => card.getAttribute("aria-current")).toBe("true");
      await poll(() => inView()).toBe(true);
      // One card is marked at a time.
      expect(await channel().locator('li.msg[aria-current="true"]').count()).toBe(1);
    } finally {
      await page.setViewportSize({ width: 1500, height: 940 });
    }
  });

  it("renders mrkdwn as text: formatting, mentions and links, never raw HTML", async () => {
    // A string, so that vitest's transform leaves the browser-side dynamic import alone.
    const html: unknown = await page.evaluate(`(async () => {
      const { renderMrkdwn } = await import("/mrkdwn.js");
      const div = document.createElement("div");
      div.append(renderMrkdwn(${JSON.stringify(SAMPLE)}, {
        userName: (id) => (id === "U0BOB" ? "bob" : undefined),
        channelName: () => "dr-notify",
      }));
      return div.innerHTML;
    })()`);
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain('<span class="mention">@bob</span>');
    expect(html).toContain('<span class="channel-ref">#dr-notify</span>');
    expect(html).toContain('href="https://example.com/a"');
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;b&gt;");
  });
});
