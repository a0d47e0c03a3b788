/* inbox.js — the moderators' inbox: what waits for review (the approval queue, or held by the abuse filter),
 * approved or rejected one by one or all at once, and the queue's switch. The server decides what waits
 * (review: "pending") and what the filter matched (flags): this panel only shows it and sends `review`. */
import { h, t, plural } from "../lib/dom.js";
import { heldItems, settings, may, send, ignore, notify, groupName } from "./state.js";

/** The text with the abuse filter's matches marked (spans are character offsets in the text). */
function marked(text, spans) {
  if (!spans || !spans.length) return [text];
  const chars = Array.from(text); // offsets count code points, as the server does
  const out = [];
  let at = 0;
  spans.slice().sort((a, b) => a[0] - b[0]).forEach(([start, end]) => {
    if (start > at) out.push(chars.slice(at, start).join(""));
    out.push(h("mark", { class: "flagged" }, chars.slice(Math.max(start, at), end).join("")));
    at = Math.max(at, end);
  });
  if (at < chars.length) out.push(chars.slice(at).join(""));
  return out;
}

/** Whether the inbox is folded, per round and phase (the person's choice, kept across re-renders). */
const folded = {};

function flagged(item) { return !!(item.flags && Object.keys(item.flags).length); }

/** One `review` for the items given ({kind, item}), in one transaction: the ids the inbox shows, nothing unseen. */
function decide(items, decision) {
  const ids = (kind) => items.filter((x) => x.kind === kind).map((x) => x.item.id);
  send("review", { decision: decision, idea_ids: ids("idea"), action_ids: ids("action") }).then((data) => {
    const n = (data.ideas || []).length + (data.actions || []).length;
    notify(plural(decision === "approve" ? "review_approved" : "review_rejected", n), "ok");
  }).catch(ignore);
}

function entry(r, kind, item) {
  const textId = "inbox-" + kind + "-" + item.id;
  const reason = flagged(item)
    ? h("span", { class: "badge flag" }, "⚠ " + t("inbox_flagged"))
    : h("span", { class: "badge queue" }, t("inbox_queued"));
  let body;
  if (kind === "idea") {
    body = [h("p", { class: "inbox-text", id: textId, dir: "auto" }, marked(item.text, item.flags && item.flags.text))];
  } else {
    const theme = r.themes[item.theme_id];
    body = [
      h("p", { class: "inbox-text", id: textId, dir: "auto" }, marked(item.title, item.flags && item.flags.title)),
      item.description ? h("p", { class: "inbox-desc", dir: "auto" }, marked(item.description, item.flags && item.flags.description)) : null,
      theme ? h("p", { class: "hint" }, t("inbox_action_of", { title: theme.title })) : null
    ];
  }
  const who = [kind === "idea" ? t("inbox_kind_idea") : t("inbox_kind_action")];
  if (item.author) who.push(item.author);
  if (item.group) who.push(groupName(item.group));
  if (item.on_behalf) who.push(t("inbox_on_behalf"));
  return h("li", { class: "inbox-item" + (flagged(item) ? " is-flagged" : ""), "data-review-kind": kind, "data-review-id": String(item.id) },
    h("div", { class: "inbox-main" }, h("p", { class: "inbox-meta" }, reason, " ", who.join(" · ")), body),
    h("div", { class: "inbox-tools" },
      h("button", { type: "button", class: "small primary", "data-key": "approve-" + kind + "-" + item.id, "aria-describedby": textId,
        onclick: () => decide([{ kind: kind, item: item }], "approve") }, t("inbox_approve")),
      h("button", { type: "button", class: "small danger", "data-key": "reject-" + kind + "-" + item.id, "aria-describedby": textId,
        onclick: () => decide([{ kind: kind, item: item }], "reject") }, t("inbox_reject"))));
}

function queueSwitch() {
  const on = !!settings().approval;
  if (!may("approval.set")) return null;
  return h("div", { class: "queue-switch" },
    h("p", { class: "queue-state" + (on ? " is-on" : "") }, on ? t("queue_on") : t("queue_off_short")),
    h("button", { type: "button", class: "small" + (on ? "" : " primary"), "data-key": "queue-toggle",
      onclick: () => send("approval.set", { enabled: !on }).then(() => notify(on ? t("queue_off") : t("queue_on"), "ok")).catch(ignore) },
      on ? t("queue_turn_off") : t("queue_turn_on")));
}

/** The queue's card in the sidebar: what waits, and the switch (always there, small, so the board keeps its room). */
export function queueView(r) {
  if (!may("review")) return null;
  const held = heldItems(r);
  const n = held.ideas.length + held.actions.length;
  return h("section", { class: "queue-card card", id: "queue", "aria-labelledby": "queue-heading" },
    h("h2", { class: "section-label", id: "queue-heading" }, t("inbox_title"), " ",
      h("span", { class: "count-badge" + (n ? " is-on" : "") }, String(n))),
    queueSwitch());
}

/** The inbox for the viewed round, above the work of the phase, while something waits: first come, first served. */
export function inboxView(r) {
  if (!may("review")) return null;
  const held = heldItems(r);
  const items = held.ideas.map((i) => ({ kind: "idea", item: i })).concat(held.actions.map((a) => ({ kind: "action", item: a })));
  if (!items.length) return null;
  const clean = items.filter((x) => !flagged(x.item));
  // Folded by default where the board needs the screen (define, for whoever files ideas); open otherwise.
  const key = r.id + ":" + r.phase;
  if (!(key in folded)) folded[key] = r.phase === "define" && may("idea.move");
  const box = h("details", { open: !folded[key] },
    h("summary", null, h("h3", { id: "inbox-heading" }, t("inbox_title"), " ", h("span", { class: "count-badge is-on" }, String(items.length)))),
    h("div", { class: "inbox-all" },
      clean.length ? h("button", { type: "button", class: "small primary", "data-key": "approve-all", onclick: () => decide(clean, "approve") },
        t("inbox_approve_all", { n: clean.length })) : null,
      h("button", { type: "button", class: "small danger", "data-key": "reject-all", onclick: () => decide(items, "reject") },
        t("inbox_reject_all", { n: items.length })),
      clean.length < items.length ? h("p", { class: "hint" }, t("inbox_flagged_hint")) : null),
    h("ol", { class: "inbox-list" }, items.map((x) => entry(r, x.kind, x.item))));
  box.addEventListener("toggle", () => { folded[key] = !box.open; });
  return h("section", { class: "inbox card", id: "inbox", "aria-labelledby": "inbox-heading" }, box);
}
