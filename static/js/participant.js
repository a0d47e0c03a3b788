/* participant.js — the phone page (/j/<code>): join, then follow the current round.
 *
 * One column that follows the phase of the current round (the first round not
 * closed): lobby, diverge (post / edit / withdraw ideas: participant/ideas.js), define
 * (dot-vote on themes), converge (propose actions, dot-vote on them: participant/votes.js),
 * closed (thanks and a recap: participant/recap.js). The shared store folds the snapshot
 * and the broadcasts; writes go through the outbox; what is still waiting there is
 * shown as "waiting to be sent" and reconciled by id when the server answers.
 */
import { h, t, page, $ } from "./lib/dom.js";
import { connect } from "./lib/connection.js";
import { statusBadge, ticker, pulse } from "./lib/widgets.js";
import { values } from "./lib/store.js";
import { code, store, S, link, view, getToken, setToken, getGuestId, norm, markSeen, pendingOf, toast, hideToasts } from "./participant/common.js";
import { buildDiverge, failedPost } from "./participant/ideas.js";
import { renderUnsent } from "./participant/unsent.js";
import { buildDefine, buildConverge, failedAction } from "./participant/votes.js";
import { buildLobby, buildClosed } from "./participant/recap.js";
import { renderPolls, pollDelivered } from "./participant/polls.js";

const OUTBOX_KEY = "workshop:" + code + ":outbox";

// ------------------------------------------------------------ connection
const setStatus = statusBadge($("status"));
let timerEl = null, timerWasRunning = false;
const setTimer = ticker(function (text, left) {
  if (!timerEl) return;
  if (text === null) { timerEl.hidden = true; return; }
  timerEl.hidden = false;
  timerEl.textContent = left > 0 ? t("timer_left", { time: text }) : t("time_up");
  timerEl.className = "timer" + (left > 0 && left <= 60 ? " soon" : "") + (left === 0 ? " up" : "");
  if (left === 0 && timerWasRunning) pulse(timerEl);  // the end is seen, not heard
  timerWasRunning = left > 0;
});

store.subscribe(function (event, data) {
  if (event === "snapshot") {
    var now = Date.now();
    store.rounds().forEach(function (r) {
      values(r.ideas).forEach(function (i) { markSeen("idea", i.id, now); });
      values(r.actions).forEach(function (a) { markSeen("action", a.id, now); });
    });
    S.joined = !!(data.role === "participant" && data.me);
    S.votes = { theme: {}, action: {} };
    S.voteAt = {};
    if (S.joined) {
      Object.keys(data.me.votes || {}).forEach(function (rid) {
        var v = data.me.votes[rid];
        ["theme", "action"].forEach(function (kind) {
          Object.keys(v[kind] || {}).forEach(function (id) { S.votes[kind][id] = v[kind][id]; });
        });
      });
    }
  } else if (event === "idea" || event === "theme" || event === "action") {
    markSeen(event, data.id);
  } else if (event === "theme.removed") {
    delete S.votes.theme[data.id];
  }
  refresh(); // same round and phase: updated in place (a draft being typed survives a reconnection)
});

const live = link.live = connect({
  auth: function () {
    var token = getToken();
    return token ? { code: code, token: token, lang: page.lang } : { code: code, guest_id: getGuestId(), lang: page.lang };
  },
  outboxKey: OUTBOX_KEY,
  onConnect: store.hold,
  onStatus: setStatus,
  onSnapshot: store.snapshot,
  onRefused: onRefused,
  onOutbox: function (items) { S.outbox = items; refresh(); },
  onDelivered: onDelivered,
  onDeferred: onDeferred,
  pace: paceOf,
  events: store.handlers()
});
window.workshopLive = live;
link.refresh = refresh;


