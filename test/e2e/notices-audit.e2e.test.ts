import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../dev/slack-emulator/index.js";
import type { StoredAuditEntry } from "../../src/core/ports/audit.port.js";
import { runAudit } from "../../src/main/audit-cli.js";
import {
  ALICE,
  BOB,
  DR_BLIND_UIN,
  type Harness,
  NOTIFY_CHANNEL,
  REQUEST_CHANNEL,
  SOURCE_UIN,
  startHarness,
} from "../support/harness.js";
import { requestCard } from "../support/slack-steps.js";

/**
 * Issue 13, end to end over signed HTTP: the card shows a typed name as it will be made and each
 * fact once; the notify channel gets one line per outcome with the thread's link and no policy
 * document; a request refused when it was asked for is in the audit trail; and `npm run audit`
 * explains when it finds nothing.
 */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const AUDIT_ENV = { REDIS_URL, BOT_CONFIG: "/nonexistent.yml" };

async function readAudit(prefix: string, ...argv: string[]): Promise<StoredAuditEntry[]> {
  const lines: string[] = [];
  await runAudit(["--prefix", prefix, ...argv], AUDIT_ENV, (line) => lines.push(line));
  return lines.map((l) => JSON.parse(l) as StoredAuditEntry);
}

const approve = (h: Harness, card: SlackMessage, requestId: string) =>
  h.slack.sendBlockAction(h.appUrl, {
    userId: BOB,
    actionId: "request_approve",
    value: requestId,
    channelId: card.channel,
    messageTs: card.ts,
  });

const noticeOf = (h: Harness, requestId: string) =>
  h.slack.waitFor(
    () =>
      h.slack.messages.find((m) => m.channel === NOTIFY_CHANNEL && !m.threadTs && m.text.includes(requestId)),
    { what: `the notify channel's line for ${requestId}`, timeoutMs: 20_000 },
  );

/** The notice is one line: no second line, one block, the thread's permalink, who asked and approved. */
function expectOneLine(notice: SlackMessage, card: SlackMessage): void {
  expect(notice.text).not.toContain("\n");
  expect(notice.blocks).toHaveLength(1);
  expect(notice.text).toMatch(
    new RegExp(`<http://[^|>]+/archives/${card.channel}/p${card.ts.replace(".", "")}\\|thread>$`),
  );
  expect(notice.text).toContain(`asked by <@${ALICE}>, approved by <@${BOB}>`);
  expect(notice.text).toMatch(/ · took \d+s · /);
}

