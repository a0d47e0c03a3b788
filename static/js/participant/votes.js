/* votes.js — dot voting on the phone: themes (define), actions (converge) and proposing one. */
import { h, t, plural } from "../lib/dom.js";
import { values } from "../lib/store.js";
import { store, S, link, view, settings, norm, pendingOf, toast, syncList, syncCards } from "./common.js";
import { themeBody, actionBody, themeIdeas } from "./cards.js";
import { reviewOf, reviewBadge } from "./ideas.js";

// ------------------------------------------------------- agreement across groups
const STANCES = ["agree", "neutral", "disagree"];

/** The round's agree/disagree round as this phone knows it (null: none), open only in converge. */
export function agreementOf(r) {
  var a = r && store.state.agreement[r.id];
  return a ? { open: !!a.open && r.phase === "converge", mine: a.mine || {} } : null;
}

/** My stance on an action: the last one waiting in the outbox, else the server's. */
function myStance(actionId, mine) {
  var waiting = pendingOf("agreement.answer").filter(function (i) { return i.payload.action_id === actionId; });
  return waiting.length ? waiting[waiting.length - 1].payload.stance : (mine[String(actionId)] || null);
}

/** Three large buttons "D'accord / Neutre / Pas d'accord" on an action card; el.update(action, agreement) shows them while open. */
function stanceRow() {
  var current = null;
  var buttons = STANCES.map(function (s) {
    var b = h("button", { type: "button", class: "stance stance-" + s, "data-stance": s, "aria-pressed": "false" }, t("stance_" + s));
    b.addEventListener("click", function () {
      if (!current) return;
      link.live.send("agreement.answer", { action_id: current.id, stance: s }).catch(function () {});
      link.refresh && link.refresh();
    });
    return b;
  });
  var legend = h("p", { class: "stance-legend" });
  var el = h("div", { class: "stance-row", role: "group", hidden: true }, legend, h("div", { class: "stance-buttons" }, buttons));
  el.update = function (it, ag) {
    current = it;
    var show = !!(ag && ag.open) && reviewOf(it) === "approved";
    el.hidden = !show;
    if (!show) return;
    var label = t("stance_question", { title: it.title });
    el.setAttribute("aria-label", label);
    legend.textContent = t("stance_legend");
    var mine = myStance(it.id, ag.mine);
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.stance === mine ? "true" : "false"); });
  };
  return el;
}

function pendingVotes(kind) {
  var out = {};
  pendingOf("vote").forEach(function (i) {
    if (i.payload.kind !== kind) return;
    out[i.payload.target_id] = (out[i.payload.target_id] || 0) + (i.payload.delta || 1);
  });
  return out;
}

/** My dots on each item of a vote (server-confirmed + waiting in the outbox), the budget left. */
function voteState(kind, items) {
  var pend = pendingVotes(kind), mine = {}, used = 0, waiting = 0;
  items.forEach(function (it) {
    var n = (S.votes[kind][it.id] || 0) + (pend[it.id] || 0);
    if (n < 0) n = 0;
    mine[it.id] = n;
    used += n;
    waiting += Math.abs(pend[it.id] || 0);
  });
  var budget = (store.state.me && store.state.me.budget) || settings().dot_budget || 0;
  var cap = (store.state.me && store.state.me.cap) || settings().dot_cap || budget;
  return { mine: mine, used: used, remaining: Math.max(0, budget - used), budget: budget, cap: cap, waiting: waiting };
}

function budgetBar() {
  var text = h("p", { class: "budget-text", id: "budget-text" });
  var dots = h("span", { class: "dots", "aria-hidden": "true" });
  var short = h("span", { class: "budget-short", "aria-hidden": "true" }); // the one-line bar of large text: "4 / 5"
  var el = h("div", { class: "budget", "aria-live": "polite", "aria-atomic": "true" }, dots, short, text);
  el.update = function (vs) {
    var s = plural("budget_left", vs.remaining, { remaining: vs.remaining, budget: vs.budget });
    if (vs.waiting) s += " " + t("budget_pending", { n: vs.waiting });
    if (text.textContent !== s) text.textContent = s;
    short.textContent = vs.remaining + " / " + vs.budget;
    if (dots.childNodes.length !== vs.budget || dots.dataset.used !== String(vs.used)) {
      dots.textContent = "";
      dots.dataset.used = vs.used;
      for (var i = 0; i < vs.budget; i++) dots.appendChild(h("span", { class: "dot" + (i < vs.remaining ? " free" : " used") }));
    }
  };
  return el;
}

