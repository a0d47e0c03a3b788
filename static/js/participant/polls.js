/* polls.js — quick polls on the phone: a panel over the current phase while a poll is open and unanswered.
 *
 * One tap answers (single choice, the 1–5 scale, agree / neutral / disagree); multiple choice and the
 * one-word answer have a "Send" button. The panel goes away once answered; "Change my answer" opens it
 * again while the poll is open. Results appear here once the facilitator reveals them. Answers go through
 * the outbox (exactly once by op_id; a new answer replaces the previous one on the server).
 */
import { h, t, $ } from "../lib/dom.js";
import { pollList, pollChart, optionLabel } from "../lib/polls.js";
import { store, link, toast } from "./common.js";

const P = { dismissed: {}, editing: null, picked: {}, panelKey: null, stripKey: null, previous: {} };

function openPolls() { return pollList(store).filter((p) => p.state === "open"); }

/** The poll the panel asks now: one being changed, else the first open one not answered nor put off. */
function asking() {
  const open = openPolls();
  if (P.editing && open.some((p) => p.id === P.editing)) return open.filter((p) => p.id === P.editing)[0];
  P.editing = null;
  return open.filter((p) => !p.mine && !P.dismissed[p.id])[0] || null;
}

function send(poll, payload) {
  P.previous[poll.id] = poll.mine || null;
  poll.mine = { choices: payload.choices || [], text: payload.text || null, pending: true };
  P.editing = null;
  P.picked[poll.id] = null;
  link.live.send("poll.answer", Object.assign({ poll_id: poll.id }, payload)).catch(() => {});
  link.refresh();
  const strip = $("poll-strip");
  const again = strip && strip.querySelector("[data-poll-id='" + poll.id + "']");
  if (again) again.focus();
}

/** The outbox's answer to a poll.answer (participant.js hands it here). */
export function pollDelivered(payload, ok, data, error) {
  const poll = store.state.polls[payload.poll_id];
  if (!poll) return;
  if (ok) { poll.mine = data.mine; toast(t("poll_sent")); }
  else { poll.mine = P.previous[payload.poll_id] || null; toast(error.message, true); }
}

function choiceButtons(poll) {
  const multiple = poll.kind === "multiple";
  const picked = P.picked[poll.id] || (poll.mine ? poll.mine.choices.slice() : []);
  const list = h("ul", { class: "poll-choices" + (poll.kind === "scale" ? " poll-scale" : "") });
  poll.options.forEach((o) => {
    const on = picked.indexOf(o.value) >= 0;
    const button = h("button", { type: "button", class: "poll-choice", "aria-pressed": on ? "true" : "false", dataset: { value: o.value } },
      optionLabel(poll, o));
    button.addEventListener("click", () => {
      if (!multiple) { send(poll, { choices: [o.value] }); return; }
      const now = (P.picked[poll.id] || picked).slice();
      const at = now.indexOf(o.value);
      if (at >= 0) now.splice(at, 1);
      else if (now.length < (poll.max_choices || poll.options.length)) now.push(o.value);
      else { toast(t("poll_max", { n: poll.max_choices }), true); return; }
      P.picked[poll.id] = now;
      P.panelKey = null;
      link.refresh();
      const again = document.querySelector(".poll-choice[data-value='" + o.value + "']");
      if (again) again.focus();
    });
    list.appendChild(h("li", null, button));
  });
  const parts = [list];
  if (poll.kind === "scale") parts.push(h("p", { class: "poll-scale-ends", "aria-hidden": "true" }, h("span", null, t("poll_scale_low")), h("span", null, t("poll_scale_high"))));
  if (multiple) {
    parts.unshift(h("p", { class: "hint" }, t("poll_pick", { n: poll.max_choices || poll.options.length })));
    parts.push(h("button", { type: "button", class: "primary big poll-send", disabled: !(P.picked[poll.id] || picked).length,
      onclick: () => send(poll, { choices: (P.picked[poll.id] || picked).slice() }) }, t("send")));
  }
  return parts;
}

