/* screen.js — the projector screen (/s/<code>, read-only, no controls).
 *
 * One connection as role "screen"; the shared store is rebuilt from the snapshot
 * after every (re)connection and kept current by the broadcasts (docs/protocol.md).
 * What is shown depends on the current round's phase: lobby (big QR code), diverge
 * (wall of ideas + word cloud: screen/wall.js), define (themes), converge (actions,
 * ranked bars once tallies are visible), closed (synthesis: screen/results.js).
 * Nothing ever scrolls: long walls shrink a little, then turn into pages.
 */
import { h, t, plural, page, ready } from "./lib/dom.js";
import { connect } from "./lib/connection.js";
import { statusBadge, ticker, keepAwake, pulse } from "./lib/widgets.js";
import { store, fresh, workshopNow, el, fit, shortUrl, previousClosed } from "./screen/common.js";
import { drawDiverge } from "./screen/wall.js";
import { drawDefine, drawConverge, drawClosed, drawBetween } from "./screen/results.js";
import { shownPoll, drawPoll } from "./screen/polls.js";
import { shownAgreement, drawAgreement } from "./screen/agreement.js";

/* ------------------------------------------------------------ header */

var setTimer = ticker(function (text, left) {
  var box = el("sc-timer");
  if (!box) return;
  if (text === null) { box.hidden = true; return; }
  box.hidden = false;
  box.textContent = "";
  box.appendChild(h("span", { class: "sc-timer-label" }, left === 0 ? t("time_up") : t("timer_label")));
  box.appendChild(h("span", { class: "sc-timer-value" }, text));
  box.classList.toggle("ending", left !== null && left <= 60);
  box.classList.toggle("is-over", left === 0);
  if (left === 0 && timerWasRunning) pulse(box);  // the end is seen, not heard
  timerWasRunning = left !== null && left > 0;
});
var timerKey = null, timerWasRunning = false;

/** A discreet line: whether the phones may vote now (define and converge only). */
function renderVoteState(round) {
  var box = el("sc-vote");
  if (!box) return;
  var shown = !!(round && round.can && round.can.open_vote);
  box.hidden = !shown;
  if (!shown) return;
  box.textContent = round.vote_open ? t("vote_open") : t("vote_not_open");
  box.dataset.open = round.vote_open ? "true" : "false";
}

function renderHeader(round) {
  var phase = round ? round.phase : "lobby";
  var label = t("phase_" + phase);
  if (store.state.loaded && store.rounds().length > 1 && round) {
    label += " · " + t("round_of", { n: round.position, total: store.rounds().length });
  }
  el("sc-phase").textContent = label;
  el("sc-phase").dataset.phase = phase;
  var count = store.state.loaded ? store.state.presence.count || 0 : 0;
  el("sc-people").textContent = store.state.loaded ? plural("participants", count) : "";
  renderVoteState(round);
  var timer = round && round.phase !== "closed" && round.phase !== "lobby" ? round.timer : null;
  var key = timer ? String(timer.ends_at) + "|" + String(timer.remaining) : "none";
  if (key !== timerKey) {
    timerKey = key;
    setTimer(timer);
  }
}

/* ------------------------------------------------------------ views */

var view = { key: null, teardown: null };

function render() {
  rafPending = false;
  var round = store.currentRound();
  var root = el("sc-view");
  var workshop = workshopNow();
  var kind;
  if (!store.state.loaded || workshop.show_qr) kind = "join";
  else if (!round || round.phase === "lobby") kind = previousClosed(round) ? "between" : "join";
  else kind = round.phase;
  var agreement = workshop.show_qr ? null : shownAgreement(round);  // the agree/disagree round shows over converge
  if (agreement) kind = "agreement";
  var poll = workshop.show_qr ? null : shownPoll();  // a quick poll shows over whatever phase
  if (poll) kind = "poll";
  renderHeader(kind === "between" ? previousClosed(round) : round);
  if (view.teardown) { view.teardown(); view.teardown = null; }
  root.dataset.view = kind;
  document.body.dataset.view = kind;
  root.textContent = "";
  var draw = { join: drawJoin, diverge: drawDiverge, define: drawDefine, converge: drawConverge, closed: drawClosed, between: drawBetween, poll: drawPoll, agreement: drawAgreement }[kind];
  view.teardown = draw(root, kind === "poll" ? poll : kind === "agreement" ? agreement : round, workshop) || null;
  view.key = kind;
}

var rafPending = false;
function schedule() {
  if (rafPending) return;
  rafPending = true;
  window.requestAnimationFrame(render);
}

/* --- join: the big QR code (lobby, or on demand) */
function drawJoin(root, round, workshop) {
  var count = store.state.loaded ? store.state.presence.count || 0 : 0;
  var code = workshop.code || page.code;
  var img = h("img", { class: "join-qr", id: "sc-qr", src: page.qr_url, alt: t("qr_alt") });
  root.appendChild(h("section", { class: "join" },
    h("div", { class: "join-qr-box" }, img),
    h("div", { class: "join-info" },
      h("p", { class: "join-kicker" }, t("join_kicker")),
      h("h1", { class: "join-title" }, workshop.title || ""),
      round && round.question ? h("p", { class: "join-question" }, round.question) : null,
      h("p", { class: "join-how" }, t("join_how")),
      h("p", { class: "join-url", id: "sc-url" }, shortUrl(page.join_url)),
      h("p", { class: "join-code-label" }, t("join_code")),
      h("p", { class: "join-code", id: "sc-code" }, code),
      h("p", { class: "join-count", id: "sc-joined" }, store.state.loaded ? (count ? plural("joined", count) : t("joined_none")) : "")
    )
  ));
  var info = root.querySelector(".join-info");
  fit(info, [1, 0.92, 0.84, 0.76, 0.68, 0.6]);
}

/* ------------------------------------------------------------ start */

store.subscribe(function (event, data, before) {
  if (event === "idea" && !before) {
    var r = store.state.rounds[data.round_id];
    if (r && r.ideas[data.id]) fresh[data.id] = true;
  }
  schedule();
});

ready(function () {
  var status = statusBadge(el("sc-status"));
  status("connecting");
  render();
  connect({
    auth: function () { return { code: page.code, role: "screen", lang: page.lang }; },
    outboxKey: null,
    onConnect: store.hold, // broadcasts wait for the snapshot, then are replayed on top of it
    onSnapshot: store.snapshot,
    onStatus: status,
    onRefused: function (err) {
      status("offline");
      el("sc-status").textContent = t("refused") + (err && err.message ? " " + err.message : "");
    },
    events: store.handlers()
  });
  window.addEventListener("resize", schedule);
  keepAwake();
});
