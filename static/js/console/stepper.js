/* stepper.js — the console's header (presence, QR toggle), the rounds list, and the phase controls:
 * stepper, advance / reopen, opening the vote, timer (the plan's duration, +1 / +5 min), reveal of the results. */
import { h, t, plural, $, replace } from "../lib/dom.js";
import { ticker, pulse } from "../lib/widgets.js";
import { store, ui, invalidate, viewedRound, phaseName, groupName, send, ignore, notify } from "./state.js";
import { advance, reopen } from "./preview.js";

const PRESETS = [3, 5, 10, 15];
const EXTENSIONS = [1, 5];  // minutes added to a running countdown (the server computes the new end)

export function renderHeader() {
  const p = store.state.presence || { count: 0, by_group: {} };
  $("presence-count").textContent = plural("presence", p.count || 0);
  replace($("presence-groups"), Object.keys(p.by_group || {}).map((g) =>
    h("li", null, h("span", { class: "pg-name" }, groupName(g)), " ", h("strong", null, String(p.by_group[g])))));
  const qr = $("qr-toggle");
  const shown = !!store.state.workshop.show_qr;
  qr.textContent = shown ? t("qr_hide") : t("qr_show");
  qr.classList.toggle("is-on", shown);
}

export function renderRounds() {
  const current = store.currentRound(), viewed = viewedRound();
  replace($("round-list"), store.rounds().map((r) => {
    const isCurrent = current && r.id === current.id;
    const isViewed = viewed && r.id === viewed.id;
    return h("li", null, h("button", {
      type: "button",
      class: "round-chip phase-" + r.phase + (isViewed ? " is-viewed" : ""),
      "aria-pressed": isViewed ? "true" : "false",
      "data-key": "round-" + r.id,
      onclick: () => { ui.pinned = isCurrent ? null : r.id; ui.merging = null; invalidate("rounds", "control", "work"); }
    },
      h("span", { class: "chip-top" },
        h("span", { class: "chip-n" }, t("round_n", { n: r.position })),
        h("span", { class: "chip-phase" }, phaseName(r.phase)),
        isCurrent ? h("span", { class: "chip-current" }, t("round_current")) : null),
      h("span", { class: "chip-q" }, r.question)));
  }));
}

let countdownWasRunning = false;
const setCountdown = ticker((text, left) => {
  const el = $("countdown");
  el.textContent = text === null ? t("timer_none") : (left === 0 ? t("timer_over") : text);
  el.classList.toggle("is-running", text !== null && left > 0);
  el.classList.toggle("is-over", left === 0);
  // The end is seen, not heard: one short pulse when a running countdown reaches zero.
  if (left === 0 && countdownWasRunning) pulse(el);
  countdownWasRunning = text !== null && left > 0;
});

/** The vote of define / converge: closed until the facilitator opens it (the server refuses votes before). */
function renderVoteTool(r, isCurrent) {
  const tool = $("vote-tool");
  tool.hidden = !r.can.open_vote;
  if (tool.hidden) return;
  const state = $("vote-state");
  state.textContent = r.vote_open ? t("vote_state_open") : t("vote_state_closed");
  state.className = "reveal-state vote-state " + (r.vote_open ? "is-on" : "is-off");
  const btn = $("vote-btn");
  btn.textContent = r.vote_open ? t("vote_close") : t("vote_open");
  btn.className = r.vote_open ? "" : "primary";
  btn.disabled = !isCurrent;
}

/** The timer's buttons that depend on the round: the plan's duration for this phase, "+1 min" / "+5 min" while one is set. */
function renderTimerExtras(r) {
  const planned = r.timer && r.timer.planned;
  const plannedBtn = $("timer-planned");
  plannedBtn.hidden = !planned;
  if (planned) {
    plannedBtn.textContent = t("timer_planned", { n: Math.round(planned / 60) });
    plannedBtn.dataset.seconds = String(planned);
  }
  $("timer-extend").hidden = !(r.timer && r.timer.ends_at);
}