/** A card with vote controls for a theme or an action; el.update(item, vs, tallies) refreshes it in place. */
function voteCard(kind, item, tag) {
  var titleEl = h(tag || "h3", { class: "item-title", dir: "auto" });
  var body = h("div", { class: "item-body" });
  var tally = h("p", { class: "tally" });
  var count = h("span", { class: "mine-count" });
  var minus = h("button", { type: "button", class: "vote minus", "data-vote": "minus" }, h("span", { "aria-hidden": "true" }, "−"));
  var plus = h("button", { type: "button", class: "vote plus", "data-vote": "plus" }, h("span", { "aria-hidden": "true" }, "+"));
  var pips = h("span", { class: "pips", "aria-hidden": "true" });
  var badgeBox = h("div", { class: "review-box", hidden: true });
  var controls = h("div", { class: "controls" }, minus, h("span", { class: "mine-box" }, count, pips), plus);
  var stances = kind === "action" ? stanceRow() : null;
  var el = h("article", { class: "card vote-card", dataset: { id: item.id, kind: kind } }, titleEl, badgeBox, body, tally, controls, stances);
  var shownReview = "approved";
  var current = item, state = null;
  function press(delta) {
    return function () {
      var btn = delta > 0 ? plus : minus;
      if (btn.getAttribute("aria-disabled") === "true") {
        if (delta > 0) toast(state.remaining <= 0 ? t("no_dots_left", { budget: state.budget }) : plural("cap_reached", state.cap), true);
        return;
      }
      link.live.send("vote", { kind: kind, target_id: current.id, delta: delta }).catch(function () {});
    };
  }
  minus.addEventListener("click", press(-1));
  plus.addEventListener("click", press(1));
  el.update = function (it, vs, tallies) {
    current = it; state = vs;
    if (titleEl.textContent !== it.title) titleEl.textContent = it.title;
    if (kind === "theme") themeBody(body, it); else actionBody(body, it);
    // My own action while the team reviews it (or once not kept): the room does not see it, nobody votes on it.
    var review = reviewOf(it);
    if (review !== shownReview) {
      shownReview = review;
      badgeBox.textContent = "";
      if (review !== "approved") badgeBox.appendChild(reviewBadge(review));
      badgeBox.hidden = review === "approved";
      controls.hidden = review !== "approved";
      el.dataset.review = review;
      el.classList.toggle("under-review", review !== "approved");
    }
    var mine = vs.mine[it.id] || 0;
    var label = t("my_dots", { n: mine });
    if (count.textContent !== label) count.textContent = label;
    if (pips.childNodes.length !== mine) {
      pips.textContent = "";
      for (var i = 0; i < mine; i++) pips.appendChild(h("span", { class: "dot used" }));
    }
    minus.setAttribute("aria-label", t("remove_dot", { title: it.title }));
    plus.setAttribute("aria-label", t("add_dot", { title: it.title }));
    minus.setAttribute("aria-disabled", mine <= 0 ? "true" : "false");
    plus.setAttribute("aria-disabled", mine >= vs.cap || vs.remaining <= 0 ? "true" : "false");
    var row = tallies ? tallies[it.id] : null;
    tally.hidden = !tallies || review !== "approved";
    if (tallies) tally.textContent = plural("dots_total", row ? row.dots : 0);
    el.classList.toggle("has-dots", mine > 0);
    if (stances) stances.update(it, agreementOf(store.state.rounds[it.round_id]));
  };
  return el;
}


