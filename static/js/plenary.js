/* plenary.js — the plenary screen: an event's parallel ateliers side by side (read-only).
 *
 * One Socket.IO connection per atelier, each as role "screen" (docs/protocol.md):
 * a snapshot after every (re)connection, then the broadcasts (round, theme,
 * action, tally, synthesis, plan, presence…). Each column shows its atelier's
 * title, question(s), current phase, kept themes with their objective and the
 * prioritised actions (top 5) with their dots; it is redrawn on its own when
 * something changes there. Nothing ever scrolls: a column shrinks its text,
 * then keeps its first items with "and N more".
 */
(function () {
  "use strict";

  var Live = window.Live;
  var h = Live.h;
  var page = Live.page;
  var PHASES = Live.PHASES;
  var VOTE_PHASE = Live.VOTE_PHASE;
  var TOP_ACTIONS = 5;
  var STATE_ORDER = ["connected", "connecting", "reconnecting", "offline"];

  function el(id) { return document.getElementById(id); }

  function byId(list) {
    var m = new Map();
    (list || []).forEach(function (x) { m.set(x.id, x); });
    return m;
  }

  function plural(prefix, n, params) {
    var one = n === 1 || (page.lang === "fr" && n === 0);
    return Live.t(prefix + (one ? "_one" : "_many"), Object.assign({ n: n }, params || {}));
  }

  function dotsText(n) { return n ? plural("dots", n) : Live.t("dots_none"); }

  /* ------------------------------------------------------------ one atelier */

  function Atelier(facts, index) {
    this.code = facts.code;
    this.facts = facts;
    this.index = index;
    this.section = el("pl-w-" + facts.code);
    this.state = null;      // {workshop, presence, rounds[]}
    this.buffer = null;     // broadcasts between a (re)connection and its snapshot
    this.status = "connecting";
    this.refused = null;
    this.pending = false;
    this.live = null;
  }

  Atelier.prototype.roundFrom = function (r) {
    return {
      id: r.id, position: r.position, question: r.question, phase: r.phase,
      tallies_revealed: r.tallies_revealed,
      themes: byId(r.themes), actions: byId(r.actions),
      tallies: Object.assign({ theme: null, action: null }, r.tallies || {}),
      syntheses: Object.assign({}, r.syntheses || {})
    };
  };

  Atelier.prototype.findRound = function (id) {
    if (!this.state) return null;
    for (var i = 0; i < this.state.rounds.length; i++) if (this.state.rounds[i].id === id) return this.state.rounds[i];
    return null;
  };

  Atelier.prototype.onSnapshot = function (data) {
    var self = this;
    clearTimeout(this.snapshotTimer);
    this.state = {
      workshop: data.workshop || {}, presence: data.presence || { count: 0 },
      rounds: (data.rounds || []).map(function (r) { return self.roundFrom(r); })
    };
    this.state.rounds.sort(function (a, b) { return a.position - b.position; });
    var pending = this.buffer || [];
    this.buffer = null;
    pending.forEach(function (ev) { self.apply(ev[0], ev[1]); });
    this.schedule();
  };

  Atelier.prototype.apply = function (name, data) {
    if (!this.state) return;
    var r = data && data.round_id !== undefined ? this.findRound(data.round_id) : null;
    switch (name) {
      case "theme": if (r) r.themes.set(data.id, data); return;
      case "theme.removed": if (r) r.themes.delete(data.id); return;
      case "action": if (r) r.actions.set(data.id, data); return;
      case "tally": if (r && data.kind) r.tallies[data.kind] = data.visible === false ? null : data.items; return;
      case "synthesis":
        if (!r) return;
        if (data.data) r.syntheses[data.phase] = data.data;
        else delete r.syntheses[data.phase];
        return;
      case "round":
        var round = this.findRound(data.id);
        if (!round) {
          this.state.rounds.push(this.roundFrom(data));
          this.state.rounds.sort(function (a, b) { return a.position - b.position; });
          return;
        }
        ["position", "question", "phase", "tallies_revealed"].forEach(function (k) {
          if (data[k] !== undefined) round[k] = data[k];
        });
        var self = this;
        ["theme", "action"].forEach(function (kind) { if (!self.talliesVisible(round, kind)) round.tallies[kind] = null; });
        return;
      case "presence": this.state.presence = data; return;
      case "workshop": this.state.workshop = Object.assign({}, this.state.workshop, data); return;
    }
  };

  Atelier.prototype.handler = function (name) {
    var self = this;
    return function (data) {
      if (self.buffer) { self.buffer.push([name, data]); return; }
      self.apply(name, data);
      self.schedule();
    };
  };

  /** Same rule as the server (domain/visibility.py): live, revealed, or the vote is over. */
  Atelier.prototype.talliesVisible = function (round, kind) {
    var settings = (this.state && this.state.workshop.settings) || {};
    if (settings.tallies === "live" || round.tallies_revealed) return true;
    return PHASES.indexOf(round.phase) > PHASES.indexOf(VOTE_PHASE[kind]);
  };

  Atelier.prototype.schedule = function () { scheduleAll(); };

  Atelier.prototype.connect = function () {
    var self = this;
    this.live = Live.connect({
      auth: function () { return { code: self.code, role: "screen", lang: page.lang }; },
      outboxKey: null,
      onSnapshot: function (data) { self.onSnapshot(data); },
      onStatus: function (s) {
        self.status = s;
        self.refused = null;
        if (s === "connected") {
          self.buffer = [];
          clearTimeout(self.snapshotTimer);
          self.snapshotTimer = setTimeout(function () { self.askSnapshot(); }, 12000);
        }
        statusChanged();
        self.schedule();
      },
      onRefused: function (err) {
        self.status = "offline";
        self.refused = Live.t("refused");
        statusChanged();
        self.schedule();
      },
      events: {
        theme: this.handler("theme"), "theme.removed": this.handler("theme.removed"), action: this.handler("action"),
        round: this.handler("round"), tally: this.handler("tally"), presence: this.handler("presence"),
        synthesis: this.handler("synthesis"), workshop: this.handler("workshop")
      }
    });
  };

  /** The snapshot after a connection did not come back: ask again (the view must recover alone). */
  Atelier.prototype.askSnapshot = function () {
    var self = this;
    if (!this.live || this.live.state() !== "connected") return;
    this.live.ask("snapshot").then(function (data) { self.onSnapshot(data); },
      function () { self.snapshotTimer = setTimeout(function () { self.askSnapshot(); }, 5000); });
  };

  /* ------------------------------------------------------------ what a column shows */

  /** The round the header speaks of: the last one that has started, else the first. */
  Atelier.prototype.headerRound = function () {
    var rounds = this.state.rounds, chosen = null;
    rounds.forEach(function (r) { if (r.phase !== "lobby") chosen = r; });
    return chosen || rounds[0] || null;
  };

  function themeOrder(round) {
    var define = round.syntheses.define, rank = {};
    if (define && define.themes) define.themes.forEach(function (t) { rank[t.id] = t.rank; });
    var list = [];
    round.themes.forEach(function (t) { list.push(t); });
    list.sort(function (a, b) {
      var ra = rank[a.id] || 1e6, rb = rank[b.id] || 1e6;
      return ra - rb || (a.position || 0) - (b.position || 0) || a.id - b.id;
    });
    return list;
  }

  /** Actions of a round with their dots (live tally, else the frozen synthesis), best first. */
  Atelier.prototype.actionsOf = function (round) {
    var dots = null;
    if (this.talliesVisible(round, "action") && round.tallies.action) {
      dots = {};
      round.tallies.action.forEach(function (item) { dots[item.id] = item.dots || 0; });
    } else if (round.syntheses.converge && round.syntheses.converge.actions) {
      dots = {};
      round.syntheses.converge.actions.forEach(function (a) { dots[a.id] = a.dots || 0; });
    }
    var list = [];
    round.actions.forEach(function (a) { if (a.status !== "abandoned") list.push(a); });
    list.sort(function (a, b) {
      if (dots) return (dots[b.id] || 0) - (dots[a.id] || 0) || a.id - b.id;
      return a.id - b.id;
    });
    return { ranked: !!dots, items: list.map(function (a) {
      var theme = round.themes.get(a.theme_id);
      return { id: a.id, title: a.title, theme: theme ? theme.title : "", dots: dots ? dots[a.id] || 0 : null };
    }) };
  };

  Atelier.prototype.drawRound = function (round, labelled) {
    var block = h("div", { class: "pl-round", dataset: { round: String(round.position), phase: round.phase } });
    if (labelled) block.appendChild(h("p", { class: "pl-round-label" }, Live.t("round_n", { n: round.position })));
    block.appendChild(h("p", { class: "pl-question" }, round.question));
    var phaseIndex = PHASES.indexOf(round.phase);

    if (round.phase === "diverge") {
      var count = ((this.state.presence.ideas || {})[String(round.id)]) || 0;
      block.appendChild(h("p", { class: "pl-ideas" }, plural("ideas", count)));
    }

    // Themes: once define has started. The kept ones as soon as the room kept them;
    // while define is open (nothing kept yet), the themes being written.
    if (phaseIndex >= PHASES.indexOf("define")) {
      var all = themeOrder(round);
      var kept = all.filter(function (t) { return t.kept; });
      if (kept.length) {
        block.appendChild(h("h3", { class: "pl-sub" }, Live.t("kept_themes")));
        block.appendChild(this.themeList(kept, round));
      } else if (round.phase === "define" && all.length) {
        block.appendChild(h("h3", { class: "pl-sub" }, Live.t("themes")));
        block.appendChild(this.themeList(all, round));
      } else {
        block.appendChild(h("h3", { class: "pl-sub" }, Live.t("kept_themes")));
        block.appendChild(h("p", { class: "pl-empty" }, Live.t("themes_pending")));
      }
    }

    if (phaseIndex >= PHASES.indexOf("converge")) {
      var actions = this.actionsOf(round);
      block.appendChild(h("h3", { class: "pl-sub" }, actions.ranked ? Live.t("priority_actions") : Live.t("proposed_actions")));
      if (!actions.items.length) {
        block.appendChild(h("p", { class: "pl-empty" }, Live.t("actions_pending")));
      } else {
        if (!actions.ranked) block.appendChild(h("p", { class: "pl-hidden-results" }, Live.t("results_hidden")));
        block.appendChild(actionList(actions.items, actions.ranked));
      }
    }
    return block;
  };

  Atelier.prototype.themeList = function (themes, round) {
    var pos = {};
    themeOrder(round).forEach(function (t, k) { pos[t.id] = k; });
    var ul = h("ul", { class: "pl-themes pl-list" });
    themes.forEach(function (t) {
      ul.appendChild(h("li", { class: "pl-theme pl-c" + ((pos[t.id] || 0) % 6), dataset: { themeId: String(t.id) } },
        h("span", { class: "pl-theme-title" }, t.title),
        t.objective ? h("span", { class: "pl-objective" },
          h("span", { class: "visually-hidden" }, Live.t("objective") + " "), t.objective) : null));
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
          ranked ? h("span", { class: "visually-hidden" }, Live.t("rank", { n: k + 1 }) + " ") : null,
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
    if (!this.state) {
      phaseEl.textContent = this.refused || Live.t("status_" + this.status);
      countEl.textContent = "";
      return;
    }
    var rounds = this.state.rounds;
    var head = this.headerRound();
    var finished = rounds.length && rounds.every(function (r) { return r.phase === "closed"; });
    var label = finished ? Live.t("finished") : Live.t("phase_" + (head ? head.phase : "lobby"));
    if (!finished && head && rounds.length > 1) label += " · " + Live.t("round_of", { n: head.position, total: rounds.length });
    if (this.refused) label = this.refused;
    else if (this.status !== "connected") label += " — " + Live.t("status_" + this.status);
    if (phaseEl.textContent !== label) phaseEl.textContent = label;
    phaseEl.dataset.phase = finished ? "finished" : head ? head.phase : "lobby";
    countEl.textContent = plural("participants", this.state.presence.count || 0);

    var shown = rounds.filter(function (r) { return r.phase !== "lobby"; });
    if (!shown.length && rounds.length) shown = [rounds[0]];
    body.textContent = "";
    var self = this;
    shown.forEach(function (r) { body.appendChild(self.drawRound(r, rounds.length > 1)); });
  };

  /* ------------------------------------------------------------ fitting a column */

  function fits(frame) { return frame.scrollHeight <= frame.clientHeight + 1; }

  function setMore(list) {
    var more = list.nextElementSibling && list.nextElementSibling.classList.contains("more") ? list.nextElementSibling : null;
    var n = Number(list.dataset.more || 0);
    if (!n) { if (more) more.remove(); return; }
    if (!more) { more = h("p", { class: "more" }); list.parentNode.insertBefore(more, list.nextSibling); }
    more.textContent = Live.t("more", { n: n });
  }

  var SCALES = [1.3, 1.2, 1.1, 1, 0.93, 0.86, 0.8, 0.74];

  /** One text size for every column (the largest at which they all fit), so the ateliers
   *  read alike; a column still too long then drops its objectives, then the last items
   *  of its longest lists ("and N more"). */
  function fitAll(columns) {
    columns.forEach(function (c) { Array.prototype.forEach.call(c.body.querySelectorAll(".pl-list"), setMore); });
    for (var i = 0; i < SCALES.length; i++) {
      columns.forEach(function (c) { c.body.style.fontSize = SCALES[i] + "em"; });
      if (columns.every(function (c) { return fits(c.frame); })) return;
    }
    columns.forEach(function (c) { trim(c.frame, c.body); });
  }

  function trim(frame, body) {
    var objectives = body.querySelectorAll(".pl-objective");
    for (var k = objectives.length - 1; k >= 0 && !fits(frame); k--) objectives[k].remove();
    var guard = 200;
    while (!fits(frame) && guard-- > 0) {
      var lists = Array.prototype.slice.call(body.querySelectorAll(".pl-list")).filter(function (l) { return l.children.length > 1; });
      if (!lists.length) return;
      lists.sort(function (a, b) { return b.children.length - a.children.length; });
      var list = lists[0];
      list.lastElementChild.remove();
      list.dataset.more = String(Number(list.dataset.more || 0) + 1);
      setMore(list);
    }
  }

  /* ------------------------------------------------------------ drawing, one frame for all columns */

  var dirty = false;
  function scheduleAll() {
    if (dirty) return;
    dirty = true;
    window.requestAnimationFrame(renderAll);
  }

  function renderAll() {
    dirty = false;
    ateliers.forEach(function (a) { a.render(); });
    fitAll(ateliers.filter(function (a) { return a.section; }).map(function (a) {
      return { frame: a.section.querySelector(".pl-frame"), body: a.section.querySelector(".pl-body") };
    }));
    statusChanged();
  }

  /* ------------------------------------------------------------ the whole screen */

  var ateliers = [];
  var badge = Live.statusBadge(el("pl-status"));

  function statusChanged() {
    if (!ateliers.length) return;
    var worst = "connected", connected = 0;
    ateliers.forEach(function (a) {
      if (a.status === "connected") connected++;
      if (STATE_ORDER.indexOf(a.status) > STATE_ORDER.indexOf(worst)) worst = a.status;
    });
    badge(worst);
    if (worst !== "connected" && connected > 0) {
      el("pl-status").textContent = Live.t("connected_some", { n: connected, total: ateliers.length });
    }
    var people = 0, known = false;
    ateliers.forEach(function (a) { if (a.state) { known = true; people += a.state.presence.count || 0; } });
    updateHeader(known ? people : null);
  }

  var workshopsText = null;
  function updateHeader(people) {
    var box = el("pl-people");
    if (!box) return;
    if (workshopsText === null) workshopsText = box.textContent.trim();
    var text = workshopsText + (people === null ? "" : " · " + plural("participants", people));
    if (box.textContent !== text) box.textContent = text;
  }

  function start() {
    var grid = el("pl-grid");
    if (!grid) { badge("connected"); return; }
    ateliers = (page.workshops || []).map(function (w, k) { return new Atelier(w, k); });
    renderAll();
    ateliers.forEach(function (a) { a.connect(); });
    statusChanged();
    window.addEventListener("resize", scheduleAll);
    Live.keepAwake();
  }


  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
