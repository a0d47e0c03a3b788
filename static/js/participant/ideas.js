/* ideas.js — diverge on the phone: posting an idea (with a draft kept), my ideas, editing and withdrawing them. */
import { h, t, plural } from "../lib/dom.js";
import { values } from "../lib/store.js";
import { store, S, link, view, DRAFT_KEY, settings, refresh, norm, pendingOf, toast, syncList } from "./common.js";
import { storage } from "../lib/dom.js";
import { keepUnsent } from "./unsent.js";

export function buildDiverge(r) {
  var max = settings().max_idea_length || 200;
  var area = h("textarea", { id: "idea-text", name: "text", rows: "3", dir: "auto", "aria-describedby": "idea-count", autocomplete: "off" });
  var counter = h("p", { id: "idea-count", class: "counter hint" });
  var err = h("p", { id: "idea-error", class: "error-text", role: "alert" });
  var send = h("button", { type: "submit", class: "primary big", id: "idea-send" }, t("send"));
  function count() {
    var n = norm(area.value).length;
    counter.textContent = t(n > max ? "chars_over" : "chars", { n: n, max: max });
    counter.className = "counter hint" + (n > max ? " over" : "");
  }
  var st = storage();
  if (st && st.getItem(DRAFT_KEY)) area.value = st.getItem(DRAFT_KEY);
  function saveDraft() { if (st) { if (area.value) st.setItem(DRAFT_KEY, area.value); else st.removeItem(DRAFT_KEY); } }
  area.addEventListener("input", function () { count(); saveDraft(); if (err.textContent) err.textContent = ""; });
  var form = h("form", { class: "card idea-form", novalidate: true, onsubmit: function (ev) {
    ev.preventDefault();
    var text = norm(area.value);
    if (!text) { err.textContent = t("empty_idea"); area.focus(); return; }
    if (text.length > max) { err.textContent = t("chars_over", { n: text.length, max: max }); area.focus(); return; }
    err.textContent = "";
    link.live.send("idea.post", { text: text }).catch(function () {});
    area.value = "";
    saveDraft();
    count();
    if (!link.live.socket.connected) toast(t("queued_toast"));
    area.focus();
  } },
    h("p", { class: "hint" }, t("diverge_intro")),
    h("label", { for: "idea-text" }, t("your_idea")),
    area, counter, err, send);
  count();
  var room = h("p", { class: "room-count", "aria-live": "polite", id: "room-count" });
  var list = h("ul", { class: "my-ideas", id: "my-ideas" });
  var empty = h("p", { class: "hint" }, t("no_ideas_yet"));
  view.appendChild(form);
  view.appendChild(room);
  view.appendChild(h("section", { class: "mine", "aria-labelledby": "my-ideas-title" },
    h("h3", { id: "my-ideas-title" }, t("my_ideas")), empty, list));
  S.parts.textarea = area;
  S.parts.error = err;
  S.parts.update = function (rr) {
    // The room's count comes from the coalesced `presence` (phones are not sent everyone's ideas).
    var counted = store.state.presence.ideas && store.state.presence.ideas[String(rr.id)];
    // Ideas waiting for review (or not kept) are not on the wall: they do not count as shown.
    var visible = counted !== undefined ? counted : values(rr.ideas).filter(function (i) { return !(i.hidden || i.withdrawn || i.merged_into) && reviewOf(i) === "approved"; }).length;
    var mine = myIdeaRows(rr);
    room.textContent = plural("room_ideas", visible + mine.filter(function (m) { return m.pending && m.isNew; }).length);
    empty.hidden = mine.length > 0;
    syncList(list, mine, ideaRow);
  };
}

/** Refused at once while online: the text goes back into the (empty) text box; anything else goes to the list. */
const JUST_TYPED = 10000;

/** A post refused for good: its text goes back into the empty text box, or into the "not sent" list. */
export function failedPost(item, error) {
  const text = item.payload.text;
  const area = S.parts.textarea;
  const justTyped = !item.offline && Date.now() - (item.at || 0) < JUST_TYPED;
  if (justTyped && area && area.isConnected && !area.value) {
    area.value = text;
    area.dispatchEvent(new Event("input"));
    if (S.parts.error) S.parts.error.textContent = error.message;
  } else {
    keepUnsent(text, error.message, item.payload.op_id);
  }
  toast(error.message, true);
}

/** My ideas to show: confirmed ones (with pending edits) and posts still in the outbox, no duplicates. */
function myIdeaRows(r) {
  var rows = [];
  var edits = {}, withdrawing = {};
  pendingOf("idea.edit").forEach(function (i) { edits[i.payload.idea_id] = i.payload.text; });
  pendingOf("idea.withdraw").forEach(function (i) { withdrawing[i.payload.idea_id] = true; });
  var mine = values(r.ideas).filter(function (i) { return i.mine && !i.withdrawn && !i.merged_into; });
  var claimed = {};
  var posts = pendingOf("idea.post").filter(function (item) {
    if (item.payload.round_id && item.payload.round_id !== r.id) return false;
    // Already arrived by broadcast (or in a snapshot) before its ack? Then it is that idea.
    var match = mine.filter(function (i) {
      return !claimed[i.id] && !S.acked.idea[i.id] && norm(i.text) === norm(item.payload.text) && (S.seen["idea:" + i.id] || 0) >= item.at;
    })[0];
    if (match) { claimed[match.id] = true; return false; }
    return true;
  });
  mine.sort(function (a, b) { return a.id - b.id; });
  mine.forEach(function (i) {
    if (withdrawing[i.id]) return;
    var pendingText = edits[i.id];
    rows.push({ key: "i" + i.id, id: i.id, text: pendingText !== undefined ? pendingText : i.text, pending: pendingText !== undefined, hidden: i.hidden, review: reviewOf(i) });
  });
  posts.forEach(function (item) {
    rows.push({ key: "op" + item.payload.op_id, id: null, text: item.payload.text, pending: true, isNew: true });
  });
  return rows;
}

