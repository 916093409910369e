// The sandbox console: draws the emulated Slack workspace and the simulated cloud from the view the
// server pushes (server-sent events), and sends commands, clicks and fault toggles back as JSON.
// No framework and no build step; text from messages only ever reaches the page as text nodes.
import { confirmDialog, el, plain } from "/block-kit.js";
import { renderMrkdwn, withEmoji } from "/mrkdwn.js";

const $ = (id) => document.getElementById(id);

const ui = {
  me: sessionStorage.getItem("sandbox.user") ?? "U0ALICE",
  channel: sessionStorage.getItem("sandbox.channel") ?? "C0REQUESTS",
  thread: null, // { channel, ts }
  view: null,
  seenUntil: JSON.parse(sessionStorage.getItem("sandbox.seen") ?? "{}"), // channel id → newest message time seen
  source: null,
  highlight: null,
  cloudDrawn: "", // the cloud (and day runs) the pane shows, to redraw it only when it changed
  faultsSending: new Set(), // toggles whose change is on its way: a view from before it must not undo them
};

/* ---------------------------------------------------------------- helpers */

function userName(id) {
  if (!ui.view) return undefined;
  if (id === ui.view.bot.id) return ui.view.bot.name;
  return ui.view.users.find((u) => u.id === id)?.name;
}

function channelName(id) {
  return ui.view?.channels.find((c) => c.id === id)?.name;
}

const mrkdwnContext = {
  userName,
  channelName,
  onPermalink: (channel, ts) => showCard(channel, ts),
};

function mrkdwn(text, className = "mrkdwn") {
  const div = el("div", { className });
  div.append(renderMrkdwn(text, mrkdwnContext));
  return div;
}

/** A Block Kit text object (plain_text or mrkdwn). */
function textObject(t, className) {
  if (!t || typeof t.text !== "string") return el("span");
  if (t.type === "mrkdwn") return mrkdwn(t.text, className ? `mrkdwn ${className}` : "mrkdwn");
  return el("span", { className, text: t.emoji === false ? t.text : withEmoji(t.text) });
}

function formatTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new Error(typeof answer.error === "string" ? answer.error : `${path}: HTTP ${response.status}`);
  }
  return response.json();
}

function showStatus(text) {
  $("connection").textContent = text;
}

/* ---------------------------------------------------------------- Block Kit */

function renderButton(button, message) {
  const classes = ["btn"];
  if (button.style === "primary") classes.push("primary");
  if (button.style === "danger") classes.push("danger");
  const label = plain(button.text);
  const actionable = !message.ts.startsWith("ack.");
  const node = el("button", {
    type: "button",
    className: classes.join(" "),
    "data-action-id": button.action_id,
    disabled: !actionable,
    text: label,
  });
  node.addEventListener("click", async () => {
    if (button.confirm && !(await confirmDialog(button.confirm, mrkdwnContext))) {
      // A live update may have redrawn the message while the dialog was open, and the browser
      // gives the focus back on its own schedule: give it to the same button in the message as it
      // is now, at once and once more after the browser's own restore, never to a detached one.
      const refocus = () =>
        document
          .querySelector(
            `[data-key="${CSS.escape(message.key)}"] [data-action-id="${CSS.escape(button.action_id)}"]`,
          )
          ?.focus();
      refocus();
      requestAnimationFrame(refocus);
      return;
    }
    node.disabled = true;
    try {
      await post("/api/action", {
        userId: ui.me,
        channelId: message.channel,
        messageTs: message.ts,
        actionId: button.action_id,
        ...(typeof button.value === "string" ? { value: button.value } : {}),
      });
    } catch (error) {
      showStatus(`Could not send the click: ${error.message}`);
    } finally {
      if (node.isConnected) node.disabled = false;
    }
  });
  return node;
}

function renderElement(element, message) {
  if (element?.type === "button") return renderButton(element, message);
  return el("span", {
    className: "bk-unsupported",
    text: `(${element?.type ?? "element"} not shown in the sandbox)`,
  });
}

