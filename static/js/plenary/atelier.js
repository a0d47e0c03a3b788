/* atelier.js — one column of the plenary screen: one atelier's connection (as role "screen"), its own
 * store, and what the column shows (phase, kept themes, the prioritised actions with their dots). */
import { h, t, plural, page } from "../lib/dom.js";
import { connect } from "../lib/connection.js";
import { createStore, values, ranked } from "../lib/store.js";

const TOP_ACTIONS = 5;

export function dotsText(n) { return n ? plural("dots", n) : t("dots_none"); }

export class Atelier {
  /** changed(): something to redraw (the plenary draws all columns in one frame). */
  constructor(facts, index, changed) {
    this.code = facts.code;
    this.facts = facts;
    this.index = index;
    this.section = document.getElementById("pl-w-" + facts.code);
    this.store = createStore();
    this.status = "connecting";
    this.refused = null;
    this.live = null;
    this.changed = changed;
    this.store.subscribe(() => changed());
  }

  connect() {
    const store = this.store;
    this.live = connect({
      auth: () => ({ code: this.code, role: "screen", lang: page.lang }),
      outboxKey: null,
      onConnect: store.hold,
      onSnapshot: store.snapshot,
      onStatus: (s) => {
        this.status = s;
        this.refused = null;
        this.changed();
      },
      onRefused: () => {
        this.status = "offline";
        this.refused = t("refused");
        this.changed();
      },
      events: store.handlers()
    });
  }
}

/* ------------------------------------------------------------ what a column shows */

/** The round the header speaks of: the last one that has started, else the first. */
Atelier.prototype.headerRound = function () {
  var rounds = this.store.rounds(), chosen = null;
  rounds.forEach(function (r) { if (r.phase !== "lobby") chosen = r; });
  return chosen || rounds[0] || null;
};

function themeOrder(round) {
  var define = round.syntheses.define, rank = {};
  if (define && define.themes) define.themes.forEach(function (th) { rank[th.id] = th.rank; });
  var list = [];
  values(round.themes).forEach(function (th) { list.push(th); });
  list.sort(function (a, b) {
    var ra = rank[a.id] || 1e6, rb = rank[b.id] || 1e6;
    return ra - rb || (a.position || 0) - (b.position || 0) || a.id - b.id;
  });
  return list;
}

/** Actions of a round with their dots, best first: the live tally in the server's ranking (while the room
 *  may see it: the store drops hidden ones), else the frozen synthesis in its order, else oldest first. */
Atelier.prototype.actionsOf = function (round) {
  var list = values(round.actions).filter(function (a) { return a.status !== "abandoned"; }).sort(function (a, b) { return a.id - b.id; });
  var tally = round.tallies.action, frozen = round.syntheses.converge && round.syntheses.converge.actions;
  var dots = null;
  if (tally) {
    dots = {};
    Object.keys(tally).forEach(function (id) { dots[id] = tally[id].dots || 0; });
    list = ranked(round, "action", list);
  } else if (frozen) {
    dots = {};
    frozen.forEach(function (a) { dots[a.id] = a.dots || 0; });
    list = ranked({ ranking: { action: frozen.map(function (a) { return a.id; }) } }, "action", list);
  }
  return { ranked: !!dots, items: list.map(function (a) {
    var theme = round.themes[a.theme_id];
    return { id: a.id, title: a.title, theme: theme ? theme.title : "", dots: dots ? dots[a.id] || 0 : null };
  }) };
};

Atelier.prototype.drawRound = function (round, labelled) {
  var block = h("div", { class: "pl-round", dataset: { round: String(round.position), phase: round.phase } });
  if (labelled) block.appendChild(h("p", { class: "pl-round-label" }, t("round_n", { n: round.position })));
  block.appendChild(h("p", { class: "pl-question" }, round.question));
  var store = this.store, phaseIndex = store.phaseIndex(round.phase);

  if (round.phase === "diverge") {
    var count = ((this.store.state.presence.ideas || {})[String(round.id)]) || 0;
    block.appendChild(h("p", { class: "pl-ideas" }, plural("ideas", count)));
  }

  // Themes: once define has started. The kept ones as soon as the room kept them;
  // while define is open (nothing kept yet), the themes being written.
  if (phaseIndex >= store.phaseIndex("define")) {
    var all = themeOrder(round);
    var kept = all.filter(function (th) { return th.kept; });
    if (kept.length) {
      block.appendChild(h("h3", { class: "pl-sub" }, t("kept_themes")));
      block.appendChild(this.themeList(kept, round));
    } else if (round.phase === "define" && all.length) {
      block.appendChild(h("h3", { class: "pl-sub" }, t("themes")));
      block.appendChild(this.themeList(all, round));
    } else {
      block.appendChild(h("h3", { class: "pl-sub" }, t("kept_themes")));
      block.appendChild(h("p", { class: "pl-empty" }, t("themes_pending")));
    }
  }

  if (phaseIndex >= store.phaseIndex("converge")) {
    var actions = this.actionsOf(round);
    block.appendChild(h("h3", { class: "pl-sub" }, actions.ranked ? t("priority_actions") : t("proposed_actions")));
    if (!actions.items.length) {
      block.appendChild(h("p", { class: "pl-empty" }, t("actions_pending")));
    } else {
      if (!actions.ranked) block.appendChild(h("p", { class: "pl-hidden-results" }, t("results_hidden")));
      block.appendChild(actionList(actions.items, actions.ranked));
    }
  }
  return block;
};