// ----------------------------------------------------------------- define
/** The frame of a vote: intro, budget bar, "results hidden" note, what we wait for, then the list. */
function voteFrame(intro, waitingKey, list) {
  var frame = { bar: budgetBar(), note: h("p", { class: "results-note" }, t("results_hidden")),
    waiting: h("p", { class: "card next big" }, t(waitingKey)),
    closed: h("p", { class: "card vote-closed", role: "status" }, t("vote_not_open")) };
  [intro, frame.closed, frame.bar, frame.note, frame.waiting, list].forEach(function (el) { view.appendChild(el); });
  return frame;
}

/** Until the facilitator opens the vote (the round's can.vote_theme / can.vote_action): a clear line, every vote button disabled. */
function showVoteOpening(frame, list, open) {
  frame.closed.hidden = open;
  list.querySelectorAll("button.vote").forEach(function (b) { b.disabled = !open; });
}

export function buildDefine() {
  var list = h("div", { class: "cards", id: "themes" });
  var frame = voteFrame(h("p", { class: "hint" }, t("define_intro", { cap: settings().dot_cap })), "no_themes", list);
  var bar = frame.bar, note = frame.note, waiting = frame.waiting;
  S.parts.update = function (r) {
    var themes = values(r.themes).slice().sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
    var vs = voteState("theme", themes);
    bar.update(vs);
    bar.hidden = themes.length === 0;
    waiting.hidden = themes.length > 0;
    note.hidden = themes.length === 0 || !!r.tallies.theme;
    var cards = syncCards(list, themes, function (it) { return voteCard("theme", it, "h3"); });
    cards.forEach(function (el, i) { el.update(themes[i], vs, r.tallies.theme); });
    showVoteOpening(frame, list, !!r.can.vote_theme);
  };
}

// --------------------------------------------------------------- converge
export function buildConverge() {
  var groups = h("div", { class: "theme-groups", id: "kept-themes" });
  var frame = voteFrame(h("p", { class: "hint" }, t("converge_intro", { cap: settings().dot_cap }), " ",
    h("a", { href: "#propose-form", class: "jump" }, t("propose_title"))), "no_kept_themes", groups);
  var bar = frame.bar, note = frame.note, waiting = frame.waiting;
  var agreeNote = h("p", { class: "card agree-note", role: "status", id: "agree-note", hidden: true }, t("agreement_intro"));
  view.insertBefore(agreeNote, groups);
  var form = proposeForm();
  view.appendChild(form);
  S.parts.update = function (r) {
    var kept = values(r.themes).filter(function (x) { return x.kept; }).sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
    var actions = values(r.actions).filter(function (a) { return a.status !== "abandoned"; }).sort(function (a, b) { return a.id - b.id; });
    var vs = voteState("action", actions);
    var shown = actions.filter(function (a) { return reviewOf(a) === "approved"; }).length; // my actions under review are not voted on
    bar.update(vs);
    bar.hidden = shown === 0;
    waiting.hidden = kept.length > 0;
    note.hidden = shown === 0 || !!r.tallies.action;
    form.hidden = kept.length === 0;
    form.update(kept);
    var pendingProposals = pendingProposalsFor(r);
    var sections = syncCards(groups, kept, function (th) {
      var head = h("h3", { class: "theme-title" });
      var obj = h("p", { class: "objective" });
      var list = h("div", { class: "cards" });
      var pend = h("ul", { class: "pending-list" });
      var none = h("p", { class: "hint" }, t("no_actions"));
      var sec = h("section", { class: "theme-group", dataset: { id: th.id }, "aria-labelledby": "kt-" + th.id }, head, obj, themeIdeas(th.id), none, list, pend);
      head.id = "kt-" + th.id;
      sec.update = function (theme, r, actions, vs, pendingProposals) {
        head.textContent = theme.title;
        obj.hidden = !theme.objective;
        obj.textContent = theme.objective ? t("objective") + " : " + theme.objective : "";
        var mine = actions.filter(function (a) { return a.theme_id === theme.id; });
        var pendingHere = pendingProposals.filter(function (p) { return p.payload.theme_id === theme.id; });
        none.hidden = mine.length > 0 || pendingHere.length > 0;
        var cards = syncCards(list, mine, function (a) { return voteCard("action", a, "h4"); });
        cards.forEach(function (el, i) { el.update(mine[i], vs, r.tallies.action); });
        syncList(pend, pendingHere.map(function (p) { return p; }), function (p) {
          return { key: "op" + p.payload.op_id, sig: p.payload.title, build: function (li) {
            li.className = "card pending";
            li.dataset.pending = "true";
            li.appendChild(h("p", { class: "item-title", dir: "auto" }, p.payload.title));
            li.appendChild(h("p", { class: "badge pending-badge" }, t("pending")));
          } };
        });
      };
      return sec;
    });
    sections.forEach(function (sec, i) { sec.update(kept[i], r, actions, vs, pendingProposals); });
    showVoteOpening(frame, groups, !!r.can.vote_action);
    var ag = agreementOf(r);
    agreeNote.hidden = !(ag && ag.open);
    // While the agree/disagree round is open, the vote's "not open" line would say the opposite of the buttons.
    if (ag && ag.open && !r.can.vote_action) frame.closed.hidden = true;
  };
}