function wordForm(poll) {
  const input = h("input", { type: "text", id: "poll-word", maxlength: "30", autocomplete: "off", autocapitalize: "off",
    value: poll.mine && poll.mine.text ? poll.mine.text : "" });
  const form = h("form", { class: "poll-word", novalidate: true },
    h("label", { for: "poll-word" }, t("poll_one_word")), input,
    h("button", { type: "submit", class: "primary big poll-send" }, t("send")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const word = input.value.trim();
    if (!word) { toast(t("poll_one_word"), true); return; }
    if (/\s/.test(word)) { toast(t("poll_not_one_word"), true); return; }
    send(poll, { text: word });
  });
  return [form];
}

function renderPanel() {
  let panel = $("poll-panel");
  const poll = asking();
  const key = poll ? JSON.stringify([poll.id, poll.state, poll.mine, P.picked[poll.id] || null, P.editing]) : null;
  if (key === P.panelKey && (panel || !poll)) return;
  P.panelKey = key;
  if (!poll) { if (panel) panel.remove(); document.body.classList.remove("poll-on"); return; }
  const fresh = !panel || panel.dataset.pollId !== String(poll.id);
  if (!panel) {
    panel = h("div", { id: "poll-panel", class: "poll-panel" });
    document.body.appendChild(panel);
  }
  panel.dataset.pollId = String(poll.id);
  panel.textContent = "";
  const title = h("h2", { id: "poll-title", tabindex: "-1", dir: "auto" }, poll.question);
  const body = poll.kind === "word" ? wordForm(poll) : choiceButtons(poll);
  panel.appendChild(h("section", { class: "poll-sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "poll-title" },
    h("p", { class: "poll-kicker" }, t("poll_kicker")), title, body,
    h("div", { class: "poll-actions" }, h("button", { type: "button", class: "poll-later", onclick: () => {
      P.dismissed[poll.id] = true; P.editing = null; P.picked[poll.id] = null; link.refresh();
      const strip = $("poll-strip"), again = strip && strip.querySelector("button");
      if (again) again.focus();
    } }, poll.mine ? t("cancel") : t("poll_later")))));
  document.body.classList.add("poll-on");
  if (fresh) title.focus();
}

function renderStrip() {
  const app = $("app");
  if (!app) return;
  let strip = $("poll-strip");
  if (!strip) {
    strip = h("div", { id: "poll-strip", class: "poll-strip" });
    app.insertBefore(strip, $("view"));
  }
  const polls = pollList(store).filter((p) => p.state === "open" || (p.revealed && p.results));
  const key = JSON.stringify(polls.map((p) => [p.id, p.state, p.mine, p.revealed, p.results]));
  if (key === P.stripKey) return;
  P.stripKey = key;
  strip.textContent = "";
  polls.forEach((p) => {
    if (p.state === "open") {
      const mine = p.mine ? (p.kind === "word" ? p.mine.text : p.mine.choices.map((v) => optionLabel(p, p.options.filter((o) => o.value === v)[0] || { value: v, label: v })).join(", ")) : null;
      strip.appendChild(h("button", { type: "button", class: "poll-reopen", dataset: { pollId: String(p.id) },
        onclick: () => { P.editing = p.id; P.dismissed[p.id] = false; link.refresh(); } },
        h("span", { class: "block" }, t("poll_kicker") + " : ", h("span", { dir: "auto" }, p.question)),
        h("span", { class: "block poll-mine" }, mine ? t("poll_your_answer", { answer: mine }) + " · " + t("poll_change") : t("poll_answer_now"))));
    }
    if (p.revealed && p.results) {
      strip.appendChild(h("section", { class: "card poll-result-card", "aria-label": t("poll_results") },
        h("p", { class: "poll-kicker" }, t("poll_results")), h("h3", { dir: "auto" }, p.question), pollChart(p, { groups: false })));
    }
  });
}

/** Draw the polls (called with every refresh of the page, once joined). */
export function renderPolls(joined) {
  if (!joined || !store.state.loaded) {
    const panel = $("poll-panel");
    if (panel) panel.remove();
    P.panelKey = null;
    return;
  }
  renderStrip();
  renderPanel();
}