Atelier.prototype.themeList = function (themes, round) {
  var pos = {};
  themeOrder(round).forEach(function (th, k) { pos[th.id] = k; });
  var ul = h("ul", { class: "pl-themes pl-list" });
  themes.forEach(function (th) {
    ul.appendChild(h("li", { class: "pl-theme pl-c" + ((pos[th.id] || 0) % 6), dataset: { themeId: String(th.id) } },
      h("span", { class: "pl-theme-title" }, th.title),
      th.objective ? h("span", { class: "pl-objective" },
        h("span", { class: "visually-hidden" }, t("objective") + " "), th.objective) : null));
  });
  return ul;
};

function actionList(items, ranked) {
  var max = 0;
  items.forEach(function (a) { max = Math.max(max, a.dots || 0); });
  var list = h(ranked ? "ol" : "ul", { class: "pl-actions pl-list" + (ranked ? " pl-ranked" : "") });
  items.slice(0, TOP_ACTIONS).forEach(function (a, k) {
    var li = h("li", { class: "pl-action", dataset: { actionId: String(a.id), dots: a.dots === null ? "" : String(a.dots) } },
      ranked ? h("span", { class: "pl-rank", "aria-hidden": "true" }, String(k + 1)) : null,
      h("span", { class: "pl-action-main" },
        ranked ? h("span", { class: "visually-hidden" }, t("rank", { n: k + 1 }) + " ") : null,
        h("span", { class: "pl-action-title" }, a.title),
        ranked ? h("span", { class: "pl-dots" }, dotsText(a.dots)) : null,
        ranked ? h("span", { class: "pl-bar", "aria-hidden": "true" },
          h("span", { class: "pl-bar-fill" })) : null));
    if (ranked) li.querySelector(".pl-bar-fill").style.width = (max ? Math.round(100 * (a.dots || 0) / max) : 0) + "%";
    list.appendChild(li);
  });
  if (items.length > TOP_ACTIONS) list.dataset.more = String(items.length - TOP_ACTIONS);
  return list;
}

Atelier.prototype.render = function () {
  if (!this.section) return;
  var phaseEl = this.section.querySelector(".pl-phase");
  var countEl = this.section.querySelector(".pl-count");
  var body = this.section.querySelector(".pl-body");
  this.section.dataset.status = this.status;
  if (!this.store.state.loaded) {
    phaseEl.textContent = this.refused || t("status_" + this.status);
    countEl.textContent = "";
    return;
  }
  var rounds = this.store.rounds();
  var head = this.headerRound();
  var finished = rounds.length && rounds.every(function (r) { return r.phase === "closed"; });
  var label = finished ? t("finished") : t("phase_" + (head ? head.phase : "lobby"));
  if (!finished && head && rounds.length > 1) label += " · " + t("round_of", { n: head.position, total: rounds.length });
  if (this.refused) label = this.refused;
  else if (this.status !== "connected") label += " — " + t("status_" + this.status);
  if (phaseEl.textContent !== label) phaseEl.textContent = label;
  phaseEl.dataset.phase = finished ? "finished" : head ? head.phase : "lobby";
  countEl.textContent = plural("participants", this.store.state.presence.count || 0);

  var shown = rounds.filter(function (r) { return r.phase !== "lobby"; });
  if (!shown.length && rounds.length) shown = [rounds[0]];
  body.textContent = "";
  var self = this;
  shown.forEach(function (r) { body.appendChild(self.drawRound(r, rounds.length > 1)); });
};
