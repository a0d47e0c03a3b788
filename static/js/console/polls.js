/* polls.js — the console's quick polls: launch one now (or prepare it), open, close, reveal, and watch the answers.
 *
 * Polls run alongside whatever phase the round is in. The plan's polls arrive as drafts; the form makes new
 * ones. Results are live here (coalesced `poll.results`), and reach the projector and the phones only once
 * revealed. Every button is one protocol event (docs/protocol.md: poll.create, poll.state, poll.reveal).
 */
import { h, t, plural, $, replace } from "../lib/dom.js";
import { pollList, pollChart } from "../lib/polls.js";
import { store, send, ignore, notify, lines, disclosure } from "./state.js";

function stateText(p) {
  if (p.state === "draft") return t("poll_state_draft");
  const base = p.state === "open" ? t("poll_state_open") : t("poll_state_closed");
  return base + " · " + (p.revealed ? t("poll_state_revealed") : t("poll_state_hidden"));
}

function pollItem(p) {
  const buttons = [];
  const act = (event, payload) => () => send(event, Object.assign({ poll_id: p.id }, payload)).catch(ignore);
  if (p.state !== "open") buttons.push(h("button", { type: "button", class: "small primary", onclick: act("poll.state", { state: "open" }) }, p.state === "draft" ? t("poll_open") : t("poll_reopen")));
  else buttons.push(h("button", { type: "button", class: "small", onclick: act("poll.state", { state: "closed" }) }, t("poll_close")));
  if (p.state !== "draft") {
    buttons.push(h("button", { type: "button", class: "small", onclick: act("poll.reveal", { revealed: !p.revealed }) }, p.revealed ? t("poll_hide") : t("poll_reveal")));
  }
  const count = p.results ? p.results.answers : (p.answers || 0);
  return h("li", { class: "poll-item", dataset: { pollId: String(p.id), state: p.state } },
    h("p", { class: "poll-item-head" }, h("span", { class: "poll-item-kind" }, t("poll_kind_" + p.kind)), " · ", h("span", { class: "poll-item-state" }, stateText(p)),
      p.section === "evaluation" ? h("span", { class: "poll-item-kind" }, " · " + t("poll_evaluation")) : null),
    h("p", { class: "poll-item-question", dir: "auto" }, p.question),
    h("p", { class: "poll-item-count" }, plural("poll_answers", count)),
    p.results && p.results.answers ? (p.state === "open" || p.revealed ? pollChart(p, { groups: true })
      : disclosure("poll-results-" + p.id, t("poll_see_results"), pollChart(p, { groups: true }), "disclosure poll-disclosure")) : null,
    h("div", { class: "poll-item-buttons" }, buttons));
}

/** A prepared poll on one line: its question and "Open". */
function draftRow(p) {
  return h("li", { class: "poll-draft", dataset: { pollId: String(p.id), state: p.state } },
    h("span", { class: "poll-draft-q", dir: "auto" }, p.question, " ", h("span", { class: "poll-item-kind" }, "(" + t("poll_kind_" + p.kind) + ")")),
    h("button", { type: "button", class: "small", onclick: () => send("poll.state", { poll_id: p.id, state: "open" }).catch(ignore) }, t("poll_open")));
}

/** Open the whole evaluation: the phones ask its questions one after the other. */
function openAll(polls) {
  polls.forEach((p) => send("poll.state", { poll_id: p.id, state: "open" }).catch(ignore));
}

export function renderPolls() {
  const list = $("poll-list");
  if (!list) return;
  const polls = pollList(store);
  const drafts = polls.filter((p) => p.state === "draft" && p.section !== "evaluation");
  const evaluation = polls.filter((p) => p.state === "draft" && p.section === "evaluation");
  const shown = polls.filter((p) => p.state !== "draft");
  const items = shown.map(pollItem);
  if (drafts.length) {
    items.push(h("li", { class: "poll-group" }, disclosure("polls-drafts", t("poll_prepared_n", { n: drafts.length }),
      h("ul", { class: "poll-drafts" }, drafts.map(draftRow)), "disclosure poll-disclosure")));
  }
  if (evaluation.length) {
    items.push(h("li", { class: "poll-group" }, disclosure("polls-evaluation", t("poll_evaluation_n", { n: evaluation.length }),
      h("div", null,
        h("button", { type: "button", class: "small primary", onclick: () => openAll(evaluation) }, t("poll_evaluation_open")),
        h("ul", { class: "poll-drafts" }, evaluation.map(draftRow))), "disclosure poll-disclosure")));
  }
  replace(list, items.length ? items : [h("li", { class: "hint" }, t("poll_none"))]);
  const open = polls.filter((p) => p.state === "open").length, badge = $("polls-tab-count");
  badge.hidden = !open;
  badge.textContent = open ? " · " + plural("poll_tab_open", open) : "";
}

export function setupPolls() {
  const form = $("poll-form");
  if (!form) return;
  const kind = $("poll-kind"), options = $("poll-options-box"), max = $("poll-max-box");
  function follow() {
    options.hidden = !(kind.value === "single" || kind.value === "multiple");
    max.hidden = kind.value !== "multiple";
  }
  kind.addEventListener("change", follow);
  follow();
  function submit(open) {
    const payload = { kind: kind.value, question: $("poll-question").value, open: open };
    if (!options.hidden) payload.options = lines($("poll-options").value);
    if (!max.hidden && $("poll-max").value) payload.max_choices = Number($("poll-max").value);
    send("poll.create", payload).then((data) => {
      $("poll-question").value = "";
      $("poll-options").value = "";
      notify(open ? t("poll_launched") : t("poll_prepared"), "ok");
    }).catch(ignore);
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); submit(true); });
  $("poll-prepare").addEventListener("click", () => { if (form.reportValidity()) submit(false); });
}