function ideaRow(row) {
  var editing = row.id !== null && S.editing === row.id;
  var confirming = row.id !== null && S.confirming === row.id;
  var review = row.review || "approved";
  var sig = [row.pending, row.hidden, review, editing, confirming, editing ? "" : row.text].join("|");
  return { key: row.key, sig: sig, build: function (li) {
    li.className = "idea" + (row.pending ? " pending" : "") + (row.hidden ? " hidden-idea" : "") + (review !== "approved" ? " review-" + review : "");
    li.dataset.pending = row.pending ? "true" : "false";
    if (row.id !== null) li.dataset.review = review;
    if (editing) return buildEditor(li, row);
    li.appendChild(h("p", { class: "idea-text", dir: "auto" }, row.text));
    if (row.pending) li.appendChild(h("p", { class: "badge pending-badge" }, t("pending")));
    else if (review !== "approved") li.appendChild(reviewBadge(review));
    if (row.hidden) li.appendChild(h("p", { class: "badge hidden-badge" }, t("hidden_by_facilitator")));
    if (row.id === null || row.pending || row.hidden) return;
    if (confirming) {
      li.appendChild(h("div", { class: "confirm", role: "group", "aria-label": t("withdraw") },
        h("p", { class: "confirm-text" }, t("withdraw_confirm")),
        h("div", { class: "row" },
          h("button", { type: "button", class: "danger solid", "data-action": "withdraw-yes", onclick: function () {
            S.confirming = null;
            link.live.send("idea.withdraw", { idea_id: row.id }).catch(function () {});
            refresh();
          } }, t("withdraw_yes")),
          h("button", { type: "button", "data-action": "withdraw-no", onclick: function () {
            S.confirming = null; refresh(); focusRow(row.key, "[data-action=withdraw]");
          } }, t("cancel")))));
      var yes = li.querySelector("[data-action=withdraw-yes]");
      setTimeout(function () { yes.focus(); }, 0);
      return;
    }
    li.appendChild(h("div", { class: "row actions" },
      h("button", { type: "button", class: "small", "data-action": "edit", "aria-label": t("edit") + " : " + shorten(row.text), onclick: function () {
        S.editing = row.id; S.confirming = null; refresh();
      } }, t("edit")),
      h("button", { type: "button", class: "small danger", "data-action": "withdraw", "aria-label": t("withdraw") + " : " + shorten(row.text), onclick: function () {
        S.confirming = row.id; S.editing = null; refresh();
      } }, t("withdraw"))));
  } };
}

/** "approved" (shown to the room), "pending" (waiting for the team's review) or "rejected" (not kept by the team). */
export function reviewOf(item) { return (item && item.review) || "approved"; }

/** The badge of an own idea or action the room does not see: waiting for review, or not kept by the team. */
export function reviewBadge(review) {
  return h("p", { class: "badge review-badge " + (review === "rejected" ? "rejected-badge" : "review-pending-badge"), dataset: { review: review } },
    t(review === "rejected" ? "review_rejected" : "review_pending"));
}

function shorten(text) { return text.length > 40 ? text.slice(0, 39) + "…" : text; }

function focusRow(key, selector) {
  var li = document.querySelector('[data-key="' + key + '"]');
  var el = li && li.querySelector(selector);
  if (el) el.focus();
}

function buildEditor(li, row) {
  var max = settings().max_idea_length || 200;
  var id = "edit-" + row.id;
  var area = h("textarea", { id: id, rows: "3", dir: "auto", "aria-describedby": id + "-count" });
  area.value = row.text;
  var counter = h("p", { id: id + "-count", class: "counter hint" });
  var err = h("p", { class: "error-text", role: "alert" });
  function count() {
    var n = norm(area.value).length;
    counter.textContent = t(n > max ? "chars_over" : "chars", { n: n, max: max });
    counter.className = "counter hint" + (n > max ? " over" : "");
  }
  area.addEventListener("input", count);
  count();
  li.appendChild(h("form", { class: "editor", novalidate: true, onsubmit: function (ev) {
    ev.preventDefault();
    var text = norm(area.value);
    if (!text) { err.textContent = t("empty_idea"); return; }
    if (text.length > max) { err.textContent = t("chars_over", { n: text.length, max: max }); return; }
    S.editing = null;
    if (text !== norm(row.text)) link.live.send("idea.edit", { idea_id: row.id, text: text }).catch(function () {});
    refresh();
    focusRow(row.key, "[data-action=edit]");
  } },
    h("label", { for: id }, t("edit_idea")), area, counter, err,
    h("div", { class: "row" },
      h("button", { type: "submit", class: "primary" }, t("save")),
      h("button", { type: "button", onclick: function () { S.editing = null; refresh(); focusRow(row.key, "[data-action=edit]"); } }, t("cancel")))));
  setTimeout(function () { area.focus(); }, 0);
}

