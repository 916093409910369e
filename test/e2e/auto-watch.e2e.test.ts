import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postDailySummary } from "../../src/app/daily-summary.flow.js";
import {
  ALICE,
  DR_PROD_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";

/** A teammate whose Slack reads Chinese. */
const LI = "U0LI";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Automatic replication's watcher end to end: the simulator's scheduled policies fire, the cloud
 * copies their snapshots to dr-prod (or drops a copy), the watcher (every 200 ms) announces in the
 * notify channel through the Slack emulator.
 */
describe("automatic replication: the watcher", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { automatic: { watchInterval: "200ms", copyGrace: "1500ms", dailySummary: false } },
      extraUsers: [{ id: LI, name: "li", locale: "zh-CN" }],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const notices = () =>
    h.slack.messages.filter((m) => m.channel === NOTIFY_CHANNEL && m.threadTs === undefined);
  const noticesWith = (words: string) => notices().filter((m) => m.text.includes(words));

  async function linkPolicy(id: string, options: { dropNextCopies?: number } = {}): Promise<void> {
    h.sim.state.addAutoSnapshotPolicy(SOURCE_UIN, {
      id,
      name: `daily-${id.slice(4)}`,
      region: "ap-shanghai",
      diskIds: ["disk-db000001"],
      hours: [3],
      daysOfWeek: [],
      retentionDays: 7,
      ...(options.dropNextCopies ? { autoCopy: { dropNextCopies: options.dropNextCopies } } : {}),
    });
    h.sim.state.setAutoSnapshotPolicyCopyTarget(SOURCE_UIN, id, DR_PROD_UIN);
    const deadline = Date.now() + 10_000;
    while (!(await h.bot.deps.ledger?.links())?.some((l) => l.policyId === id)) {
      if (Date.now() > deadline) throw new Error(`the watcher never followed ${id}`);
      await sleep(50);
    }
  }

  /** The copy the simulator made of a source snapshot (its own record, not the bot's pairing). */
  const copyOf = (sourceId: string) =>
    h.sim.state.copies.find((c) => c.trigger === "auto-policy" && c.sourceSnapshotId === sourceId)
      ?.newSnapshotId;

  it("the policy fires three times: three announcements naming the source and the copy", async () => {
    await linkPolicy("asp-watch001");
    const sources: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [taken] = h.sim.state.firePolicy(SOURCE_UIN, "asp-watch001");
      sources.push(taken?.snapshotId ?? "");
      await h.slack.waitFor(() => noticesWith("Automatic copies confirmed").length === i + 1, {
        what: `announcement ${i + 1}`,
        timeoutMs: 10_000,
      });
      await sleep(1100); // the next snapshot gets another name (the policy names them by the second)
    }
    const lines = noticesWith("Automatic copies confirmed");
    expect(lines).toHaveLength(3);
    sources.forEach((source, i) => {
      const copy = copyOf(source);
      expect(copy).toMatch(/^snap-/);
      expect(lines[i]?.text).toContain(source);
      expect(lines[i]?.text).toContain(copy ?? "?");
      expect(lines[i]?.text).toContain("asp-watch001");
      expect(lines[i]?.text).toContain("dr-prod");
    });

    // The ledger command shows the pairs, newest first.
    const before = h.slack.ephemerals.length;
    await h.slack.sendSlashCommand(h.appUrl, {
      text: "auto ledger asp-watch001",
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    const reply = await h.slack.waitFor(
      () => h.slack.ephemerals.slice(before).find((e) => e.text.includes("Ledger of")),
      { what: "the ledger", timeoutMs: 10_000 },
    );
    expect(reply.text).toContain("Last 3 pairs");
    for (const source of sources) expect(reply.text).toContain(`${source}\` → \`${copyOf(source)}`);
    expect(reply.text.indexOf(sources[2] ?? "")).toBeLessThan(reply.text.indexOf(sources[0] ?? ""));
    expect(reply.text).not.toContain("Without a copy");

    // Someone whose Slack reads Chinese gets the same ledger in Chinese, times in their own zone.
    const seen = h.slack.ephemerals.length;
    await h.slack.sendSlashCommand(h.appUrl, {
      text: "auto ledger asp-watch001",
      userId: LI,
      channelId: REQUEST_CHANNEL,
    });
    const zh = await h.slack.waitFor(
      () => h.slack.ephemerals.slice(seen).find((e) => e.user === LI && e.text.includes("复制账本")),
      { what: "the ledger in Chinese", timeoutMs: 10_000 },
    );
    expect(zh.text).toContain("最近 3 对");
    for (const source of sources) expect(zh.text).toContain(`${source}\` → \`${copyOf(source)}`);
    expect(zh.text).toMatch(/<!date\^\d+\^/);
    expect(zh.text).not.toMatch(/Ledger|pairs|newest/);
  }, 60_000);

  it("deleting the policy and removing the link each produce the right notice once", async () => {
    await linkPolicy("asp-watch002");
    await linkPolicy("asp-watch003");
    h.sim.state.removeAutoSnapshotPolicy(SOURCE_UIN, "asp-watch002");
    h.sim.state.unlinkByDestination(DR_PROD_UIN, "asp-watch003");
    await h.slack.waitFor(() => noticesWith("Automatic replication stopped").length >= 2, {
      what: "two stop notices",
      timeoutMs: 10_000,
    });
    await sleep(1000); // five more runs
    const stopped = noticesWith("Automatic replication stopped");
    expect(stopped).toHaveLength(2);
    expect(
      stopped.filter((m) => m.text.includes("asp-watch002") && m.text.includes("the policy was deleted")),
    ).toHaveLength(1);
    expect(
      stopped.filter(
        (m) => m.text.includes("asp-watch003") && m.text.includes("the destination account removed the link"),
      ),
    ).toHaveLength(1);
  }, 30_000);

  it("a copy that never arrives: one recovery-point alert; a later copy: one recovery notice", async () => {
    await linkPolicy("asp-watch004", { dropNextCopies: 1 });
    const [lost] = h.sim.state.firePolicy(SOURCE_UIN, "asp-watch004");
    await h.slack.waitFor(() => noticesWith("Recovery point at risk").length >= 1, {
      what: "the alert",
      timeoutMs: 10_000,
    });
    await sleep(1000);
    const alerts = noticesWith("Recovery point at risk");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toContain(lost?.snapshotId ?? "?");
    expect(alerts[0]?.text).toContain("asp-watch004");

    const [later] = h.sim.state.firePolicy(SOURCE_UIN, "asp-watch004");
    await h.slack.waitFor(() => noticesWith("Recovered").length >= 1, {
      what: "the recovery",
      timeoutMs: 10_000,
    });
    await sleep(1000);
    expect(noticesWith("Recovered")).toHaveLength(1);
    expect(noticesWith("Recovery point at risk")).toHaveLength(1);
    expect(
      noticesWith(later?.snapshotId ?? "?").filter((m) => m.text.includes("Automatic copies confirmed")),
    ).toHaveLength(1);

    // The daily summary counts them: 2 taken, 1 confirmed, 1 missing.
    const ledger = h.bot.deps.ledger;
    if (!ledger) throw new Error("no ledger");
    const config = {
      ...h.bot.deps.config,
      automatic: { ...h.bot.deps.config.automatic, dailySummary: { at: "09:00", timeZone: "Asia/Shanghai" } },
    };
    await postDailySummary({ ...h.bot.deps, config, ledger });
    await postDailySummary({ ...h.bot.deps, config, ledger });
    const summaries = noticesWith("daily summary");
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.text).toMatch(
      /asp-watch004.*: 2 created, 1 copy confirmed, 1 missing, recovery point/,
    );
    expect(summaries[0]?.text).toMatch(/asp-watch001.*: 3 created, 3 copies confirmed, 0 missing/);
  }, 60_000);
});