function onRefused(err) {
  if (err.code === "bad_token") {
    setToken(null);
    S.joined = false; store.state.me = null; S.view = null;
    showJoin(err.message || t("join_again"));
    $("join-button").disabled = false;
    setTimeout(function () { link.live.socket.connect(); }, 0); // as a guest now
  } else if (err.code === "unknown_code") {
    showJoin(err.message || t("workshop_gone"));
    $("join-form").hidden = true;
  } else {
    showJoin(err.message || t("error_generic"));
  }
  refresh();
}

/** The server's pace for ideas and actions (rules.idea_rate), which the outbox keeps when it resends. */
function paceOf(event) {
  return event === "idea.post" || event === "action.propose" ? store.state.rules.idea_rate || null : null;
}

/** "Not now" from the server (too many at once, e.g. after an outage): it stays queued and goes later. */
var deferredSaid = 0, deferredUntil = 0;
function onDeferred(item, error, seconds) {
  deferredUntil = Math.max(deferredUntil, Date.now() + seconds * 1000);
  if (Date.now() - deferredSaid > 10000) { deferredSaid = Date.now(); toast(t("deferred_toast", { n: seconds })); }
  refresh();
}

/** After an idea is taken: "sent", or, while others still wait for their turn, when they will go. */
function sentToast(held) {
  var wait = Math.ceil((deferredUntil - Date.now()) / 1000);
  if (wait > 0 && pendingOf("idea.post").length) toast(t("deferred_toast", { n: wait }));
  else toast(t(held ? "sent_review_toast" : "sent_toast"));
}

function onDelivered(item, answer) {
  var ok = answer && answer.ok, data = ok ? answer.data : null;
  var error = ok ? null : ((answer && answer.error) || { message: t("error_generic") });
  var p = item.payload;
  switch (item.event) {
    case "join":
      if (ok) {
        setToken(data.token);
        S.joined = true;
        live.reconnect(); // come back as this participant (snapshot with "me")
      } else if (error.code === "role") {
        live.reconnect();
      } else {
        $("join-error").textContent = error.message;
        $("join-button").disabled = false;
      }
      break;
    case "idea.post":
      if (ok) { S.acked.idea[data.idea.id] = true; store.apply("idea", data.idea); sentToast(data.idea.review === "pending"); }
      else failedPost(item, error);
      break;
    case "idea.edit":
    case "idea.withdraw":
      if (ok) store.apply("idea", data.idea); else toast(error.message, true);
      break;
    case "agreement.answer":
      if (ok) {
        var ag = store.state.agreement[data.round_id];
        if (ag) { ag.mine = Object.assign({}, ag.mine || {}); ag.mine[String(data.action_id)] = data.stance; }
      } else toast(error.message, true);
      break;
    case "vote":
      if (ok) {
        // Two quick taps may be answered out of order: keep the answer to the latest one.
        var k = data.kind + ":" + data.target_id;
        if (!(S.voteAt[k] > item.at)) { S.voteAt[k] = item.at; S.votes[data.kind][data.target_id] = data.dots; }
      } else toast(error.message, true);
      break;
    case "action.propose":
      if (ok) {
        S.acked.action[data.action.id] = true;
        store.apply("action", data.action);
        toast(t(data.action.review === "pending" ? "proposed_review_toast" : "proposed_toast"));
      } else failedAction(p, error);
      break;
    case "poll.answer":
      pollDelivered(p, ok, data, error);
      break;
    default:
      if (!ok) toast(error.message, true);
  }
  refresh();
}


// -------------------------------------------------------------- join form
function showJoin(message) {
  $("join").hidden = false;
  $("app").hidden = true;
  var m = $("join-message");
  m.textContent = message || "";
  m.hidden = !message;
}

$("join-form").addEventListener("submit", function (ev) {
  ev.preventDefault();
  var pseudo = $("pseudonym");
  var checked = document.querySelector("input[name=group]:checked");
  var payload = {};
  if (pseudo && norm(pseudo.value)) payload.pseudonym = norm(pseudo.value);
  if (checked) payload.group = checked.value;
  $("join-error").textContent = "";
  $("join-button").disabled = true;
  link.live.send("join", payload).catch(function () {});
});