function renderBlock(block, message) {
  switch (block?.type) {
    case "header":
      return el("div", {
        className: "bk-header",
        role: "heading",
        "aria-level": "3",
        text: plain(block.text),
      });
    case "section": {
      const main = el("div", { className: "bk-section-main" });
      if (block.text) main.append(textObject(block.text));
      if (Array.isArray(block.fields) && block.fields.length > 0) {
        main.append(
          el(
            "div",
            { className: "bk-fields" },
            block.fields.map((f) => textObject(f, "bk-field")),
          ),
        );
      }
      const section = el("div", { className: "bk-section" }, main);
      if (block.accessory) section.append(renderElement(block.accessory, message));
      return section;
    }
    case "context":
      return el(
        "div",
        { className: "bk-context" },
        (block.elements ?? []).filter((e) => e.type !== "image").map((e) => textObject(e)),
      );
    case "actions":
      return el(
        "div",
        { className: "bk-actions", role: "group", "aria-label": "Actions" },
        (block.elements ?? []).map((e) => renderElement(e, message)),
      );
    case "divider":
      return el("hr", { className: "bk-divider" });
    default:
      return el("div", {
        className: "bk-unsupported",
        text: `(${block?.type ?? "unknown"} block not shown in the sandbox)`,
      });
  }
}

/* ---------------------------------------------------------------- messages */

function repliesOf(channel, ts) {
  return (ui.view?.messages ?? []).filter((m) => m.channel === channel && m.threadTs === ts);
}

function renderMessage(message, { inThread, compact }) {
  const isBot = message.user === ui.view.bot.id;
  const name = userName(message.user) ?? message.user;
  const initials = isBot ? "SB" : name.slice(0, 2).toUpperCase();
  const body = el("div", { className: "msg-body" });
  const time = el("time", { datetime: new Date(message.at).toISOString(), text: formatTime(message.at) });
  body.append(
    compact
      ? el("span", { className: "visually-hidden", text: `${name} at ${formatTime(message.at)}` })
      : el(
          "div",
          { className: "meta" },
          el("span", { className: "author", text: name }),
          isBot ? el("span", { className: "app-badge", text: "APP" }) : null,
          time,
          message.edited ? el("span", { className: "edited", text: "(edited)" }) : null,
        ),
  );
  if (message.ephemeral) {
    body.append(
      el(
        "div",
        { className: "only-you" },
        el("span", { "aria-hidden": "true", text: "👁" }),
        "Only visible to you",
      ),
    );
  }
  if (message.inReplyTo) {
    body.append(el("div", { className: "in-reply" }, "You ran ", el("code", { text: message.inReplyTo })));
  }
  if (Array.isArray(message.blocks) && message.blocks.length > 0) {
    body.append(
      el(
        "div",
        { className: "blocks" },
        message.blocks.map((b) => renderBlock(b, message)),
      ),
    );
  } else {
    body.append(mrkdwn(message.text));
  }
  if (!inThread && !message.ephemeral) {
    const replies = repliesOf(message.channel, message.ts);
    if (replies.length > 0) {
      const last = replies[replies.length - 1];
      body.append(
        el(
          "button",
          {
            type: "button",
            className: "reply-summary",
            "aria-label": `${replies.length} ${replies.length === 1 ? "reply" : "replies"}, open the thread`,
            onclick: () => openThread(message.channel, message.ts),
          },
          `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`,
          el("span", { className: "last", text: `Last reply ${formatTime(last.at)}` }),
        ),
      );
    }
  }
  const classes = ["msg"];
  if (message.ephemeral) classes.push("ephemeral");
  if (compact) classes.push("compact");
  const linked = !inThread && ui.highlight === message.key;
  const shortTime = new Date(message.at).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  return el(
    "li",
    {
      className: classes.join(" "),
      "data-key": message.key,
      "data-ts": message.ts,
      // The message a link led to stays marked (and reachable for the focus) until the next link.
      "aria-current": linked ? "true" : undefined,
      tabindex: linked ? "-1" : undefined,
    },
    compact
      ? el("div", { className: "gutter", "aria-hidden": "true" }, el("time", { text: shortTime }))
      : el("div", { className: `avatar${isBot ? " bot" : ""}`, "aria-hidden": "true", text: initials }),
    body,
  );
}

/** Like Slack: a message right after another by the same author drops its avatar and name. */
function isCompact(message, previous, inThread, index) {
  if (!previous || message.ephemeral || previous.ephemeral) return false;
  if (inThread && index === 1) return false; // the first reply under the parent keeps its header
  return previous.user === message.user && message.at - previous.at < 5 * 60_000;
}

function signatureOf(message, inThread, compact) {
  const replies = inThread ? [] : repliesOf(message.channel, message.ts);
  return JSON.stringify([
    message.text,
    message.blocks,
    message.edited,
    replies.length,
    replies.at(-1)?.at,
    ui.me,
    compact,
    !inThread && ui.highlight === message.key,
  ]);
}

