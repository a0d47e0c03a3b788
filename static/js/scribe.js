/* scribe.js — the scribe's phone page (/e/<token>): type the paper notes of people without a phone.
 *
 * One column: the current round's question, the note form (text + the person's stakeholder group,
 * reset to "not specified" after each note), or in converge a form to propose an action under a
 * kept theme; below, the notes typed in (newest first) with their review state, kept in step with
 * the `idea` broadcasts the scribes' room gets and rebuilt from the snapshot after a reconnection.
 * Writes go through the outbox of lib/connection.js: typed offline, they leave when the network is
 * back. When the facilitator revokes the link (`link.revoked`, or any event refused `link_revoked`)
 * the page says so and stops.
 */
import { h, t, page, $, storage } from "./lib/dom.js";
import { connect } from "./lib/connection.js";
import { statusBadge } from "./lib/widgets.js";
import { createStore, values } from "./lib/store.js";

const code = page.code;
const OUTBOX_KEY = "workshop:" + code + ":scribe:outbox";
const ACTIONS_KEY = "workshop:" + code + ":scribe:actions";
const JUST_TYPED = 10000;

const store = createStore();
const notes = {};          // id -> the note as the server last said (ideas typed on someone's behalf)
const acked = {};          // note ids learnt from an ack: they never match a write still queued
const seen = {};           // note id -> when it first arrived here
const refused = [];        // notes the server refused for good: {key, text, group, reason}
let outboxItems = [];
let revoked = false;

// --------------------------------------------------------------- helpers
function norm(text) {
  text = String(text || "");
  if (text.normalize) text = text.normalize("NFC");
  return text.replace(/[ \t\u00a0]+/g, " ").replace(/ *\n */g, "\n").trim();
}

var toastEl = $("toast"), infoEl = $("toast-info"), toastTimer = null;
function toast(message, isError) {
  var el = isError ? toastEl : infoEl, other = isError ? infoEl : toastEl;
  other.hidden = true;
  el.textContent = message;
  el.hidden = false;
  if (toastTimer) clearTimeout(toastTimer);
  toastTimer = setTimeout(function () { el.hidden = true; }, isError ? 7000 : 4000);
}

/** The actions this page proposed: the scribe's snapshot lists only approved ones, so the others are kept here. */
function loadActions() {
  try { return JSON.parse((storage() && storage().getItem(ACTIONS_KEY)) || "{}") || {}; } catch (e) { return {}; }
}
const myActions = loadActions();
function saveActions() {
  var s = storage();
  if (s) { try { s.setItem(ACTIONS_KEY, JSON.stringify(myActions)); } catch (e) { /* full: kept for this page */ } }
}

function upsertNote(idea) {
  if (!idea || !idea.on_behalf) return;
  notes[idea.id] = idea;
  if (!seen[idea.id]) seen[idea.id] = Date.now();
}

// ------------------------------------------------------------ connection
store.subscribe(function (event, data) {
  if (event === "snapshot") {
    Object.keys(notes).forEach(function (id) { delete notes[id]; });
    (data.rounds || []).forEach(function (r) { (r.ideas || []).forEach(upsertNote); });
    (data.rounds || []).forEach(function (r) { (r.actions || []).forEach(trackAction); });
  } else if (event === "idea") {
    upsertNote(data);
  } else if (event === "action") {
    trackAction(data);
  }
  refresh();
});

function trackAction(action) {
  var known = myActions[action.id];
  if (!known) return;
  myActions[action.id] = { id: action.id, round_id: action.round_id, theme_id: action.theme_id, title: action.title, review: action.review || "approved" };
  saveActions();
}

const events = store.handlers();
events["link.revoked"] = function () { showRevoked(); };

const live = connect({
  auth: function () { return { scribe_token: page.token, lang: page.lang }; },
  outboxKey: OUTBOX_KEY,
  onConnect: store.hold,
  onStatus: statusBadge($("status")),
  onSnapshot: store.snapshot,
  onRefused: function (err) {
    if (err.code === "link_revoked" || err.code === "bad_token") showRevoked();
    else toast(err.message || t("error_generic"), true);
  },
  onOutbox: function (items) { outboxItems = items; refresh(); },
  onDelivered: onDelivered,
  events: events
});
window.workshopLive = live;

function onDelivered(item, answer) {
  var ok = answer && answer.ok, data = ok ? answer.data : null;
  var error = ok ? null : ((answer && answer.error) || { message: t("error_generic") });
  if (error && error.code === "link_revoked") {
    refused.push({ key: "r" + item.payload.op_id, text: item.payload.text || item.payload.title, group: item.payload.group, reason: error.message });
    showRevoked();
    return;
  }
  if (item.event === "idea.post") {
    if (ok) {
      acked[data.idea.id] = true;
      upsertNote(data.idea);
      var g = data.idea.group;
      toast(data.idea.review === "pending" ? t("note_sent_review") : g ? t("note_sent_group", { group: g }) : t("note_sent"));
    } else {
      failedNote(item, error);
    }
  } else if (item.event === "action.propose") {
    if (ok) {
      var a = data.action;
      myActions[a.id] = { id: a.id, round_id: a.round_id, theme_id: a.theme_id, title: a.title, review: a.review || "approved" };
      saveActions();
      toast(a.review === "pending" ? t("action_sent_review") : t("action_sent"));
    } else {
      var err = $("action-error");
      err.textContent = error.message;
      if (!$("action-title").value) { $("action-title").value = item.payload.title || ""; $("action-description").value = item.payload.description || ""; }
      toast(error.message, true);
    }
  } else if (!ok) {
    toast(error.message, true);
  }
  refresh();
}

