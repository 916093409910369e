import { describe, expect, it } from "vitest";
import {
  escapeMrkdwn,
  fitBlocks,
  joinWithin,
  packSections,
  renderBlock,
  renderMessage,
  renderPlain,
  renderText,
} from "../../../src/adapters/chat-slack/mrkdwn.renderer.js";
import { clip, clipList, SLACK_LIMITS } from "../../../src/adapters/chat-slack/slack-limits.js";
import {
  type Block,
  code,
  conversation,
  group,
  type Inline,
  link,
  mention,
  strong,
  time,
} from "../../../src/core/messages/message.js";

type KnownBlock = ReturnType<typeof renderBlock>;
const sectionText = (block: KnownBlock | undefined) =>
  (block as { text?: { text: string } } | undefined)?.text?.text ?? "";

describe("renderText: each part kind", () => {
  const cases: Array<[string, Inline, string]> = [
    ["a literal", "plain words", "plain words"],
    ["a literal with markup", "<!channel> & <@U0BOB>", "&lt;!channel&gt; &amp; &lt;@U0BOB&gt;"],
    ["an escape typed literally stays literal", "&amp;", "&amp;amp;"],
    ["a user mention", mention("U0BOB"), "<@U0BOB>"],
    ["an enterprise user mention", mention("W0ALICE1"), "<@W0ALICE1>"],
    ["a mention of an invalid id", mention("!channel"), "!channel"],
    ["a mention of markup", mention("<@U0BOB>"), "&lt;@U0BOB&gt;"],
    ["a mention in lower case", mention("u0bob"), "u0bob"],
    ["a conversation", conversation("C0REQUESTS"), "<#C0REQUESTS>"],
    ["a conversation with a bad id", conversation("here"), "here"],
    ["a user group", group("S0APPROVERS"), "<!subteam^S0APPROVERS>"],
    ["a user group with a bad id", group("<!here>"), "&lt;!here&gt;"],
    ["code", code("snap-abc12345"), "`snap-abc12345`"],
    ["code with a backtick", code("a`b"), "`a\u02cbb`"],
    ["code keeps Slack's markup characters as they are", code("*bold* _i_ ~s~"), "`*bold* _i_ ~s~`"],
    ["code with markup", code("<!channel>"), "`&lt;!channel&gt;`"],
    ["empty code", code(""), ""],
    ["strong", strong("Approved"), "*Approved*"],
    ["strong with an asterisk", strong("a*b"), "*a'b*"],
    ["strong with markup", strong("<@U0BOB>"), "*&lt;@U0BOB&gt;*"],
    ["empty strong", strong(""), ""],
    ["a link", link("https://example.com/a?b=1", "card"), "<https://example.com/a?b=1|card>"],
    ["a link with a pipe in its label", link("https://example.com", "a|b"), "<https://example.com|a¦b>"],
    [
      "a link with markup in its label",
      link("https://example.com", "<!channel>"),
      "<https://example.com|&lt;!channel&gt;>",
    ],
    ["a javascript: link falls back to the label", link("javascript:alert(1)", "card"), "card"],
    ["a link with a space falls back to the label", link("https://a b", "card"), "card"],
    ["a link with markup in the url falls back", link("https://x/<!channel>", "l<b>"), "l&lt;b&gt;"],
    ["a link with a pipe in the url falls back", link("https://x|<!channel>", "label"), "label"],
    [
      "a time",
      time("2026-11-24T03:00:00.000Z"),
      "<!date^1795489200^{date_short_pretty} {time}|2026-11-24 03:00 UTC>",
    ],
    ["a time that is no date", time("<!channel>"), "&lt;!channel&gt;"],
  ];
  it.each(cases)("%s", (_name, part, expected) => {
    expect(renderText([part])).toBe(expected);
  });
});

