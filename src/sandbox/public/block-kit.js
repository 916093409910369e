// What the channel (console.js) and the Home tab (home.js) both draw with: elements, Block Kit's
// plain text, and Slack's confirm dialog in the page's one confirm <dialog>.
import { renderMrkdwn, withEmoji } from "/mrkdwn.js";

const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "style")
      node.style.cssText = value; // CSSOM, allowed by the page's CSP
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** A Block Kit text object's words, with :emoji: drawn where Slack draws them. */
export function plain(t) {
  if (!t || typeof t.text !== "string") return "";
  return t.type === "plain_text" && t.emoji !== false ? withEmoji(t.text) : t.text;
}

/**
 * Slack's confirm dialog; `mrkdwnContext` resolves the page's mentions and links. Resolves true
 * when the person confirms.
 */
export function confirmDialog(confirm, mrkdwnContext) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = plain(confirm.title) || "Are you sure?";
  $("confirm-text").replaceChildren(
    confirm.text?.type === "mrkdwn"
      ? renderMrkdwn(confirm.text.text, mrkdwnContext)
      : document.createTextNode(plain(confirm.text)),
  );
  $("confirm-ok").textContent = plain(confirm.confirm) || "Yes";
  $("confirm-deny").textContent = plain(confirm.deny) || "Cancel";
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-deny").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}
