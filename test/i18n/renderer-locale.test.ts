import { describe, expect, it } from "vitest";
import { renderMessage, renderPlain, renderText } from "../../src/adapters/chat-slack/mrkdwn.renderer.js";
import { currentLocale, withSettlingLocale } from "../../src/adapters/chat-slack/reader-locale.js";
import { localeFrom, text, time, toPlainText, tr } from "../../src/core/messages/message.js";
import { renderIn, untranslatedWords } from "../support/translations.js";

describe("bilingual text", () => {
  const approved = text`${tr(text`Approved by `, text`已批准,批准人 `)}${"dr-prod"}`;

  it("renders each reader's language and keeps interpolated names as they are", () => {
    expect(renderIn("en", () => renderText(approved))).toBe("Approved by dr-prod");
    expect(renderIn("zh-CN", () => renderText(approved))).toBe("已批准,批准人 dr-prod");
    expect(toPlainText(approved)).toBe("Approved by dr-prod");
    expect(toPlainText(approved, "zh-CN")).toBe("已批准,批准人 dr-prod");
  });

  it("labels (buttons, headers) follow the reader too", () => {
    const label = [tr("Approve", "批准")];
    expect(renderIn("zh-CN", () => renderPlain(label, 75))).toBe("批准");
    const rendered = renderIn("zh-CN", () =>
      renderMessage({ text: approved, blocks: [{ type: "header", text: label }] }),
    );
    expect(JSON.stringify(rendered)).toContain("批准");
  });

  it("a time is Slack's date format with a readable fallback, never a raw ISO string", () => {
    const rendered = renderText(text`Expires ${time("2026-12-02T05:57:02.756Z")}`);
    expect(rendered).toBe("Expires <!date^1796191022^{date_short_pretty} {time}|2026-12-02 05:57 UTC>");
  });

  it("maps Slack locales: any Chinese reads Simplified Chinese, others the configured language", () => {
    expect(localeFrom("zh-CN", "en")).toBe("zh-CN");
    expect(localeFrom("zh-TW", "en")).toBe("zh-CN");
    expect(localeFrom("en-GB", "zh-CN")).toBe("en");
    expect(localeFrom("ja-JP", "zh-CN")).toBe("zh-CN");
    expect(localeFrom(undefined, "en")).toBe("en");
  });

  it("finds English left in a Chinese rendering, but not names the message was given", () => {
    expect(untranslatedWords("已批准 dr-prod", ["dr-prod"])).toEqual([]);
    expect(untranslatedWords("已批准 Approved by someone", [])).toEqual(["Approved", "someone"]);
  });

  it("a reader whose locale was not known yet reads their own language as soon as it is", async () => {
    let answer: (locale: "zh-CN") => void = () => undefined;
    const later = new Promise<"zh-CN">((resolve) => {
      answer = resolve;
    });
    const seen = await withSettlingLocale("en", later, async () => {
      const first = renderText(approved);
      answer("zh-CN");
      await later;
      await Promise.resolve();
      return [first, currentLocale(), renderText(approved)];
    });
    expect(seen).toEqual(["Approved by dr-prod", "zh-CN", "已批准,批准人 dr-prod"]);
  });
});