function pendingProposalsFor(r) {
  var claimed = {};
  return pendingOf("action.propose").filter(function (item) {
    var match = values(r.actions).filter(function (a) {
      return !claimed[a.id] && !S.acked.action[a.id] && a.theme_id === item.payload.theme_id && norm(a.title) === norm(item.payload.title) && (S.seen["action:" + a.id] || 0) >= item.at;
    })[0];
    if (match) { claimed[match.id] = true; return false; }
    return true;
  });
}

function proposeForm() {
  var select = h("select", { id: "action-theme", name: "theme_id" });
  var themeField = h("div", { class: "field" }, h("label", { for: "action-theme" }, t("action_theme")), select);
  var title = h("input", { id: "action-title", name: "title", type: "text", dir: "auto", maxlength: "200", autocomplete: "off" });
  var desc = h("textarea", { id: "action-description", name: "description", rows: "3", dir: "auto" });
  var err = h("p", { id: "action-error", class: "error-text", role: "alert" });
  var form = h("form", { class: "card propose", id: "propose-form", novalidate: true, "aria-labelledby": "propose-title", onsubmit: function (ev) {
    ev.preventDefault();
    var tt = norm(title.value);
    if (!tt) { err.textContent = t("empty_action"); title.focus(); return; }
    err.textContent = "";
    var payload = { theme_id: Number(select.value), title: tt };
    if (norm(desc.value)) payload.description = norm(desc.value);
    link.live.send("action.propose", payload).catch(function () {});
    title.value = ""; desc.value = "";
    if (!link.live.socket.connected) toast(t("queued_toast"));
  } },
    h("h3", { id: "propose-title" }, t("propose_title")),
    themeField,
    h("div", { class: "field" }, h("label", { for: "action-title" }, t("action_title")), title),
    h("div", { class: "field" }, h("label", { for: "action-description" }, t("action_description")), desc),
    err,
    h("button", { type: "submit", class: "primary big" }, t("propose")));
  var sig = null;
  form.update = function (kept) {
    var s = JSON.stringify(kept.map(function (k) { return [k.id, k.title]; }));
    if (s === sig) return;
    sig = s;
    var chosen = select.value;
    select.textContent = "";
    kept.forEach(function (k) { select.appendChild(h("option", { value: String(k.id) }, k.title)); });
    if (chosen && kept.some(function (k) { return String(k.id) === chosen; })) select.value = chosen;
    themeField.hidden = kept.length <= 1;
  };
  form.showError = function (payload, error) {
    err.textContent = error.message;
    if (!title.value) { title.value = payload.title || ""; desc.value = payload.description || ""; }
  };
  S.parts.proposeForm = form;
  return form;
}

export function failedAction(payload, error) {
  if (S.parts.proposeForm) S.parts.proposeForm.showError(payload, error);
  toast(error.message, true);
}