/** Keyed update: unchanged messages keep their DOM (and focus); changed ones are redrawn in place. */
function renderList(list, messages, { inThread, emptyText }) {
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  const nodes = list._nodes ?? new Map();
  const next = new Map();
  let added = false;
  messages.forEach((message, index) => {
    const compact = isCompact(message, messages[index - 1], inThread, index);
    const sig = signatureOf(message, inThread, compact);
    let entry = nodes.get(message.key);
    if (!entry || entry.sig !== sig) {
      const focusedAction = entry?.node.contains(document.activeElement)
        ? document.activeElement?.getAttribute("data-action-id")
        : null;
      const node = renderMessage(message, { inThread, compact });
      if (entry) entry.node.replaceWith(node);
      else added = true;
      entry = { sig, node };
      if (focusedAction) node.querySelector(`[data-action-id="${CSS.escape(focusedAction)}"]`)?.focus();
    }
    next.set(message.key, entry);
    const current = list.children[index];
    if (current !== entry.node) list.insertBefore(entry.node, current ?? null);
  });
  for (const [key, entry] of nodes) if (!next.has(key)) entry.node.remove();
  list.querySelector(":scope > .empty")?.remove();
  if (messages.length === 0) list.append(el("li", { className: "empty", text: emptyText }));
  list._nodes = next;
  if (added && (nearBottom || list._nodes.size === messages.length)) list.scrollTop = list.scrollHeight;
}

/* ---------------------------------------------------------------- screens */

function renderChannels() {
  const list = $("channel-list");
  list.replaceChildren(
    ...ui.view.channels.map((c) => {
      const unread =
        c.id === ui.channel
          ? 0
          : ui.view.messages.filter(
              (m) => m.channel === c.id && !m.threadTs && m.at > (ui.seenUntil[c.id] ?? 0),
            ).length;
      return el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            className: "channel-button",
            "aria-current": c.id === ui.channel ? "true" : "false",
            "aria-label": `#${c.name}${unread ? `, ${unread} new` : ""}`,
            "data-channel": c.id,
            onclick: () => selectChannel(c.id),
          },
          el("span", { text: `# ${c.name}` }),
          el("span", { className: "badge", text: unread ? String(unread) : "" }),
        ),
      );
    }),
  );
  if (document.activeElement === document.body && list._focusChannel) {
    list.querySelector(`[data-channel="${list._focusChannel}"]`)?.focus();
  }
}

function renderUsers() {
  const box = $("user-switcher");
  if (box.querySelector("input")) {
    for (const input of box.querySelectorAll("input")) input.checked = input.value === ui.me;
    return;
  }
  for (const u of ui.view.users) {
    const input = el("input", { type: "radio", name: "acting-as", value: u.id, id: `user-${u.name}` });
    input.checked = u.id === ui.me;
    input.addEventListener("change", () => switchUser(u.id));
    box.append(
      el(
        "label",
        { className: "user-option", for: `user-${u.name}` },
        input,
        el("span", {}, el("strong", { text: u.name }), el("span", { className: "role", text: u.role })),
      ),
    );
  }
}

function renderChannel() {
  const channel = ui.view.channels.find((c) => c.id === ui.channel) ?? ui.view.channels[0];
  ui.channel = channel.id;
  $("channel-name").textContent = channel.name;
  $("channel-topic").textContent = channel.topic;
  $("composer-label").textContent = `Message #${channel.name}`;
  const messages = ui.view.messages.filter((m) => m.channel === channel.id && !m.threadTs);
  renderList($("messages"), messages, {
    inThread: false,
    emptyText:
      channel.id === "C0NOTIFY"
        ? "Nothing yet. When a copy finishes or fails, the bot posts one message here."
        : "No messages yet. Type a /snapshot command below, or pick an example.",
  });
  const newest = messages.at(-1)?.at ?? 0;
  ui.seenUntil[channel.id] = Math.max(ui.seenUntil[channel.id] ?? 0, newest);
  sessionStorage.setItem("sandbox.seen", JSON.stringify(ui.seenUntil));
}

