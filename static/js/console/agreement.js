/* agreement.js — the console's agree/disagree round in converge (docs/protocol.md, "Agreement"):
 * open / close it, reveal it to the room, and the per-group table of every action (figures always, live,
 * coalesced by the server). Groups under five answers are already merged into "autres" by the server. */
import { h, t, plural } from "../lib/dom.js";
import { store, may, send, ignore, groupName } from "./state.js";

function pct(x) { return Math.round(100 * x) + " %"; }

function groupsOf(res) {
  var seen = {};
  res.actions.forEach(function (a) { Object.keys(a.by_group).forEach(function (g) { seen[g] = true; }); });
  return Object.keys(seen).sort(function (a, b) { return (a === "autres") - (b === "autres") || a.localeCompare(b); });
}

function table(r, res) {
  var groups = groupsOf(res);
  var agreed = {}, divided = {};
  res.agreed.forEach(function (id) { agreed[id] = true; });
  res.divided.forEach(function (id) { divided[id] = true; });
  var head = h("tr", null, h("th", { scope: "col" }, t("agreement_action")),
    groups.map(function (g) { return h("th", { scope: "col", class: "num" }, g === "autres" ? t("agreement_others") : groupName(g)); }),
    h("th", { scope: "col", class: "num" }, t("agreement_consensus_col")), h("th", { scope: "col", class: "num" }, t("agreement_gap_col")));
  var rows = res.actions.map(function (row) {
    var a = r.actions[row.action_id];
    var mark = agreed[row.action_id] ? h("span", { class: "badge kept" }, t("agreement_agreed_one")) :
      divided[row.action_id] ? h("span", { class: "badge divided" }, t("agreement_divided_one")) : null;
    return h("tr", { dataset: { actionId: String(row.action_id) } },
      h("th", { scope: "row" }, a ? a.title : "—", " ", mark),
      groups.map(function (g) {
        var v = row.by_group[g];
        return h("td", { class: "num" }, v ? pct(v.share) + " (" + v.stances + ")" : "—");
      }),
      h("td", { class: "num" }, row.stances ? pct(row.consensus) : "—"),
      h("td", { class: "num" }, pct(row.division)));
  });
  return h("div", { class: "table-scroll" }, h("table", { class: "agreement-table" }, h("thead", null, head), h("tbody", null, rows)));
}

/** The panel at the top of converge: the round's state, its buttons (facilitator only) and its figures. */
export function agreementPanel(r) {
  var a = store.state.agreement[r.id] || null;
  var open = !!(a && a.open), revealed = !!(a && a.revealed);
  var controls = null;
  if (may("agreement.open")) {
    controls = h("div", { class: "agreement-controls" },
      r.phase === "converge" ? h("button", { type: "button", id: "agreement-open", class: open ? "" : "primary",
        onclick: function () { send("agreement.open", { round_id: r.id, open: !open }).then(apply).catch(ignore); } },
        open ? t("agreement_close") : t("agreement_open")) : null,
      a ? h("button", { type: "button", id: "agreement-reveal",
        onclick: function () { send("agreement.reveal", { round_id: r.id, revealed: !revealed }).then(apply).catch(ignore); } },
        revealed ? t("agreement_hide") : t("agreement_reveal")) : null);
  }
  var state = !a ? t("agreement_state_none") : open ? t("agreement_state_open") : t("agreement_state_closed");
  var res = a && a.results;
  return h("section", { class: "agreement-panel card", id: "agreement-panel", "aria-labelledby": "agreement-heading" },
    h("h3", { id: "agreement-heading" }, t("agreement_title")),
    h("p", { class: "hint" }, t("agreement_hint")),
    h("p", { class: "reveal-state " + (open ? "is-on" : "is-off"), id: "agreement-state" }, state,
      a ? " · " + plural("agreement_answers", (res && res.answers) || 0) : "",
      a ? " · " + (revealed ? t("agreement_shown") : t("agreement_hidden")) : ""),
    controls,
    res && res.actions.length ? table(r, res) : null);
}

function apply(data) { if (data && data.agreement) store.apply("agreement", data.agreement); }