describe("renderPlain: no markup where Slack shows plain text", () => {
  const cases: Array<[string, Inline[], string]> = [
    ["literals stay as typed", ["<!channel> & co"], "<!channel> & co"],
    ["a mention is a name, not a ping", [mention("U0BOB")], "@U0BOB"],
    ["a link is its label", [link("https://example.com", "card")], "card"],
    ["code and strong lose their delimiters", [code("a"), " ", strong("b")], "a b"],
    ["empty text is one space (Slack refuses empty text)", [], " "],
  ];
  it.each(cases)("%s", (_name, parts, expected) => {
    expect(renderPlain(parts, 150)).toBe(expected);
  });

  it("clips to the limit with a marker, without treating & as an escape", () => {
    const out = renderPlain(["A & B ".repeat(40)], SLACK_LIMITS.headerText);
    expect(out.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(out.endsWith("…")).toBe(true);
    expect(out.length).toBeGreaterThan(130);
  });
});

describe("clip", () => {
  const cases: Array<[string, string, number, string]> = [
    ["short text is unchanged", "abc", 10, "abc"],
    ["a cut is marked", "abcdefghij", 5, "abcd…"],
    ["never splits &amp;", "aaa&amp;", 6, "aaa…"],
    ["never splits &lt;", `${"x".repeat(8)}&lt;&lt;`, 12, `${"x".repeat(8)}…`],
    ["keeps a whole escape", "ab&amp;cd", 8, "ab&amp;…"],
    ["never splits a mention", "hi <@U0BOB> there", 9, "hi…"],
    ["never splits a link", "see <https://example.com|the card>", 20, "see…"],
    ["goes back to a space within a word", "hello wonderful world", 14, "hello…"],
    ["cuts a long run without spaces as is", "a".repeat(50), 10, `${"a".repeat(9)}…`],
    ["never splits a surrogate pair", `ab${"😀".repeat(3)}`, 4, "ab…"],
    ["max 1 is the marker", "abc", 1, "…"],
  ];
  it.each(cases)("%s", (_name, value, max, expected) => {
    const out = clip(value, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });

  it("a long run of escapes never ends in a broken one, at every length", () => {
    const rendered = escapeMrkdwn("<>&".repeat(60));
    for (let max = 1; max < rendered.length; max++) {
      const out = clip(rendered, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out.slice(0, -1)).toMatch(/^(&lt;|&gt;|&amp;)*$/);
    }
  });

  it("plain text: & and < are characters, not markup", () => {
    expect(clip("a & b < c d e f", 10, "plain")).toBe("a & b < c…");
  });

  it("clipList keeps max items, the last saying how many were left out", () => {
    expect(clipList([1, 2, 3, 4, 5], 3, (left) => -left)).toEqual([1, 2, -3]);
    expect(clipList([1, 2], 3, (left) => -left)).toEqual([1, 2]);
  });
});

describe("renderText: escaping and clipping together", () => {
  it("a name of 60 markup characters is escaped and the clip never splits an escape", () => {
    const name = "<>&".repeat(20);
    const out = renderText(["name: ", name, " ", code(name)], 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out).not.toMatch(/<(?!!date)/);
    expect(out.replace(/&(lt|gt|amp);/g, "")).not.toMatch(/[&<>]/);
  });

  it("code and strong delimiters in content cannot close the span early", () => {
    expect(renderText([code("``` *x* ```")])).toBe("`\u02cb\u02cb\u02cb *x* \u02cb\u02cb\u02cb`");
    expect(renderText([strong("*<!channel>*")])).toBe("*'&lt;!channel&gt;'*");
  });
});

describe("blocks within Slack's limits", () => {
  const cases: Array<[string, Block, (b: KnownBlock) => void]> = [
    [
      "a header of 500 markup characters",
      { type: "header", text: "<!channel>".repeat(50) },
      (b) => expect(sectionText(b).length).toBeLessThanOrEqual(SLACK_LIMITS.headerText),
    ],
    [
      "a section of 4,000 escaped characters",
      { type: "section", text: ["&".repeat(4000)] },
      (b) => {
        expect(sectionText(b).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(sectionText(b)).toMatch(/^(&amp;)+…$/);
      },
    ],
    ["an empty section is one space", { type: "section", text: [] }, (b) => expect(sectionText(b)).toBe(" ")],
    [
      "a context of 15 items keeps 10 elements, the last saying how many more",
      { type: "context", items: Array.from({ length: 15 }, (_, i) => [`fact ${i}`]) },
      (b) => {
        const elements = (b as { elements: Array<{ text: string }> }).elements;
        expect(elements).toHaveLength(SLACK_LIMITS.contextElements);
        expect(elements.at(-1)?.text).toBe("…and 6 more");
      },
    ],
    [
      "12 fields keep 10, each within 2,000",
      {
        type: "fields",
        fields: Array.from({ length: 12 }, (_, i) => ({ label: `l${i}*`, value: ["<".repeat(1000)] })),
      },
      (b) => {
        const fields = (b as { fields: Array<{ text: string }> }).fields;
        expect(fields).toHaveLength(SLACK_LIMITS.fields);
        for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      },
    ],
    [
      "a button with a long label and a confirm with long words",
      {
        type: "actions",
        id: "a",
        actions: [
          {
            id: "approve",
            label: "A".repeat(200),
            value: "rq-abc123",
            confirm: {
              title: "T".repeat(200),
              text: ["<".repeat(400)],
              yes: "Y".repeat(50),
              no: "N".repeat(50),
            },
          },
        ],
      },
      (b) => {
        const button = (
          b as {
            elements: Array<{
              text: { text: string };
              confirm: Record<"title" | "text" | "confirm" | "deny", { text: string }>;
            }>;
          }
        ).elements[0];
        if (!button) throw new Error("no button");
        expect(button.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect(button.confirm.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmTitle);
        expect(button.confirm.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmText);
        expect(button.confirm.confirm.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmButton);
        expect(button.confirm.deny.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmButton);
      },
    ],
    [
      "a code block containing ``` and markup",
      { type: "code", text: "```<!channel>```".repeat(300) },
      (b) => {
        const t = sectionText(b);
        expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(t.startsWith("```")).toBe(true);
        expect(t.endsWith("```")).toBe(true);
        expect(t.slice(3, -3)).not.toContain("```");
        expect(t).not.toContain("<!channel>");
      },
    ],
  ];
  it.each(cases)("%s", (_name, block, check) => {
    check(renderBlock(block));
  });

  it("a message of 60 sections keeps 50 blocks, buttons last, and says how many were left out", () => {
    const blocks: Block[] = [
      ...Array.from({ length: 60 }, (_, i): Block => ({ type: "section", text: [`line ${i}`] })),
      { type: "actions", id: "x", actions: [{ id: "recheck", label: "Re-check", value: "v" }] },
    ];
    const out = renderMessage({ text: ["t".repeat(50_000)], blocks });
    expect(out.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
    expect(out.blocks).toHaveLength(SLACK_LIMITS.messageBlocks);
    expect(out.blocks?.at(-1)?.type).toBe("actions");
    expect(JSON.stringify(out.blocks?.at(-2))).toContain("…and 12 more not shown here");
  });

  it("fitBlocks leaves a short list alone", () => {
    const blocks = [renderBlock({ type: "section", text: ["a"] })];
    expect(fitBlocks(blocks)).toEqual(blocks);
  });
});

describe("lists", () => {
  it("joinWithin shows what fits and says how many more, never a cut item", () => {
    const names = Array.from({ length: 17 }, (_, i) => `region-${String(i).padStart(2, "0")}`);
    const out = joinWithin(names, ", ", 60);
    expect(out.length).toBeLessThanOrEqual(60);
    expect(out).toMatch(/^(region-\d\d, )+…and \d+ more$/);
    const shown = out.match(/region-\d\d/g)?.length ?? 0;
    expect(out).toContain(`…and ${17 - shown} more`);
    expect(joinWithin(["a", "b"], ", ", 60)).toBe("a, b");
  });

  it("packSections puts 60 entries into few sections and summarises what does not fit", () => {
    const entries = Array.from({ length: 60 }, (_, i) => `*dr-${i}* ${"&amp;".repeat(100)}`);
    const blocks = packSections(entries, { maxBlocks: 5, more: (left) => `…and ${left} more destinations` });
    expect(blocks.length).toBeLessThanOrEqual(5);
    const texts = blocks.map(sectionText);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const shown = texts.join("\n").match(/\*dr-\d+\*/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(20);
    expect(texts.at(-1)).toContain(`…and ${60 - shown} more destinations`);
  });

  it("packSections clips an entry longer than a section, with a marker", () => {
    const blocks = packSections(["&".repeat(1000).replaceAll("&", "&amp;")], {
      maxBlocks: 3,
      more: () => "",
    });
    expect(blocks).toHaveLength(1);
    expect(sectionText(blocks[0])).toMatch(/^(&amp;)+…$/);
  });
});