function renderThread() {
  const pane = $("thread-pane");
  const app = document.querySelector(".app");
  const parent = ui.thread
    ? ui.view.messages.find((m) => m.channel === ui.thread.channel && m.ts === ui.thread.ts)
    : undefined;
  if (!parent) {
    pane.hidden = true;
    app.classList.remove("with-thread");
    return;
  }
  pane.hidden = false;
  app.classList.add("with-thread");
  $("thread-channel").textContent = `#${channelName(parent.channel) ?? parent.channel}`;
  renderList($("thread-messages"), [parent, ...repliesOf(parent.channel, parent.ts)], {
    inThread: true,
    emptyText: "",
  });
}

function stateBadge(state, percent) {
  // One piece on one line (console.css: nowrap); the percentage may wrap below it.
  const badge = el("span", { className: `state state-${state}`, text: state });
  if (state === "NORMAL" || state === "GONE") return badge;
  return el(
    "span",
    { className: "state-cell" },
    badge,
    el("span", { className: "percent", text: ` ${percent}%` }),
  );
}

function snapshotTable(rows, caption) {
  if (rows.length === 0) return el("p", { className: "muted", text: "No snapshots." });
  return el(
    "table",
    { className: "snapshots" },
    el("caption", { className: "visually-hidden", text: caption }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["Snapshot", "State"].map((h) => el("th", { scope: "col", text: h })),
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((s) =>
        el(
          "tr",
          {},
          el(
            "td",
            {},
            el("span", { className: "id", text: s.snapshotId }),
            // The region on the name's line: two columns leave the state badge room on one line.
            el("span", { className: "snap-name", text: `${s.name} · ${s.sizeGiB} GiB · ${s.region}` }),
          ),
          el("td", {}, stateBadge(s.state, s.percent)),
        ),
      ),
    ),
  );
}

function check(ok, yes, no) {
  return el("li", { className: `check ${ok ? "ok" : "no"}`, text: `${ok ? "✓" : "✗"} ${ok ? yes : no}` });
}

function renderCloud() {
  const cloud = ui.view.cloud;
  const body = $("cloud-body");
  // Most views change only messages: the pane keeps its DOM (a button being clicked stays attached).
  const drawn = JSON.stringify([cloud, ui.view.dayRuns]);
  if (drawn === ui.cloudDrawn && body.childElementCount > 0) return;
  ui.cloudDrawn = drawn;
  if (!cloud) {
    body.replaceChildren(
      el("p", { className: "muted", text: "The simulator's state is not available yet." }),
    );
    return;
  }
  const source = el(
    "section",
    { className: "cloud-section", "aria-labelledby": "cloud-source" },
    el("h3", { id: "cloud-source", text: "Source account" }),
    el(
      "div",
      { className: "account" },
      el(
        "div",
        { className: "account-head" },
        el("span", { className: "account-name", text: cloud.source.name }),
        el("span", { className: "uin", text: cloud.source.uin }),
      ),
      snapshotTable(cloud.source.snapshots, "Snapshots in the source account"),
    ),
  );
  const policies = el(
    "section",
    { className: "cloud-section", "aria-labelledby": "cloud-policies" },
    el("h3", {
      id: "cloud-policies",
      tabindex: "-1",
      "data-focus-key": "policies",
      text: "Scheduled snapshot policies",
    }),
    cloud.source.policies.length === 0
      ? el("p", { className: "muted", text: "None: the source account has no scheduled policy." })
      : cloud.source.policies.map((p) => policyCard(p, ui.view.dayRuns?.[p.id])),
  );
  const destinations = el(
    "section",
    { className: "cloud-section", "aria-labelledby": "cloud-destinations" },
    el("h3", { id: "cloud-destinations", text: "Destinations" }),
    cloud.destinations.map((d) =>
      el(
        "div",
        { className: "account", "data-destination": d.alias },
        el(
          "div",
          { className: "account-head" },
          el("span", { className: "account-name", text: d.alias }),
          el("span", { className: "uin", text: d.uin }),
        ),
        el(
          "ul",
          { className: "checks", "aria-label": `${d.alias} readiness` },
          check(d.collaborator, "collaborator", "not a collaborator"),
          check(d.canCopy, "copy permission", "no copy permission"),
          check(d.readRole, "read role", "no read role"),
        ),
        d.snapshots.length > 0 ? snapshotTable(d.snapshots, `Snapshots in ${d.alias}`) : null,
      ),
    ),
  );
  const copies = el(
    "section",
    { className: "cloud-section", "aria-labelledby": "cloud-copies" },
    el("h3", { id: "cloud-copies", text: "Cross-account copies" }),
    cloud.copies.length === 0
      ? el("p", {
          className: "muted",
          text: "None yet: approve a request to start one. A policy's automatic copies are shown under the policy.",
        })
      : el(
          "ul",
          { className: "checks", style: "display:block" },
          cloud.copies.map((c) =>
            el(
              "li",
              { className: "account" },
              el(
                "div",
                { className: "account-head" },
                el("span", { className: "uin", text: c.newSnapshotId }),
                stateBadge(c.state, c.percent),
              ),
              el("div", {
                className: "muted",
                text: `${c.sourceSnapshotId} → ${c.destination} as "${c.name}"`,
              }),
              c.state === "COPYING_FROM_REMOTE"
                ? el(
                    "span",
                    {
                      className: "progress",
                      role: "progressbar",
                      "aria-valuenow": String(c.percent),
                      "aria-valuemin": "0",
                      "aria-valuemax": "100",
                      "aria-label": `Copy ${c.newSnapshotId}`,
                    },
                    el("span", { style: `width:${c.percent}%` }),
                  )
                : null,
            ),
          ),
        ),
  );
  // The pane is redrawn whole; give the focus back to the same control (by its key) afterwards.
  const focusKey = body.contains(document.activeElement)
    ? document.activeElement.dataset.focusKey
    : undefined;
  body.replaceChildren(source, policies, destinations, copies);
  if (focusKey) {
    const again = body.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    if (again && !again.disabled) again.focus();
    else
      (
        body.querySelector(`[data-policy="${CSS.escape(focusKey.split(":")[0])}"] button:not([disabled])`) ??
        $("cloud-policies")
      ).focus();
  }
  showFaults(cloud.faults);
}

