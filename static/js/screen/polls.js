/* polls.js — a quick poll on the projector: the question while it is open (how many have answered), then,
 * once the facilitator reveals them, the results as large bars with the stakeholder groups, or a word cloud. */
import { h, t, plural } from "../lib/dom.js";
import { pollList, pollChart, optionLabel } from "../lib/polls.js";
import { store, fit } from "./common.js";
import { drawCloud } from "./wall.js";

/** The poll the projector shows over the phase: the latest one open or revealed (null: the phase's view). */
export function shownPoll() {
  if (!store.state.loaded) return null;
  var shown = pollList(store).filter(function (p) { return p.state === "open" || (p.revealed && p.results); });
  return shown.length ? shown[shown.length - 1] : null;
}

export function drawPoll(root, poll) {
  var answers = poll.answers !== undefined ? poll.answers : (poll.results ? poll.results.answers : 0);
  var status = poll.state === "open" ? t("poll_answer_on_phone") : t("poll_closed");
  var section = h("section", { class: "sc-poll", id: "sc-poll", dataset: { pollId: String(poll.id), state: poll.state } },
    h("p", { class: "sc-poll-kicker" }, t("poll_kicker"), " · ", h("span", { class: "sc-poll-count", id: "sc-poll-count" }, plural("poll_answers", answers || 0))),
    h("h1", { class: "sc-poll-question", dir: "auto" }, poll.question));
  if (poll.results && poll.revealed) {
    var box = h("div", { class: "sc-poll-results" });
    if (poll.kind === "word") {
      var cloud = h("ul", { class: "cloud sc-poll-cloud", id: "sc-poll-cloud", "aria-label": t("poll_words") });
      box.appendChild(h("div", { class: "cloud-frame" }, cloud));
      section.appendChild(box);
      root.appendChild(section);
      drawCloud(cloud, (poll.results.words || []).map(function (w) { return { word: w.text, weight: w.count }; }));
      return null;
    }
    box.appendChild(pollChart(poll, { groups: true }));
    section.appendChild(box);
    root.appendChild(section);
    fit(box, [1, 0.9, 0.8, 0.7]);
    return null;
  }
  // While it is open: the choices in large type (the room reads them while answering) and how many have answered.
  if (poll.kind !== "word") {
    section.appendChild(h("ol", { class: "sc-poll-options" + (poll.kind === "scale" ? " is-scale" : "") },
      poll.options.map(function (o) { return h("li", { dir: "auto" }, optionLabel(poll, o)); })));
  }
  section.appendChild(h("p", { class: "sc-poll-status" }, status));
  if (poll.state === "open") section.appendChild(h("p", { class: "sc-poll-big", "aria-hidden": "true" }, plural("poll_answers", answers || 0)));
  if (poll.state !== "open") section.appendChild(h("p", { class: "results-hidden" }, t("results_hidden")));
  root.appendChild(section);
  return null;
}