/** Refused for good: just typed, its text goes back into the empty box; otherwise it stays listed as not sent. */
function failedNote(item, error) {
  var area = $("note-text");
  var justTyped = !item.offline && Date.now() - (item.at || 0) < JUST_TYPED;
  if (justTyped && !area.value && !$("note-form").hidden) {
    area.value = item.payload.text;
    setGroup(item.payload.group || "");
    count();
    $("note-error").textContent = error.message;
  } else {
    refused.push({ key: "r" + item.payload.op_id, text: item.payload.text, group: item.payload.group, reason: error.message });
  }
  toast(error.message, true);
}

// ------------------------------------------------------------------ forms
var noteForm = $("note-form"), area = $("note-text"), counter = $("note-count"), noteError = $("note-error");
function maxLength() { return store.settings().max_idea_length || (page.workshop.settings || {}).max_idea_length || 200; }
function count() {
  var n = norm(area.value).length, max = maxLength();
  counter.textContent = t(n > max ? "chars_over" : "chars", { n: n, max: max });
  counter.className = "counter hint" + (n > max ? " over" : "");
}
function setGroup(value) {
  document.querySelectorAll("#note-groups input[name=group]").forEach(function (input) { input.checked = input.value === value; });
}
area.addEventListener("input", function () { count(); if (noteError.textContent) noteError.textContent = ""; });
noteForm.addEventListener("submit", function (ev) {
  ev.preventDefault();
  var text = norm(area.value), max = maxLength();
  if (!text) { noteError.textContent = t("empty_note"); area.focus(); return; }
  if (text.length > max) { noteError.textContent = t("chars_over", { n: text.length, max: max }); area.focus(); return; }
  noteError.textContent = "";
  var checked = document.querySelector("#note-groups input[name=group]:checked");
  var payload = { text: text };
  if (checked && checked.value) payload.group = checked.value;
  live.send("idea.post", payload).catch(function () {});
  area.value = "";
  setGroup("");  // the next note is someone else's: its group is chosen anew
  count();
  if (!live.socket.connected) toast(t("note_queued"));
  area.focus();
});

var actionForm = $("action-form"), actionTitle = $("action-title"), actionDesc = $("action-description"), select = $("action-theme");
actionForm.addEventListener("submit", function (ev) {
  ev.preventDefault();
  var title = norm(actionTitle.value), err = $("action-error");
  if (!select.value) return;
  if (!title) { err.textContent = t("empty_action"); actionTitle.focus(); return; }
  err.textContent = "";
  var payload = { theme_id: Number(select.value), title: title };
  if (norm(actionDesc.value)) payload.description = norm(actionDesc.value);
  live.send("action.propose", payload).catch(function () {});
  actionTitle.value = ""; actionDesc.value = "";
  if (!live.socket.connected) toast(t("action_queued"));
  actionTitle.focus();
});

// --------------------------------------------------------------- rendering
var themesSig = null;
function refresh() {
  if (revoked) return;
  var app = $("app");
  var r = store.currentRound();
  if (!store.state.loaded || !r) return;
  app.dataset.phase = r.phase;
  app.dataset.round = r.id;
  $("round-label").textContent = t("round_of", { n: r.position, total: store.rounds().length }) + " · " + t("phase_" + r.phase);
  $("question").hidden = r.phase === "closed";
  if ($("question-text").textContent !== r.question) $("question-text").textContent = r.question;

  var canNote = !!(r.can && r.can.post_idea), canAction = !!(r.can && r.can.propose_action);
  noteForm.hidden = !canNote;
  var note = $("phase-note");
  note.hidden = canNote;
  if (!canNote) {
    var key = "closed_" + r.phase;
    if (note.textContent !== t(key)) note.textContent = t(key);
  }
  actionForm.hidden = !canAction;
  if (canAction) updateThemes(r);
  renderNotes(r);
  renderActions(r);
  count();
}

function updateThemes(r) {
  var kept = values(r.themes).filter(function (x) { return x.kept; }).sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
  var sig = JSON.stringify(kept.map(function (k) { return [k.id, k.title]; }));
  if (sig === themesSig) return;
  themesSig = sig;
  var chosen = select.value;
  select.textContent = "";
  kept.forEach(function (k) { select.appendChild(h("option", { value: String(k.id) }, k.title)); });
  if (chosen && kept.some(function (k) { return String(k.id) === chosen; })) select.value = chosen;
  $("action-none").hidden = kept.length > 0;
  $("action-theme-field").hidden = kept.length === 0;
  actionForm.querySelectorAll("input, textarea, button").forEach(function (el) { el.disabled = kept.length === 0; });
}