function showFaults(faults) {
  const shown = {
    "revoke-dr-prod": faults.drProdRevoked,
    "fail-next-copy": faults.nextCopy === "fail",
    "stuck-next-copy": faults.nextCopy === "stuck",
  };
  for (const [fault, on] of Object.entries(shown))
    if (!ui.faultsSending.has(fault)) $(`fault-${fault}`).checked = on;
}

function seconds(ms) {
  return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}

/** One scheduled policy: its facts, its buttons, and the snapshots it took with their copies. */
function policyCard(p, dayRun) {
  const titleId = `policy-${p.id}-title`;
  const button = (action, label, attrs = {}) =>
    el("button", {
      type: "button",
      className: action === "delete" ? "secondary danger" : "secondary",
      "data-policy-action": action,
      "data-focus-key": `${p.id}:${action}`,
      onclick: () => policyAction(p, action),
      ...attrs,
      text: label,
    });
  const linked = p.copyTo !== undefined;
  const runsCaption = `Snapshots taken by ${p.id}`;
  return el(
    "div",
    { className: "account policy", "data-policy": p.id },
    el(
      "div",
      { className: "account-head" },
      el("span", { className: "account-name", id: titleId, text: p.name }),
      el("span", { className: "uin", text: p.id }),
    ),
    el(
      "dl",
      { className: "facts" },
      el("dt", { text: "Schedule" }),
      el("dd", { text: `${p.schedule} (Beijing time), ${p.region}` }),
      el("dt", { text: "Disks" }),
      el("dd", { text: p.diskIds.join(", ") || "none" }),
      el("dt", { text: "Link" }),
      el(
        "dd",
        { "data-link": linked ? p.copyTo : "" },
        linked
          ? `CopyToAccountUin ${p.copyToUin} (${p.copyTo}); each copy follows ${seconds(p.copyDelayMs)} after its snapshot`
          : `not linked (try /snapshot auto ${p.id} to dr-prod)`,
      ),
      p.dropNextCopies > 0
        ? [
            el("dt", { text: "Fault" }),
            el("dd", {
              className: "fault-note",
              text: `the next ${p.dropNextCopies === 1 ? "automatic copy" : `${p.dropNextCopies} automatic copies`} will never arrive`,
            }),
          ]
        : null,
    ),
    el(
      "div",
      { className: "policy-buttons", role: "group", "aria-labelledby": titleId },
      button("fire", "Fire now", { title: "One snapshot per bound disk, now" }),
      button(
        "fire-day",
        dayRun ? `Firing a day… ${dayRun.fired} of ${dayRun.total}` : `Fire a day (${p.firingsPerDay}×)`,
        {
          disabled: dayRun !== undefined,
          title: `Every trigger time of one day (${p.schedule}), one every few seconds`,
        },
      ),
      button("drop-next-copy", "Drop next copy", {
        disabled: !linked,
        title: "The next automatic copy never arrives (to see the recovery-point watchdog)",
      }),
      button("unlink", linked ? `Unlink (as ${p.copyTo})` : "Unlink (as the destination)", {
        disabled: !linked,
        title: "The destination removes the link, as on its “Replicate to my account” page",
      }),
      button("delete", "Delete policy", { title: "The source account deletes the policy" }),
    ),
    p.runs.length === 0
      ? el("p", { className: "muted", text: "No snapshots yet: press Fire now." })
      : el(
          "table",
          { className: "snapshots policy-runs" },
          el("caption", { className: "visually-hidden", text: runsCaption }),
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              ["Snapshot", "State", "Automatic copy"].map((h) => el("th", { scope: "col", text: h })),
            ),
          ),
          el(
            "tbody",
            {},
            p.runs.map((r) =>
              el(
                "tr",
                { "data-run": r.snapshotId },
                el(
                  "td",
                  {},
                  el("span", { className: "id", text: r.snapshotId }),
                  el("span", { className: "snap-name", text: r.createTime }),
                ),
                el("td", {}, stateBadge(r.state, r.percent)),
                el("td", { "data-copy": r.copy.kind }, copyCell(r.copy)),
              ),
            ),
          ),
        ),
    p.runCount > p.runs.length
      ? el("p", { className: "muted", text: `and ${p.runCount - p.runs.length} earlier` })
      : null,
  );
}

