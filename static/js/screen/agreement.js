/* agreement.js — agreement across stakeholder groups on the projector (docs/protocol.md, "Agreement").
 * While the facilitator keeps the agree/disagree round open: the instruction and how many have answered.
 * Once revealed: "Points d'accord" (every group agrees) beside "Points qui divisent" (the groups differ most),
 * each action with its groups' agree shares — groups under five answers are already merged into "autres". */
import { h, t, plural } from "../lib/dom.js";
import { store, fit, bar } from "./common.js";

/** The agreement the projector shows over converge: the current round's (or, between rounds, the last closed one's) while open or revealed. */
export function shownAgreement(round) {
  if (!store.state.loaded || !round) return null;
  var rounds = [round];
  if (round.phase === "lobby" || round.phase === "closed") {
    store.rounds().forEach(function (r) { if (r.position < round.position && r.phase === "closed") rounds.push(r); });
  }
  for (var i = 0; i < rounds.length; i++) {
    var a = store.state.agreement[rounds[i].id];
    if (!a) continue;
    if (a.open && rounds[i].phase === "converge") return { round: rounds[i], state: a };
    if (a.revealed && a.results) return { round: rounds[i], state: a };
  }
  return null;
}

function groupName(g) { return g === "autres" ? t("poll_others") : g; }
function pct(x) { return Math.round(100 * x) + " %"; }

function item(action, row, figure) {
  var groups = Object.keys(row.by_group).map(function (g) {
    var v = row.by_group[g];
    return h("li", { class: "ag-group" },
      h("span", { class: "ag-group-name", dir: "auto" }, groupName(g)),
      bar(v.share, 1),
      h("span", { class: "ag-group-share" }, pct(v.share)));
  });
  return h("li", { class: "ag-item", dataset: { actionId: String(row.action_id) } },
    h("p", { class: "ag-item-head" }, h("span", { class: "ag-item-title", dir: "auto" }, action ? action.title : "—"),
      h("span", { class: "ag-item-figure" }, figure)),
    h("ul", { class: "ag-groups" }, groups));
}

function column(id, title, ids, rows, actions, figure, empty) {
  var list = ids.map(function (id) { return item(actions[id], rows[id], figure(rows[id])); });
  return h("section", { class: "ag-col", id: id, "aria-labelledby": id + "-h" },
    h("h2", { class: "ag-col-title", id: id + "-h" }, title),
    list.length ? h("ol", { class: "ag-list" }, list) : h("p", { class: "ag-empty" }, empty));
}

export function drawAgreement(root, shown) {
  var a = shown.state, r = shown.round;
  var answers = a.answers !== undefined ? a.answers : (a.results ? a.results.answers : 0);
  var section = h("section", { class: "sc-agreement", id: "sc-agreement", dataset: { roundId: String(r.id), open: String(!!a.open) } },
    h("p", { class: "sc-poll-kicker" }, t("agreement_kicker"), " · ", h("span", { id: "sc-agreement-count" }, plural("poll_answers", answers || 0))));
  if (!(a.revealed && a.results)) {
    section.appendChild(h("h1", { class: "sc-poll-question" }, t("agreement_question")));
    section.appendChild(h("p", { class: "sc-poll-status" }, t("agreement_on_phone")));
    section.appendChild(h("p", { class: "sc-poll-big", "aria-hidden": "true" }, plural("poll_answers", answers || 0)));
    root.appendChild(section);
    return null;
  }
  var rows = {};
  a.results.actions.forEach(function (row) { rows[row.action_id] = row; });
  var body = h("div", { class: "ag-columns" },
    column("ag-agreed", t("agreement_agreed"), a.results.agreed, rows, r.actions,
      function (row) { return t("agreement_consensus", { pct: pct(row.consensus) }); }, t("agreement_none_agreed")),
    column("ag-divided", t("agreement_divided"), a.results.divided, rows, r.actions,
      function (row) { return t("agreement_gap", { n: Math.round(100 * row.division) }); }, t("agreement_none_divided")));
  section.appendChild(body);
  section.appendChild(h("p", { class: "ag-note" }, t("agreement_note")));
  root.appendChild(section);
  fit(body, [1, 0.9, 0.8, 0.7]);
  return null;
}
