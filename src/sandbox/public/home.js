// The bot's Home tab in the sandbox console: opening it sends `app_home_opened` through the emulator
// (as Slack does when a person opens the app's Home), and the view the bot published with
// views.publish for the acting user is drawn here like the channel's Block Kit. Approve and Reject
// send real block_actions from a view container. console.js dispatches "sandbox:view" on every push.
import { confirmDialog, el, plain } from "/block-kit.js";
import { renderMrkdwn } from "/mrkdwn.js";

const $ = (id) => document.getElementById(id);

const home = {
  view: null,
  open: false,
  /** The user whose Home was last opened: switching user opens theirs. */
  openedFor: null,
  shown: "",
};

const mrkdwnContext = {
  userName: (id) => {
    if (!home.view) return undefined;
    if (id === home.view.bot.id) return home.view.bot.name;
    return home.view.users.find((u) => u.id === id)?.name;
  },
  channelName: (id) => home.view?.channels.find((c) => c.id === id)?.name,
  // A link to a card's thread: back to the channel, where the card is.
  onPermalink: (channel) => {
    closeHome();
    document.querySelector(`#channel-list [data-channel="${CSS.escape(channel)}"]`)?.click();
  },
};

function textObject(t, className) {
  if (!t || typeof t.text !== "string") return el("span");
  if (t.type === "mrkdwn") {
    const div = el("div", { className: className ? `mrkdwn ${className}` : "mrkdwn" });
    div.append(renderMrkdwn(t.text, mrkdwnContext));
    return div;
  }
  return el("span", { className, text: plain(t) });
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

function renderButton(button, blockId) {
  const classes = ["btn"];
  if (button.style === "primary") classes.push("primary");
  if (button.style === "danger") classes.push("danger");
  const node = el("button", {
    type: "button",
    className: classes.join(" "),
    "data-action-id": button.action_id,
    "data-value": typeof button.value === "string" ? button.value : undefined,
    text: plain(button.text),
  });
  node.addEventListener("click", async () => {
    if (button.confirm && !(await confirmDialog(button.confirm, mrkdwnContext))) {
      document
        .querySelector(
          `#home-body [data-block-id="${CSS.escape(blockId ?? "")}"] [data-action-id="${CSS.escape(button.action_id)}"]`,
        )
        ?.focus();
      return;
    }
    node.disabled = true;
    try {
      await post("/api/home-action", {
        userId: home.view.me,
        actionId: button.action_id,
        ...(typeof button.value === "string" ? { value: button.value } : {}),
      });
    } catch (error) {
      $("home-status").textContent = `Could not send the click: ${error.message}`;
    } finally {
      if (node.isConnected) node.disabled = false;
    }
  });
  return node;
}

function renderBlock(block) {
  const id = block?.block_id;
  switch (block?.type) {
    case "header":
      return el("div", {
        className: "bk-header",
        role: "heading",
        "aria-level": "2",
        "data-block-id": id,
        text: plain(block.text),
      });
    case "section": {
      const main = el("div", { className: "bk-section-main" });
      if (block.text) main.append(textObject(block.text));
      if (Array.isArray(block.fields) && block.fields.length > 0)
        main.append(
          el(
            "div",
            { className: "bk-fields" },
            block.fields.map((f) => textObject(f, "bk-field")),
          ),
        );
      const section = el("div", { className: "bk-section", "data-block-id": id }, main);
      if (block.accessory?.type === "button") section.append(renderButton(block.accessory, id));
      return section;
    }
    case "context":
      return el(
        "div",
        { className: "bk-context", "data-block-id": id },
        (block.elements ?? []).filter((e) => e.type !== "image").map((e) => textObject(e)),
      );
    case "actions":
      return el(
        "div",
        { className: "bk-actions", role: "group", "aria-label": "Actions", "data-block-id": id },
        (block.elements ?? []).map((e) =>
          e?.type === "button"
            ? renderButton(e, id)
            : el("span", { className: "bk-unsupported", text: `(${e?.type ?? "element"} not shown)` }),
        ),
      );
    case "divider":
      return el("hr", { className: "bk-divider" });
    default:
      return el("div", {
        className: "bk-unsupported",
        text: `(${block?.type ?? "unknown"} block not shown)`,
      });
  }
}

function render() {
  if (!home.open || !home.view) return;
  const me = home.view.users.find((u) => u.id === home.view.me);
  $("home-user").textContent = me ? `What ${me.name} sees in the bot's Home tab` : "";
  const published = home.view.home;
  const sig = published ? `${home.view.me}:${published.hash}` : `${home.view.me}:none`;
  if (sig === home.shown) return;
  home.shown = sig;
  const body = $("home-body");
  if (!published) {
    body.replaceChildren(el("p", { className: "muted home-waiting", text: "Opening the Home…" }));
    return;
  }
  // Keep the focus on the same button across a redraw (a live update while the user tabs through).
  const active = document.activeElement;
  const focusKey =
    active && body.contains(active) && active.dataset.actionId
      ? `[data-action-id="${CSS.escape(active.dataset.actionId)}"][data-value="${CSS.escape(active.dataset.value ?? "")}"]`
      : null;
  body.replaceChildren(...(published.blocks ?? []).map(renderBlock));
  body.dataset.blocks = String((published.blocks ?? []).length);
  if (focusKey) body.querySelector(focusKey)?.focus();
}

function openHome() {
  if (!home.view) return;
  home.open = true;
  home.openedFor = home.view.me;
  home.shown = "";
  document.body.classList.add("home-open");
  $("home-pane").hidden = false;
  $("home-tab").setAttribute("aria-current", "true");
  $("home-status").textContent = "";
  render();
  post("/api/home-open", { userId: home.view.me }).catch((error) => {
    $("home-status").textContent = `Could not open the Home: ${error.message}`;
  });
}

function closeHome() {
  if (!home.open) return;
  home.open = false;
  document.body.classList.remove("home-open");
  $("home-pane").hidden = true;
  $("home-tab").setAttribute("aria-current", "false");
}

document.addEventListener("sandbox:view", (event) => {
  home.view = event.detail;
  if (!home.open) return;
  // Another user: Slack would show *their* Home, opened anew.
  if (home.openedFor !== home.view.me) openHome();
  else render();
});
$("home-tab").addEventListener("click", openHome);
// Choosing a channel leaves the Home (console.js draws the channel).
$("channel-list").addEventListener("click", closeHome, { capture: true });