function copyCell(copy) {
  switch (copy.kind) {
    case "copy":
      return [
        el("span", { className: "id", text: copy.snapshotId }),
        el(
          "span",
          { className: "snap-name" },
          `in ${copy.destination} `,
          stateBadge(copy.state, copy.percent),
        ),
      ];
    case "due":
      return el("span", { className: "muted", text: `due in ${copy.destination} in ${seconds(copy.inMs)}` });
    case "dropped":
      return el("span", {
        className: "state state-GONE",
        text: `dropped: never reaches ${copy.destination}`,
      });
    default:
      return el("span", { className: "muted", text: "none (not linked)" });
  }
}

const POLICY_DONE = {
  fire: (p, r) => `${p.id} fired: ${r.taken?.join(", ") || "no snapshot (no disk)"}.`,
  "fire-day": (p, r) => `${p.id} fires a day: ${r.scheduled} firings, one every few seconds.`,
  "drop-next-copy": (p, r) =>
    `${p.id}: the next ${r.dropNextCopies} automatic cop${r.dropNextCopies === 1 ? "y" : "ies"} will not arrive.`,
  unlink: (p) => `${p.copyTo} removed the link of ${p.id}.`,
  delete: (p) => `${p.id} deleted from the source account.`,
};

async function policyAction(p, action) {
  if (
    action === "delete" &&
    !(await confirmDialog({
      title: { type: "plain_text", text: "Delete policy?" },
      text: {
        type: "plain_text",
        text: `Delete ${p.id} "${p.name}" from the source account${p.copyTo ? `; its link to ${p.copyTo} ends with it` : ""}.`,
      },
      confirm: { type: "plain_text", text: "Delete" },
      deny: { type: "plain_text", text: "Cancel" },
    }))
  ) {
    document.querySelector(`[data-focus-key="${CSS.escape(`${p.id}:delete`)}"]`)?.focus();
    return;
  }
  try {
    const result = await post("/api/policy", { policyId: p.id, action });
    $("cloud-status").textContent = POLICY_DONE[action](p, result);
    // Its card is gone: the focus goes to the list of policies, not to the page's start.
    if (action === "delete") $("cloud-policies")?.focus();
  } catch (error) {
    $("cloud-status").textContent = `Could not do that: ${error.message}`;
  }
}

/* ---------------------------------------------------------------- modals (views.open) */