describe("the card, the notify channel and the audit trail, as people meet them", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ unreadyDestinations: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a copy named "*bold*" is shown literally, each fact once; its notice is one line with the thread', async () => {
    const { card, requestId } = await requestCard(h, 'replicate snap-abc12345 to dr-prod as "*bold*"');
    const blocks = (card.blocks ?? []) as { type: string; fields?: unknown }[];
    const fields = JSON.stringify(blocks.find((b) => b.fields));
    expect(fields).toContain("*New name*\\n`*bold*`");
    // Outside its code span the name appears nowhere: nothing on the card renders it bold.
    const shown = JSON.stringify(card.blocks).replaceAll("`*bold*`", "");
    expect(shown).not.toContain("*bold*");
    expect(card.text).toContain('as "`*bold*`"');
    // Each snapshot fact once on the card (the confirm dialog behind Approve restates what it does).
    const onCard = JSON.stringify(blocks.filter((b) => b.type !== "actions"));
    for (const fact of ["100 GiB", "ap-shanghai", "disk-db000001", "encrypted", "db-daily", "data disk"])
      expect(onCard.split(fact).length - 1, `"${fact}" on the card`).toBe(1);
    // The snapshot's creation time is a Slack date each reader sees in their own zone.
    expect(onCard).toMatch(/\*Created\*\\n<!date\^\d+\^/);
    expect(onCard).toContain("`snap-abc12345` is NORMAL.");

    await approve(h, card, requestId);
    const notice = await noticeOf(h, requestId);
    expectOneLine(notice, card);
    const copyId = h.sim.state.copies.at(-1)?.newSnapshotId ?? "?";
    expect(notice.text).toMatch(
      new RegExp(
        `^🟢 Copy ${requestId} completed: \`snap-abc12345\` → account \\d+ \\(dr-prod\\) as \`\\*bold\\*\` \\(\`${copyId}\`\\) · `,
      ),
    );
    expect(h.sim.callsOf("CopySnapshotCrossAccount").at(-1)?.params.SnapshotName).toBe("*bold*");
  });

  it("a failed copy's notice is one line: what failed and the thread, never the fix or the policy JSON", async () => {
    const { card, requestId } = await requestCard(h, 'replicate snap-abc12345 to dr-blind as "revoked"');
    h.sim.state.detachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
    try {
      await approve(h, card, requestId);
      const notice = await noticeOf(h, requestId);
      expectOneLine(notice, card);
      expect(notice.text).toMatch(
        new RegExp(`^🔴 Copy ${requestId} failed: \`snap-abc12345\` → account ${DR_BLIND_UIN}`),
      );
      expect(notice.text).toContain("as `revoked` · ");
      expect(notice.text).toContain("(`cam.permission_missing`)");
      expect(notice.text).not.toContain("no copy");
      // The fix and the minimal policy are in the thread, not in the channel's line.
      const thread = h.slack
        .thread(card.channel, card.ts)
        .map((m) => m.text)
        .join("\n");
      expect(thread).toContain('"action":["cvm:CopySnapshotCrossAccount"');
      for (const word of ["statement", "How to fix", "{", "🚫", "✗"]) expect(notice.text).not.toContain(word);
    } finally {
      h.sim.state.attachUserPolicy(SOURCE_UIN, DR_BLIND_UIN, 70001);
    }
  });

  it("requests refused when they were asked for are in the audit trail, each with its reason", async () => {
    const since = new Date().toISOString();
    const ask = async (text: string, said: string) => {
      const response = await h.slack.sendSlashCommand(h.appUrl, {
        text,
        userId: ALICE,
        channelId: REQUEST_CHANNEL,
      });
      expect(response.status).toBe(200);
      await h.slack.waitFor(
        () =>
          JSON.stringify(response.body ?? "").includes(said) ||
          h.slack.ephemerals.some((e) => e.user === ALICE && e.text.includes(said)),
        { what: `the refusal of "${text}"` },
      );
    };
    await ask("replicate snap-abc12345 to dr-new", "is not a collaborator");
    await ask("replicate snap-abc12345 to dr-locked", "cvm:CopySnapshotCrossAccount");
    await ask("replicate snap-zzz99999 to dr-prod", "was not found");
    await ask('replicate snap-abc12345 to dr-prod as "*bold*"', "under the name `*bold*`");

    const refused = (await readAudit(h.redisPrefix, "--since", since)).filter((e) => e.event === "refused");
    expect(refused.map((e) => e.reason)).toEqual([
      "cam.not_collaborator",
      "cam.permission_missing",
      "snapshot.not_found",
      "request.name_taken",
    ]);
    for (const entry of refused) {
      expect(entry).toMatchObject({ userId: ALICE });
      expect(entry.requestId).toMatch(/^rq-[a-z0-9]{6}$/);
      expect(entry.detail).toMatch(/^snapshot-copy snap-/);
    }
    expect(refused[0]?.detail).toContain("snap-abc12345 → dr-new: ");
    expect(refused[0]?.detail).toContain("is not a collaborator");
    expect(refused[3]?.detail).toContain('as "*bold*"');
    // A refused attempt was never a request: its id finds only the refusal.
    const id = refused[0]?.requestId ?? "";
    expect(await h.bot.deps.store.get(id)).toBeUndefined();
    expect((await readAudit(h.redisPrefix, "--request", id)).map((e) => e.event)).toEqual(["refused"]);
  });

  it("`npm run audit` explains an empty read: which prefix, which window, and how to pass --prefix", async () => {
    const empty = `test-empty-${randomUUID().slice(0, 8)}`;
    const run = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/audit.ts", "--prefix", empty, "--since", "24h"],
      { env: { ...process.env, ...AUDIT_ENV }, timeout: 30_000 },
    );
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      `audit: no entries under prefix "${empty}" (from --prefix; Redis stream ${empty}:audit) between `,
    );
    expect(run.stderr).toContain(" and now.");
    // This test's own bot has an audit stream in the same Redis: the explanation names prefixes to try.
    expect(run.stderr).toContain("Audit streams in this Redis:");
    expect(run.stderr).toMatch(/Read one with: npm run audit -- --prefix \S+ --since 24h/);

    // A stream that exists, read outside its window: says what it holds.
    const said: string[] = [];
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const count = await runAudit(
      ["--prefix", h.redisPrefix, "--since", future],
      AUDIT_ENV,
      () => undefined,
      (line) => said.push(line),
    );
    expect(count).toBe(0);
    expect(said[0]).toContain(`no entries under prefix "${h.redisPrefix}"`);
    expect(said[1]).toMatch(/That stream holds \d+ entries, from \S+ to \S+: widen --since\/--until/);
  });
});

describe("a request refused by the per-person rate limit", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { slack: { notifyChannel: NOTIFY_CHANNEL, requestRateLimit: { perUser: 1, window: "1m" } } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is answered privately and recorded in the audit trail as request.rate_limited", async () => {
    await requestCard(h, "replicate snap-abc12345 to dr-prod");
    const response = await h.slack.sendSlashCommand(h.appUrl, {
      text: "replicate snap-abc12345 to dr-prod",
      userId: ALICE,
      channelId: REQUEST_CHANNEL,
    });
    expect(JSON.stringify(response.body)).toContain("wait a moment and try again");
    const entries = await readAudit(h.redisPrefix);
    const refused = entries.filter((e) => e.event === "refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ userId: ALICE, reason: "request.rate_limited" });
    expect(refused[0]?.detail).toMatch(/^replicate: You have made 1 request in the last minute/);
  });
});