/** The state of a note, from what the server said (or the outbox: not sent yet). */
function stateOf(note) {
  if (note.hidden) return "hidden";
  return note.review || "approved";
}

/** Notes of the current round, newest first: queued ones on top, then the server's, refused ones apart. */
function noteRows(r) {
  var list = values(notes).filter(function (n) { return n.round_id === r.id && !n.withdrawn; });
  var claimed = {};
  var queued = outboxItems.filter(function (item) {
    if (item.event !== "idea.post") return false;
    // arrived by broadcast before its ack: it is that note
    var match = list.filter(function (n) {
      return !claimed[n.id] && !acked[n.id] && norm(n.text) === norm(item.payload.text) && (n.group || "") === (item.payload.group || "") && (seen[n.id] || 0) >= item.at;
    })[0];
    if (match) { claimed[match.id] = true; return false; }
    return true;
  });
  var rows = [];
  refused.forEach(function (x) { rows.push({ key: x.key, text: x.text, group: x.group, state: "refused", reason: x.reason }); });
  queued.slice().reverse().forEach(function (item) {
    rows.push({ key: "op" + item.payload.op_id, text: item.payload.text, group: item.payload.group, state: "unsent" });
  });
  list.sort(function (a, b) { return b.id - a.id; }).forEach(function (n) {
    rows.push({ key: "n" + n.id, id: n.id, text: n.text, group: n.group, state: stateOf(n) });
  });
  return rows;
}

function renderNotes(r) {
  var rows = noteRows(r);
  $("notes-empty").hidden = rows.length > 0;
  syncRows($("notes"), rows);
}

function renderActions(r) {
  var rows = values(myActions).filter(function (a) { return a.round_id === r.id; }).sort(function (a, b) { return b.id - a.id; })
    .map(function (a) { return { key: "a" + a.id, id: a.id, text: a.title, state: a.review || "approved", kind: "action" }; });
  outboxItems.filter(function (i) { return i.event === "action.propose"; }).reverse().forEach(function (item) {
    rows.unshift({ key: "op" + item.payload.op_id, text: item.payload.title, state: "unsent", kind: "action" });
  });
  $("actions-typed").hidden = rows.length === 0;
  syncRows($("actions"), rows);
}

/** Keep a list in step with its rows: a row whose text and state did not change keeps its DOM. */
function syncRows(list, rows) {
  var existing = {};
  Array.prototype.forEach.call(list.children, function (el) { existing[el.dataset.key] = el; });
  var keep = {};
  rows.forEach(function (row, index) {
    keep[row.key] = true;
    var sig = JSON.stringify([row.text, row.group, row.state, row.reason]);
    var li = existing[row.key];
    if (!li) li = h("li", { dataset: { key: row.key } });
    if (li._sig !== sig) { li._sig = sig; li.textContent = ""; buildRow(li, row); }
    if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
  });
  Object.keys(existing).forEach(function (k) { if (!keep[k]) list.removeChild(existing[k]); });
}

var BADGES = { approved: "state_approved", pending: "state_pending", rejected: "state_rejected", hidden: "state_hidden", unsent: "state_unsent" };
function buildRow(li, row) {
  li.className = "typed-item state-" + row.state;
  li.dataset.review = row.state;
  if (row.id) li.dataset.id = row.id;
  if (row.kind !== "action") li.dataset.group = row.group || "";
  li.appendChild(h("p", { class: "typed-text", dir: "auto" }, row.text));
  var meta = h("p", { class: "typed-meta" });
  if (row.kind !== "action") meta.appendChild(h("span", { class: "typed-group" }, row.group ? t("group_is", { group: row.group }) : t("group_none")));
  var label = row.state === "refused" ? t("state_refused", { reason: row.reason }) : t(BADGES[row.state]);
  meta.appendChild(h("span", { class: "badge state-badge", dataset: { state: row.state } }, label));
  li.appendChild(meta);
}

// ---------------------------------------------------------------- revoked
function showRevoked() {
  if (revoked) return;
  revoked = true;
  live.close();
  var unsent = refused.map(function (x) { return x.text; }).concat(live.pending().map(function (i) { return i.payload.text || i.payload.title; })).filter(Boolean);
  $("app").hidden = true;
  $("toast").hidden = true; $("toast-info").hidden = true;
  var section = $("revoked");
  section.hidden = false;
  $("revoked-unsent").hidden = unsent.length === 0;
  var list = $("revoked-list");
  list.textContent = "";
  unsent.forEach(function (text) { list.appendChild(h("li", { dir: "auto" }, text)); });
  var status = $("status");
  status.hidden = true;
  document.body.dataset.revoked = "true";
  var title = $("revoked-title");
  title.tabIndex = -1;
  title.focus();
}

count();