function modalField(block, errors, previous) {
  const element = block.element ?? {};
  const id = `field-${block.block_id}`;
  const hintId = block.hint ? `${id}-hint` : null;
  const error = errors[block.block_id];
  const errorId = error ? `${id}-error` : null;
  let control;
  const choices = (items, none) => {
    const select = el("select", {}, el("option", { value: "", text: none }));
    for (const [value, label] of items) select.append(el("option", { value, text: label }));
    return select;
  };
  switch (element.type) {
    case "plain_text_input":
      control = element.multiline ? el("textarea", {}) : el("input", { type: "text" });
      if (element.placeholder) control.placeholder = plain(element.placeholder);
      if (element.max_length) control.maxLength = element.max_length;
      if (element.initial_value) control.value = element.initial_value;
      break;
    case "conversations_select":
    case "channels_select":
      control = choices(
        ui.view.channels.map((c) => [c.id, `#${c.name}`]),
        "Choose a channel…",
      );
      if (element.initial_conversation || element.initial_channel) {
        control.value = element.initial_conversation ?? element.initial_channel;
      }
      break;
    case "users_select":
      control = choices(
        ui.view.users.map((u) => [u.id, u.name]),
        "Choose a person…",
      );
      break;
    case "static_select":
      control = choices(
        (element.options ?? []).map((o) => [o.value, plain(o.text)]),
        element.placeholder ? plain(element.placeholder) : "Choose…",
      );
      break;
    default:
      control = el("input", { type: "text" });
  }
  control.id = id;
  control.name = block.block_id;
  if (previous[block.block_id] !== undefined) control.value = previous[block.block_id];
  const describedBy = [hintId, errorId].filter(Boolean).join(" ");
  if (describedBy) control.setAttribute("aria-describedby", describedBy);
  if (error) control.setAttribute("aria-invalid", "true");
  if (!block.optional) control.setAttribute("aria-required", "true");
  return el(
    "div",
    { className: "field", "data-block-id": block.block_id },
    el(
      "label",
      { for: id },
      plain(block.label),
      block.optional && !/optional/i.test(plain(block.label))
        ? el("span", { className: "optional", text: " (optional)" })
        : null,
    ),
    control,
    block.hint ? el("p", { className: "hint", id: hintId, text: plain(block.hint) }) : null,
    error ? el("p", { className: "field-error", id: errorId, text: error }) : null,
  );
}

function typedModalValues() {
  const values = {};
  for (const control of $("modal-body").querySelectorAll("input, textarea, select"))
    values[control.name] = control.value;
  return values;
}

function renderModal() {
  const dialog = $("modal-dialog");
  const modal = ui.view.modal;
  if (!modal) {
    ui.modalShown = null;
    if (dialog.open) dialog.close();
    return;
  }
  const sig = `${modal.viewId}:${modal.version}`;
  if (ui.modalShown === sig && dialog.open) return;
  const previous = ui.modalShown?.startsWith(`${modal.viewId}:`) ? typedModalValues() : {};
  ui.modalShown = sig;
  const view = modal.view;
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  const known = new Set(blocks.filter((b) => b.type === "input").map((b) => b.block_id));
  $("modal-title").textContent = plain(view.title) || "Form";
  $("modal-submit").textContent = plain(view.submit) || "Submit";
  $("modal-submit").hidden = !view.submit;
  $("modal-close").textContent = plain(view.close) || "Cancel";
  $("modal-body").replaceChildren(
    ...blocks.map((block) =>
      block.type === "input"
        ? modalField(block, modal.errors, previous)
        : renderBlock(block, { ts: "ack.modal", channel: ui.channel }),
    ),
  );
  $("modal-error").textContent = Object.entries(modal.errors)
    .filter(([block]) => !known.has(block))
    .map(([, message]) => message)
    .join(" ");
  dialog.dataset.viewId = modal.viewId;
  if (!dialog.open) dialog.showModal();
  const firstError = $("modal-body").querySelector('[aria-invalid="true"]');
  (firstError ?? $("modal-body").querySelector("input, textarea, select") ?? $("modal-submit")).focus();
}

function closeModal() {
  const dialog = $("modal-dialog");
  const viewId = dialog.dataset.viewId;
  ui.modalShown = null;
  if (dialog.open) dialog.close();
  if (viewId) post("/api/view-close", { userId: ui.me, viewId }).catch(() => undefined);
}

$("modal-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const submit = $("modal-submit");
  submit.disabled = true;
  try {
    await post("/api/view-submit", {
      userId: ui.me,
      viewId: $("modal-dialog").dataset.viewId,
      values: typedModalValues(),
    });
  } catch (error) {
    $("modal-error").textContent = `Could not send the form: ${error.message}`;
  } finally {
    submit.disabled = false;
  }
});
$("modal-close").addEventListener("click", closeModal);
$("modal-dialog").addEventListener("cancel", (event) => {
  event.preventDefault();
  closeModal();
});
$("shortcut-replicate").addEventListener("click", (event) => {
  post("/api/shortcut", { userId: ui.me, callbackId: event.currentTarget.dataset.callbackId }).catch(
    (error) => showStatus(`Could not open the form: ${error.message}`),
  );
});

