import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnvironment } from "../../src/config/load-config.js";
import { createLogger } from "../../src/main/logger.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";

/** Debian's Chromium (installed by .ci/run when missing), driven by playwright-core. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(process.cwd(), "test-artifacts", "sandbox-console");
const SAMPLE =
  "*bold* `code` <@U0BOB> <#C0NOTIFY> <https://example.com/a|site> <javascript:alert(1)|bad> <img src=x onerror=alert(1)> &lt;b&gt;";

describe("sandbox console in a real browser: request → refusal → approval → thread → notify channel", () => {
  let sandbox: Sandbox;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const env = parseEnvironment({
      REDIS_URL: process.env.REDIS_URL,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    });
    sandbox = await startSandbox({
      env,
      logger: createLogger(env.LOG_LEVEL),
      port: 0,
      copyDurationMs: 1500,
      pollInterval: "200ms",
    });
    profile = mkdtempSync(join(tmpdir(), "sandbox-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1500, height: 940 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const actAs = (name: string) => page.getByRole("radio", { name: new RegExp(`^${name}\\b`) }).check();
  const channel = () => page.locator("#messages");
  /** A property of the focused element (a string expression: the test has no DOM types). */
  const focused = (property: string) => page.evaluate<unknown>(`document.activeElement?.${property}`);

  it("shows the channel, the user switcher and the simulated cloud", async () => {
    const response = await page.goto(sandbox.consoleUrl);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator("#channel-title").textContent()).toContain("dr-requests");
    await expect.poll(() => page.getByRole("radio", { name: /^alice\b/ }).isChecked()).toBe(true);
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
    await expect.poll(() => page.locator("body").getAttribute("data-user")).toBe("U0BOB");
    expect(await channel().locator("li.msg.ephemeral").count()).toBe(0);

    const card = channel().locator("li.msg", { hasText: "Copy snap-db000001 to dr-prod" });
    await card.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByRole("dialog", { name: "Approve this copy?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("200000000002");
    await dialog.getByRole("button", { name: "Approve" }).click();

    await card.getByRole("button", { name: /repl(y|ies)/ }).click();
    const thread = page.locator("#thread-messages");
    await thread.getByText(/Completed in/).waitFor({ timeout: 25_000 });
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
    await expect.poll(() => page.locator("#channel-title").textContent()).toContain("dr-notify");
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
    await expect.poll(() => page.locator("body").getAttribute("data-user")).toBe("U0CAROL");
    expect(await channel().locator("li.msg.ephemeral").count()).toBe(0);
  });

  it("the shortcut's form checks its fields, posts a card, and Reject asks for a reason in a modal", async () => {
    await actAs("alice");
    await page.getByRole("button", { name: /Replicate a snapshot \(form\)/ }).click();
    const form = page.getByRole("dialog", { name: "Replicate a snapshot" });
    await form.waitFor();
    await form.getByRole("button", { name: "Ask for approval" }).click();
    const snapshotField = form.getByLabel("Snapshot id");
    await expect.poll(() => snapshotField.getAttribute("aria-invalid")).toBe("true");
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
    await expect.poll(() => page.getByLabel("Fail the next copy").isChecked()).toBe(true);
    await shot("06-faults");
    await page.getByRole("button", { name: "Clear all faults" }).click();
    await drProd.getByText("✓ copy permission").waitFor();
    await expect.poll(() => page.getByLabel("Fail the next copy").isChecked()).toBe(false);
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
    await copied.waitFor({ timeout: 20_000 });
    expect(await copied.textContent()).toContain("in dr-prod");
    const copyId = (await copied.locator(".id").textContent()) ?? "";
    expect(copyId).toMatch(/^snap-[a-z0-9]{8}$/);
    await pane.locator('[data-destination="dr-prod"]').getByText(copyId).waitFor();
    await linked.scrollIntoViewIfNeeded();
    await shot("09-policy-fired");
    await linked.screenshot({ path: join(ARTIFACTS, "09-policy-card.png") });
  });

  it("works from the keyboard: skip link to the message box, Enter to send, Escape cancels a confirm", async () => {
    await actAs("alice");
    await page.reload();
    await expect.poll(() => page.locator("body").getAttribute("data-user")).toBe("U0ALICE");
    await page.keyboard.press("Tab");
    await expect.poll(() => focused("textContent")).toContain("Skip to the message box");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused("id")).toBe("composer-input");
    await page.keyboard.type("/snapshot replicate snap-web00001 to dr-prod");
    await page.keyboard.press("Enter");
    const card = channel().locator("li.msg", { hasText: "Copy snap-web00001 to dr-prod" });
    const approve = card.getByRole("button", { name: "Approve" });
    await approve.waitFor();

    await actAs("bob");
    const dialog = page.getByRole("dialog", { name: "Approve this copy?" });
    // A live update may redraw the card between the focus and the key press (the key then reaches
    // a detached button): focus the card's current button and press again until the dialog opens.
    for (let attempt = 0; attempt < 5 && !(await dialog.isVisible()); attempt++) {
      await approve.focus();
      await page.keyboard.press("Enter");
      await dialog.waitFor({ timeout: 2000 }).catch(() => undefined);
    }
    await dialog.waitFor();
    // The safe choice has the focus; Escape closes without approving.
    await expect.poll(() => focused("textContent")).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => focused('getAttribute("data-action-id")')).toBe("request_approve");
    expect(await card.textContent()).toContain("Waiting for approval");
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
