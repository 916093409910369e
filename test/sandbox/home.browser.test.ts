import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { type SandboxInBrowser, SCREENSHOTS, startSandboxInBrowser } from "../support/browser.js";

/**
 * The bot's App Home in the sandbox console, in a real Chromium: opening the Home tab sends
 * `app_home_opened` through the emulator, the console draws what the bot published with
 * views.publish for the acting user; a requester's Home, an approver's Home, a decision taken
 * there (the card's confirm dialog, a real block_actions from a view), and the Home in Chinese.
 */
describe("sandbox console: the bot's App Home in a real browser", () => {
  let browser: SandboxInBrowser | undefined;
  let sandbox: Sandbox;
  let page: Page;
  let requestId = "";

  beforeAll(async () => {
    browser = await startSandboxInBrowser({ waitMs: 15_000, profilePrefix: "sandbox-home-chromium-" });
    ({ sandbox, page } = browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const actAs = async (name: string, id: string) => {
    await page.getByRole("radio", { name: new RegExp(`^${name}\\b`) }).check();
    await expect.poll(() => page.locator("body").getAttribute("data-user")).toBe(id);
  };
  const homeTab = () => page.getByRole("button", { name: /Home · snapshot-bot/ });
  const home = () => page.locator("#home-body");
  const approveIn = (where: ReturnType<Page["locator"]>) =>
    where.locator(`[data-action-id="request_approve"][data-value="${requestId}"]`);

  it("a requester's Home: their recent request, the disaster-recovery overview, no buttons", async () => {
    await page.goto(sandbox.consoleUrl);
    await actAs("alice", "U0ALICE");
    const box = page.getByLabel("Message #dr-requests");
    await box.fill('/snapshot replicate snap-db000001 to dr-prod as "home-dr"');
    await box.press("Enter");
    const card = page.locator("#messages li.msg", { hasText: "snap-db000001" }).last();
    await card.getByRole("button", { name: "Approve" }).waitFor();
    requestId = /rq-[a-z0-9]{6}/.exec((await card.textContent()) ?? "")?.[0] ?? "";
    expect(requestId).toMatch(/^rq-/);

    await homeTab().click();
    await expect.poll(() => page.locator("#channel-pane").isVisible()).toBe(false);
    await home().getByText(requestId).first().waitFor();
    const text = (await home().textContent()) ?? "";
    expect(text).toContain("Your requests");
    expect(text).toContain("Waiting for approval");
    expect(text).toContain("Disaster recovery overview");
    expect(text).toMatch(/dr-prod \(200000000002\)/);
    expect(text).toMatch(/dr-new \(200000000003\) · ❌ collaborator/);
    expect(text).toContain("asp-web4hour");
    expect(text).not.toContain("Waiting for your decision");
    expect(await home().getByRole("button", { name: "Approve" }).count()).toBe(0);
    await shot("home-requester");
  });

  it("an approver's Home: the request waiting for them, with Approve and Reject", async () => {
    await actAs("bob", "U0BOB");
    // Switching user while the Home is open opens theirs, as Slack would.
    await approveIn(home()).waitFor();
    const text = (await home().textContent()) ?? "";
    expect(text).toMatch(/Waiting for your decision \(1\)/);
    expect(await home().getByRole("button", { name: "Reject" }).count()).toBe(1);
    await shot("home-approver");
  });

  it("a decision from the Home: the card's confirm dialog, the request approved, the Home refreshed, the card updated", async () => {
    await approveIn(home()).click();
    const dialog = page.getByRole("dialog", { name: "Approve this copy?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("200000000002");
    await shot("home-confirm");
    await dialog.getByRole("button", { name: "Approve" }).click();

    await expect.poll(() => approveIn(home()).count(), { timeout: 15_000 }).toBe(0);
    await expect
      .poll(async () => (await home().textContent()) ?? "")
      .toMatch(/Waiting for your decision \(0\)/);
    await shot("home-after-approval");

    // Back in the channel: the card no longer offers buttons; its thread says who approved.
    await page.getByRole("button", { name: /^#dr-requests/ }).click();
    await expect.poll(() => page.locator("#home-pane").isVisible()).toBe(false);
    const card = page.locator("#messages li.msg", { hasText: requestId }).first();
    await expect
      .poll(() => card.getByRole("button", { name: "Approve" }).count(), { timeout: 15_000 })
      .toBe(0);
    expect(await card.textContent()).toMatch(/Approved|Completed|progress/i);
  });

  it("the Home in Chinese for a zh-CN approver", async () => {
    const box = page.getByLabel("Message #dr-requests");
    await actAs("alice", "U0ALICE");
    await box.fill('/snapshot replicate snap-logs0001 to dr-prod as "home-zh"');
    await box.press("Enter");
    const card = page.locator("#messages li.msg", { hasText: "snap-logs0001" }).last();
    await card.getByRole("button", { name: "Approve" }).waitFor();
    requestId = /rq-[a-z0-9]{6}/.exec((await card.textContent()) ?? "")?.[0] ?? "";

    await actAs("wei", "U0WEI");
    await homeTab().click();
    await approveIn(home()).waitFor();
    const text = (await home().textContent()) ?? "";
    expect(text).toContain("待您审批（1）");
    expect(text).toContain("容灾概览");
    expect(text).toContain("目标账号");
    expect(text).not.toContain("Waiting for your decision");
    expect(await approveIn(home()).textContent()).toBe("批准");
    await shot("home-zh");
  });
});