// --------------------------------------------------------------- rendering

function refresh() {
  renderUnsent();
  renderPolls(S.joined && !!store.state.me);
  if (!S.joined) {
    var waitingJoin = pendingOf("join").length > 0;
    showJoinIfNeeded(waitingJoin);
    return;
  }
  $("join").hidden = true;
  $("app").hidden = false;
  var r = store.currentRound();
  if (!r || !store.state.me) { // connecting (just joined, or reloaded): say so until the snapshot comes
    if (!S.view) $("phase-title").textContent = t("status_connecting");
    return;
  }
  var key = viewKey(r);
  if (S.view !== key) build(r);
  update(r);
}

function showJoinIfNeeded(waiting) {
  $("join").hidden = false;
  $("app").hidden = true;
  if (waiting) $("join-button").disabled = true;
}

var PHASE_TITLES = { lobby: "phase_lobby", diverge: "diverge_title", define: "define_title", converge: "converge_title", closed: "closed_title" };

/** What the built view depends on: the round, its phase, and (lobby, closed) the recaps shown. */
function viewKey(r) {
  var key = r.id + ":" + r.phase;
  if (r.phase === "lobby" || r.phase === "closed") {
    key += ":" + JSON.stringify(store.rounds().filter(function (x) { return x.phase === "closed"; }).map(function (x) { return x.syntheses; }));
  }
  if (r.phase === "closed") key += ":" + (store.state.workshop.published_at ? "published" : "");
  return key;
}

var lastPhase = null;
function build(r) {
  var phaseChanged = lastPhase !== null && lastPhase !== r.id + ":" + r.phase;
  lastPhase = r.id + ":" + r.phase;
  S.view = viewKey(r);
  S.editing = null; S.confirming = null;
  S.parts = {};
  var app = $("app");
  app.dataset.phase = r.phase;
  app.dataset.round = r.id;
  var allClosed = r.phase === "closed";
  $("round-label").textContent = t("round_of", { n: r.position, total: store.rounds().length }) + " · " + t("phase_" + r.phase);
  var title = $("phase-title");
  title.textContent = r.phase === "lobby" ? helloText() : t(PHASE_TITLES[r.phase]);
  view.textContent = "";
  hideToasts();
  timerEl = h("p", { class: "timer", role: "timer", "aria-live": "off", hidden: true });
  if (!allClosed) view.appendChild(timerEl);
  if (r.phase !== "closed") view.appendChild(questionCard(r));
  ({ lobby: buildLobby, diverge: buildDiverge, define: buildDefine, converge: buildConverge, closed: buildClosed })[r.phase](r);
  setTimer(r.timer);
  if (phaseChanged) announce(title.textContent);
}

function helloText() {
  return store.state.me && store.state.me.pseudonym ? t("hello_name", { name: store.state.me.pseudonym }) : t("hello");
}

var announcer = null;
function announce(text) {
  if (!announcer) { announcer = h("p", { class: "visually-hidden", "aria-live": "assertive" }); document.body.appendChild(announcer); }
  announcer.textContent = text;
}

function questionCard(r) {
  return h("div", { class: "question card" }, h("p", { class: "label" }, t("question")), h("p", { class: "text", dir: "auto" }, r.question));
}

function update(r) {
  if (timerEl) setTimerIfChanged(r.timer);
  if (S.parts.update) S.parts.update(r);
}
var lastTimer = null;
function setTimerIfChanged(timer) {
  var k = JSON.stringify(timer || null);
  if (k === lastTimer) return;
  lastTimer = k;
  setTimer(timer);
}

// ---------------------------------------------------------------- startup
if (S.joined) { $("join").hidden = true; $("app").hidden = false; $("phase-title").textContent = t("status_connecting"); }
else refresh();