function render() {
  if (!ui.view) return;
  renderUsers();
  renderChannels();
  renderChannel();
  renderThread();
  renderCloud();
  renderModal();
}

/* ---------------------------------------------------------------- navigation */

function selectChannel(id) {
  if (ui.channel === id) return;
  ui.channel = id;
  ui.highlight = null;
  sessionStorage.setItem("sandbox.channel", id);
  $("messages")._nodes = undefined;
  $("messages").replaceChildren();
  $("channel-list")._focusChannel = id;
  render();
  $("messages").scrollTop = $("messages").scrollHeight;
}

function openThread(channel, ts, { focus = true } = {}) {
  ui.thread = { channel, ts };
  $("thread-messages")._nodes = undefined;
  $("thread-messages").replaceChildren();
  render();
  if (focus) $("thread-close").focus();
}

/**
 * A link to a message (a request's card, from `/snapshot status` or a notice): its channel, the
 * card scrolled into view, marked and flashed, with the focus on it, and its thread beside it.
 */
function showCard(channel, ts) {
  selectChannel(channel);
  const parent = ui.view?.messages.find((m) => m.channel === channel && m.ts === ts && !m.threadTs);
  if (!parent) {
    showStatus("That message is not in this sandbox any more.");
    return;
  }
  ui.highlight = parent.key;
  openThread(channel, ts, { focus: false });
  const node = document.querySelector(`#messages [data-key="${CSS.escape(parent.key)}"]`);
  if (!node) return;
  node.scrollIntoView({ block: "start" });
  node.focus({ preventScroll: true });
  node.classList.remove("flash");
  void node.offsetWidth; // restart the animation when the same card is linked to again
  node.classList.add("flash");
  node.addEventListener("animationend", () => node.classList.remove("flash"), { once: true });
}

function switchUser(id) {
  if (ui.me === id) return;
  ui.me = id;
  sessionStorage.setItem("sandbox.user", id);
  connect();
}

let source;
function connect() {
  source?.close();
  source = new EventSource(`/api/events?user=${encodeURIComponent(ui.me)}`);
  source.addEventListener("view", (event) => {
    ui.view = JSON.parse(event.data);
    document.body.dataset.user = ui.view.me;
    document.body.dataset.seq = String(ui.view.seq);
    document.dispatchEvent(new CustomEvent("sandbox:view", { detail: ui.view })); // home.js
    showStatus("");
    render();
  });
  source.addEventListener("error", () => showStatus("Connection to the sandbox lost; retrying…"));
}

/* ---------------------------------------------------------------- dialogs and forms */

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("composer-input");
  const text = input.value.trim();
  if (text === "") return;
  const send = event.target.querySelector(".send");
  send.disabled = true;
  try {
    await post("/api/command", { userId: ui.me, channelId: ui.channel, text });
    input.value = "";
  } catch (error) {
    showStatus(`Could not send the command: ${error.message}`);
  } finally {
    send.disabled = false;
    input.focus();
  }
});

for (const example of document.querySelectorAll(".example[data-example]")) {
  example.addEventListener("click", () => {
    const input = $("composer-input");
    input.value = example.dataset.example;
    input.focus();
  });
}

for (const toggle of document.querySelectorAll("[data-fault]")) {
  toggle.addEventListener("change", async () => {
    const fault = toggle.dataset.fault;
    ui.faultsSending.add(fault);
    try {
      const answer = await post("/api/fault", { fault, on: toggle.checked });
      ui.faultsSending.delete(fault);
      if (answer.faults) showFaults(answer.faults);
    } catch (error) {
      ui.faultsSending.delete(fault);
      showStatus(`Could not change the fault: ${error.message}`);
    }
  });
}
$("fault-reset").addEventListener("click", () => {
  post("/api/fault", { fault: "reset", on: true }).catch((error) =>
    showStatus(`Could not clear faults: ${error.message}`),
  );
});

$("thread-close").addEventListener("click", () => {
  const ts = ui.thread?.ts;
  ui.thread = null;
  render();
  document.querySelector(`#messages [data-ts="${CSS.escape(ts ?? "")}"] .reply-summary`)?.focus();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && ui.thread && !$("confirm-dialog").open && !$("modal-dialog").open)
    $("thread-close").click();
});

connect();