export function renderControl() {
  const r = viewedRound(), current = store.currentRound();
  if (!r) return;
  const isCurrent = current && r.id === current.id;
  const phases = store.state.rules.phases;
  $("round-kicker").textContent = t("round_n", { n: r.position }) + " · " + phaseName(r.phase);
  $("round-heading").textContent = r.question;
  const idx = phases.indexOf(r.phase);
  replace($("stepper"), phases.map((p, i) => {
    const state = i < idx ? "done" : i === idx ? "now" : "todo";
    return h("li", { class: "step step-" + state, "aria-current": state === "now" ? "step" : null },
      h("span", { class: "step-mark", "aria-hidden": "true" }, state === "done" ? "✓" : String(i + 1)),
      h("span", { class: "step-name" }, phaseName(p)),
      state === "done" ? h("span", { class: "visually-hidden" }, " (" + t("phase_done") + ")") : null,
      state === "now" ? h("span", { class: "visually-hidden" }, " (" + t("phase_now") + ")") : null);
  }));
  $("phase-hint").textContent = t("hint_" + r.phase);
  const other = $("other-round");
  if (!isCurrent && current) {
    replace(other, [document.createTextNode(t("round_viewing_other", { n: r.position, current: current.position }) + " "),
      h("button", { type: "button", class: "small linkish", onclick: () => { ui.pinned = null; invalidate("rounds", "control", "work"); } }, t("back_to_current"))]);
    other.hidden = false;
  } else {
    other.hidden = true;
  }
  const closed = r.phase === "closed";
  const adv = $("advance-btn");
  adv.hidden = closed;
  adv.textContent = closed ? "" : t("advance_" + r.phase);
  adv.disabled = !isCurrent;
  const reopenBtn = $("reopen-btn");
  reopenBtn.hidden = !r.can.reopen_phase;
  reopenBtn.disabled = !isCurrent;
  renderVoteTool(r, isCurrent);

  // Timer: only for a round that is not closed.
  $("timer-tool").hidden = closed;
  $("control-tools").hidden = closed;
  if (ui.timerRef !== r.timer) {
    ui.timerRef = r.timer;
    setCountdown(r.timer);
  }
  $("timer-stop").disabled = !(r.timer && r.timer.remaining);
  renderTimerExtras(r);

  // Results: reveal control while a vote is open.
  const vote = store.voteOf(r.phase);
  const tool = $("reveal-tool");
  tool.hidden = !vote;
  if (vote) {
    const liveTallies = store.settings().tallies !== "reveal";
    const seen = !!(r.tallies_visible && r.tallies_visible[vote]);
    $("reveal-state").textContent = liveTallies ? t("reveal_live") : (r.tallies_revealed ? t("reveal_on") : t("reveal_off"));
    $("reveal-state").className = "reveal-state " + (seen ? "is-on" : "is-off");
    const btn = $("reveal-btn");
    btn.hidden = liveTallies;
    btn.textContent = r.tallies_revealed ? t("reveal_hide") : t("reveal_show");
  }
}

function setTimer(seconds) {
  send("timer.set", { round_id: viewedRound().id, seconds: seconds }).catch(ignore);
}

function extendTimer(minutes) {
  send("timer.set", { round_id: viewedRound().id, add_seconds: minutes * 60 }).catch(ignore);
}

export function setupControls() {
  replace($("timer-presets"), PRESETS.map((n) =>
    h("button", { type: "button", class: "small", "data-minutes": String(n), onclick: () => setTimer(n * 60) }, t("timer_preset", { n: n }))));
  $("timer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("timer-minutes");
    const n = Number(input.value);
    if (!(n >= 1 && n <= 240)) { notify(t("timer_invalid")); input.focus(); return; }
    setTimer(Math.round(n * 60));
    input.value = "";
  });
  $("timer-stop").addEventListener("click", () => setTimer(0));
  $("timer-planned").addEventListener("click", (e) => setTimer(Number(e.currentTarget.dataset.seconds)));
  replace($("timer-extend"), EXTENSIONS.map((n) =>
    h("button", { type: "button", class: "small", "data-add-minutes": String(n), onclick: () => extendTimer(n) }, t("timer_add", { n: n }))));
  $("vote-btn").addEventListener("click", () => {
    const r = viewedRound();
    send("vote.open", { round_id: r.id, open: !r.vote_open }).catch(ignore);
  });
  $("reveal-btn").addEventListener("click", () => {
    const r = viewedRound();
    send("tallies.reveal", { round_id: r.id, revealed: !r.tallies_revealed }).catch(ignore);
  });
  $("advance-btn").addEventListener("click", () => advance(viewedRound()));
  $("reopen-btn").addEventListener("click", () => reopen(viewedRound()));
  $("qr-toggle").addEventListener("click", () => {
    send("screen.qr", { visible: !store.state.workshop.show_qr }).catch(ignore);
  });
  $("round-add-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("round-question");
    if (!q.value.trim()) { q.focus(); return; }
    send("round.add", { question: q.value.trim() }).then(() => {
      q.value = "";
      $("add-round").open = false;
      notify(t("round_added"), "ok");
    }).catch(ignore);
  });
}
