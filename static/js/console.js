/* console.js — the facilitator console (no framework).
 *
 * One store, filled by the snapshot and kept up to date by the broadcasts;
 * every change marks the parts of the page it affects, which are rebuilt on
 * the next tick. Every action is a protocol event (docs/protocol.md) sent
 * through Live's outbox; refused writes come back as a toast.
 */
(function () {
  "use strict";

  var Live = window.Live;
  var h = Live.h, t = Live.t, page = Live.page;
  var PHASES = Live.PHASES;
  var STATUSES = ["proposed", "planned", "in_progress", "done", "abandoned"];
  var CAN = {
    moderate: ["diverge", "define", "converge"],
    merge: ["diverge", "define"],
    post: ["diverge"],
    themes: ["define"],
    propose: ["converge"],
    sheet: ["converge"]
  };
  var PRESETS = [3, 5, 10, 15];
  var FRESH_MS = 2000;

  // ------------------------------------------------------------------ store

  var store = {
    workshop: page.workshop || {},
    presence: { count: 0, by_group: {} },
    rounds: {},
    plan: null,
    loaded: false
  };
  var ui = {
    tab: "round",
    pinned: null,        // round id the facilitator chose to look at (null: follow the current round)
    merging: null,       // id of the duplicate picked in the first merge step
    dragging: null,      // id of the idea being dragged
    editing: {},         // theme id -> true while its edit form is open
    open: {},            // details keys that are open
    fresh: {},           // idea ids that just arrived (highlighted briefly)
    sheet: null,         // action id whose sheet is open
    preview: null,       // {roundId, phase} while the preview dialog is open
    timerRef: null
  };
  var live = null;
  var dirty = {};
  var scheduled = false;
  var cache = {};        // persistent form nodes, so typing survives re-renders

  function settings() { return store.workshop.settings || {}; }
  function plural(base, n) { return t(base + (n === 1 ? "_one" : "_many"), { n: n }); }
  function phaseName(p) { return t("phase_" + p); }
  function groupName(g) { return !g || g === "—" ? t("no_group") : g; }
  function values(obj) { return Object.keys(obj).map(function (k) { return obj[k]; }); }
  function can(r, what) { return !!r && CAN[what].indexOf(r.phase) >= 0; }
  function lines(text) { return String(text || "").split("\n").map(function (s) { return s.trim(); }).filter(Boolean); }

  function emptyRound(id) {
    return { id: id, ideas: {}, themes: {}, actions: {}, tallies: { theme: {}, action: {} }, syntheses: {} };
  }

  function upsertRound(header) {
    var r = store.rounds[header.id] || (store.rounds[header.id] = emptyRound(header.id));
    ["position", "question", "phase", "timings", "tallies_revealed", "timer"].forEach(function (k) {
      if (header[k] !== undefined) r[k] = header[k];
    });
    return r;
  }

  function tallyFromVotes(votes, kind) {
    var out = {};
    (votes || []).forEach(function (v) {
      if (v.kind !== kind || v.dots <= 0) return;
      var e = out[v.target_id] || (out[v.target_id] = { dots: 0, voters: 0, by_group: {} });
      e.dots += v.dots;
      e.voters += 1;
      var g = v.group || "—";
      e.by_group[g] = (e.by_group[g] || 0) + v.dots;
    });
    return out;
  }

  function rounds() {
    return values(store.rounds).sort(function (a, b) { return a.position - b.position; });
  }
  function currentRound() {
    var list = rounds();
    for (var i = 0; i < list.length; i++) if (list[i].phase !== "closed") return list[i];
    return list[list.length - 1] || null;
  }
  function viewedRound() {
    return (ui.pinned && store.rounds[ui.pinned]) || currentRound();
  }
  function byId(a, b) { return a.id - b.id; }
  function liveIdeas(r) {
    return values(r.ideas).filter(function (i) { return !i.withdrawn && !i.merged_into; }).sort(byId);
  }
  function themesOf(r) {
    return values(r.themes).sort(function (a, b) { return a.position - b.position || a.id - b.id; });
  }
  function tallyOf(r, kind, id) { return r.tallies[kind][id] || { dots: 0, voters: 0, by_group: {} }; }
  function rankedActions(r, themeId) {
    return values(r.actions)
      .filter(function (a) { return themeId === undefined || a.theme_id === themeId; })
      .sort(function (a, b) {
        var ta = tallyOf(r, "action", a.id), tb = tallyOf(r, "action", b.id);
        return tb.dots - ta.dots || tb.voters - ta.voters || a.id - b.id;
      });
  }
  function mergedInto(r) {
    var out = {};
    values(r.ideas).forEach(function (i) {
      if (i.merged_into && !i.withdrawn) (out[i.merged_into] = out[i.merged_into] || []).push(i);
    });
    return out;
  }

  // ------------------------------------------------------------------ rendering machinery

  var RENDER_GAP = 100; // ms between two rebuilds: a burst of 300 ideas costs a few renders, not 300
  var lastRender = 0;

  function invalidate() {
    for (var i = 0; i < arguments.length; i++) dirty[arguments[i]] = true;
    if (scheduled) return;
    scheduled = true;
    setTimeout(render, Math.max(0, lastRender + RENDER_GAP - Date.now()));
  }

  function render() {
    scheduled = false;
    lastRender = Date.now();
    if (ui.dragging) return; // rebuilt on dragend: never pull the card from under the pointer
    if (!store.loaded) return;
    var parts = dirty;
    dirty = {};
    var focus = rememberFocus();
    if (parts.header) renderHeader();
    if (parts.rounds) renderRounds();
    if (parts.control) renderControl();
    if (parts.work) renderWork();
    if (parts.plan) renderPlan();
    if (parts.restitution) renderRestitution();
    restoreFocus(focus);
  }

  function rememberFocus() {
    var el = document.activeElement;
    if (!el || el === document.body) return null;
    var f = { el: el, key: el.getAttribute("data-key") };
    try { f.start = el.selectionStart; f.end = el.selectionEnd; } catch (e) { /* not a text field */ }
    return f;
  }
  function restoreFocus(f) {
    if (!f || document.activeElement === f.el) return;
    var target = f.el.isConnected ? f.el : (f.key ? document.querySelector('[data-key="' + f.key + '"]') : null);
    if (!target) return;
    target.focus({ preventScroll: true });
    if (target === f.el && typeof f.start === "number") {
      try { target.setSelectionRange(f.start, f.end); } catch (e) { /* not a text field */ }
    }
  }

  function replace(el, children) {
    while (el.firstChild) el.removeChild(el.firstChild);
    (Array.isArray(children) ? children : [children]).forEach(function (c) { if (c) el.appendChild(c); });
  }

  /** A form that must survive re-renders (what is being typed stays). */
  function persistent(key, build) {
    if (!cache[key]) cache[key] = build();
    return cache[key];
  }

  /** <details> that remembers whether it is open across re-renders. */
  function disclosure(key, summary, body, cls) {
    var d = h("details", { class: cls || "disclosure", "data-key-open": key, open: !!ui.open[key] }, h("summary", null, summary), body);
    d.addEventListener("toggle", function () { if (d.open) ui.open[key] = true; else delete ui.open[key]; });
    return d;
  }

  function $(id) { return document.getElementById(id); }
  /** Focus an element once the pending re-render has happened. */
  function focusLater(selector) {
    setTimeout(function () { var el = document.querySelector(selector); if (el) el.focus(); }, 30);
  }

  // ------------------------------------------------------------------ toasts and sending

  /** Errors: a visible toast (inside the open dialog if any), announced at once.
   *  Confirmations ("ok"): the change itself is visible, so they are only announced. */
  function notify(message, kind) {
    if (kind === "ok") {
      var status = $("notices");
      status.textContent = "";
      setTimeout(function () { status.textContent = message; }, 50);
      return;
    }
    var dialog = document.querySelector("dialog[open]");
    var host = dialog ? dialog.querySelector(".dialog-alerts") : $("alerts");
    var item = h("div", { class: "toast-item error" }, h("p", null, message));
    function remove() { if (item.parentNode) item.parentNode.removeChild(item); }
    item.appendChild(h("button", { type: "button", class: "small toast-close", onclick: remove }, t("dismiss")));
    while (host.children.length >= 3) host.removeChild(host.firstChild);
    host.appendChild(item);
    setTimeout(remove, 12000);
  }

  /** A write through the outbox. Refusals are shown by onDelivered; callers only clean up. */
  function send(event, payload) {
    return live.send(event, payload);
  }
  function ignore() { /* the toast already said why */ }

  // ------------------------------------------------------------------ header

  function renderHeader() {
    var p = store.presence || { count: 0, by_group: {} };
    $("presence-count").textContent = plural("presence", p.count || 0);
    replace($("presence-groups"), Object.keys(p.by_group || {}).map(function (g) {
      return h("li", null, h("span", { class: "pg-name" }, groupName(g)), " ", h("strong", null, String(p.by_group[g])));
    }));
    var qr = $("qr-toggle");
    qr.textContent = store.workshop.show_qr ? t("qr_hide") : t("qr_show");
    qr.classList.toggle("is-on", !!store.workshop.show_qr);
  }

  // ------------------------------------------------------------------ rounds list

  function renderRounds() {
    var current = currentRound(), viewed = viewedRound();
    replace($("round-list"), rounds().map(function (r) {
      var isCurrent = current && r.id === current.id;
      return h("li", null, h("button", {
        type: "button",
        class: "round-chip phase-" + r.phase + (viewed && r.id === viewed.id ? " is-viewed" : ""),
        "aria-pressed": viewed && r.id === viewed.id ? "true" : "false",
        "data-key": "round-" + r.id,
        onclick: function () { ui.pinned = isCurrent ? null : r.id; ui.merging = null; invalidate("rounds", "control", "work"); }
      },
        h("span", { class: "chip-top" },
          h("span", { class: "chip-n" }, t("round_n", { n: r.position })),
          h("span", { class: "chip-phase" }, phaseName(r.phase)),
          isCurrent ? h("span", { class: "chip-current" }, t("round_current")) : null),
        h("span", { class: "chip-q" }, r.question)));
    }));
  }

  // ------------------------------------------------------------------ phase controls, timer, reveal

  var setCountdown = Live.ticker(function (text, left) {
    var el = $("countdown");
    el.textContent = text === null ? t("timer_none") : (left === 0 ? t("timer_over") : text);
    el.classList.toggle("is-running", text !== null && left > 0);
    el.classList.toggle("is-over", left === 0);
  });

  function renderControl() {
    var r = viewedRound(), current = currentRound();
    if (!r) return;
    var isCurrent = current && r.id === current.id;
    $("round-kicker").textContent = t("round_n", { n: r.position }) + " · " + phaseName(r.phase);
    $("round-heading").textContent = r.question;
    var idx = PHASES.indexOf(r.phase);
    replace($("stepper"), PHASES.map(function (p, i) {
      var state = i < idx ? "done" : i === idx ? "now" : "todo";
      return h("li", { class: "step step-" + state, "aria-current": state === "now" ? "step" : null },
        h("span", { class: "step-mark", "aria-hidden": "true" }, state === "done" ? "✓" : String(i + 1)),
        h("span", { class: "step-name" }, phaseName(p)),
        state === "done" ? h("span", { class: "visually-hidden" }, " (" + t("phase_done") + ")") : null,
        state === "now" ? h("span", { class: "visually-hidden" }, " (" + t("phase_now") + ")") : null);
    }));
    $("phase-hint").textContent = t("hint_" + r.phase);
    var other = $("other-round");
    if (!isCurrent && current) {
      replace(other, [document.createTextNode(t("round_viewing_other", { n: r.position, current: current.position }) + " "),
        h("button", { type: "button", class: "small linkish", onclick: function () { ui.pinned = null; invalidate("rounds", "control", "work"); } }, t("back_to_current"))]);
      other.hidden = false;
    } else {
      other.hidden = true;
    }
    var adv = $("advance-btn");
    adv.hidden = r.phase === "closed";
    adv.textContent = r.phase === "closed" ? "" : t("advance_" + r.phase);
    adv.disabled = !isCurrent;
    var reopen = $("reopen-btn");
    reopen.hidden = !(r.phase === "define" || r.phase === "converge");
    reopen.disabled = !isCurrent;

    // Timer: only for a round that is not closed.
    $("timer-tool").hidden = r.phase === "closed";
    $("control-tools").hidden = r.phase === "closed";
    if (ui.timerRef !== r.timer) {
      ui.timerRef = r.timer;
      setCountdown(r.timer);
    }
    $("timer-stop").disabled = !(r.timer && r.timer.remaining);

    // Results: reveal control while a vote is open.
    var voting = r.phase === "define" || r.phase === "converge";
    var tool = $("reveal-tool");
    tool.hidden = !voting;
    if (voting) {
      var live_ = settings().tallies !== "reveal";
      $("reveal-state").textContent = live_ ? t("reveal_live") : (r.tallies_revealed ? t("reveal_on") : t("reveal_off"));
      $("reveal-state").className = "reveal-state " + (live_ || r.tallies_revealed ? "is-on" : "is-off");
      var btn = $("reveal-btn");
      btn.hidden = live_;
      btn.textContent = r.tallies_revealed ? t("reveal_hide") : t("reveal_show");
    }
  }

  function setupControls() {
    replace($("timer-presets"), PRESETS.map(function (n) {
      return h("button", { type: "button", class: "small", "data-minutes": String(n), onclick: function () { setTimer(n * 60); } }, t("timer_preset", { n: n }));
    }));
    $("timer-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var input = $("timer-minutes");
      var n = Number(input.value);
      if (!(n >= 1 && n <= 240)) { notify(t("timer_invalid")); input.focus(); return; }
      setTimer(Math.round(n * 60));
      input.value = "";
    });
    $("timer-stop").addEventListener("click", function () { setTimer(0); });
    $("reveal-btn").addEventListener("click", function () {
      var r = viewedRound();
      send("tallies.reveal", { round_id: r.id, revealed: !r.tallies_revealed }).catch(ignore);
    });
    $("advance-btn").addEventListener("click", function () { advance(viewedRound()); });
    $("reopen-btn").addEventListener("click", function () { reopen(viewedRound()); });
    $("qr-toggle").addEventListener("click", function () {
      send("screen.qr", { visible: !store.workshop.show_qr }).then(function (data) {
        if (data && data.workshop) { store.workshop.show_qr = data.workshop.show_qr; invalidate("header"); }
      }).catch(ignore);
    });
    $("round-add-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var q = $("round-question");
      if (!q.value.trim()) { q.focus(); return; }
      send("round.add", { question: q.value.trim() }).then(function (data) {
        upsertRound(data.round);
        q.value = "";
        $("add-round").open = false;
        notify(t("round_added"), "ok");
        invalidate("rounds", "control", "work");
      }).catch(ignore);
    });
  }

  function setTimer(seconds) {
    var r = viewedRound();
    send("timer.set", { round_id: r.id, seconds: seconds }).then(function (data) {
      if (data && data.round) { upsertRound(data.round); invalidate("control"); }
    }).catch(ignore);
  }

  // ------------------------------------------------------------------ dialogs

  function openDialog(d) {
    d.querySelectorAll(".dialog-alerts").forEach(function (a) { replace(a, []); });
    if (!d.open) d.showModal();
  }
  function closeDialog(d) { if (d.open) d.close(); }

  function confirmDialog(title, text, okLabel) {
    var d = $("confirm-dialog");
    $("confirm-title").textContent = title;
    $("confirm-text").textContent = text;
    $("confirm-ok").textContent = okLabel || t("confirm");
    openDialog(d);
    $("confirm-cancel").focus();
    return new Promise(function (resolve) {
      function done(value) {
        $("confirm-form").removeEventListener("submit", onOk);
        $("confirm-cancel").removeEventListener("click", onCancel);
        d.removeEventListener("cancel", onCancel);
        closeDialog(d);
        resolve(value);
      }
      function onOk(e) { e.preventDefault(); done(true); }
      function onCancel(e) { if (e) e.preventDefault(); done(false); }
      $("confirm-form").addEventListener("submit", onOk);
      $("confirm-cancel").addEventListener("click", onCancel);
      d.addEventListener("cancel", onCancel);
    });
  }

  // ------------------------------------------------------------------ phases

  function advance(r) {
    if (!r || r.phase === "closed") return;
    if (r.phase === "lobby") {
      send("phase.advance", { round_id: r.id, expected_phase: "lobby" }).then(afterRound).catch(ignore);
      return;
    }
    var d = $("preview-dialog");
    ui.preview = { roundId: r.id, phase: r.phase };
    $("preview-title").textContent = t("preview_title_" + r.phase);
    replace($("preview-body"), h("p", { class: "hint" }, t("preview_loading")));
    $("preview-confirm").disabled = true;
    openDialog(d);
    live.ask("phase.preview", { round_id: r.id }).then(function (answer) {
      if (!ui.preview || ui.preview.roundId !== r.id) return;
      if (answer.phase !== r.phase) { closeDialog(d); return; }
      replace($("preview-body"), previewContent(answer.phase, answer.data || {}));
      $("preview-confirm").disabled = false;
    }).catch(function (err) {
      closeDialog(d);
      notify(err.message || t("error_generic"));
    });
  }

  function previewContent(phase, data) {
    if (phase === "diverge") {
      var ideas = data.ideas || [];
      return [
        h("p", { class: "preview-stat" }, t("preview_ideas", { n: data.total_ideas || 0, c: data.contributions || 0 })),
        ideas.length
          ? h("ol", { class: "preview-list" }, ideas.map(function (i) {
              return h("li", null, h("span", { class: "pv-text" }, i.text),
                i.count > 1 ? h("span", { class: "badge" }, plural("people", i.count)) : null,
                i.group ? h("span", { class: "pv-meta" }, groupName(i.group)) : null);
            }))
          : h("p", null, t("preview_no_ideas"))
      ];
    }
    if (phase === "define") {
      var themes = data.themes || [];
      var k = settings().keep_top_k || 0;
      var out = [];
      if (!themes.length) {
        out.push(h("p", null, t("preview_no_themes")));
      } else {
        out.push(h("fieldset", { class: "keep-fieldset" },
          h("legend", null, t("preview_keep_legend")),
          h("p", { class: "hint" }, t("preview_keep_hint", { k: k })),
          h("ol", { class: "preview-list keep-list" }, themes.map(function (th, i) {
            var id = "keep-" + th.id;
            return h("li", null,
              h("input", { type: "checkbox", id: id, name: "kept", value: String(th.id), checked: i < k }),
              h("label", { for: id },
                h("span", { class: "pv-text" }, th.title),
                h("span", { class: "badge dots" }, plural("dots", th.dots)),
                h("span", { class: "pv-meta" }, plural("ideas", (th.ideas || []).length)),
                groupLine(th.by_group)));
          }))));
      }
      if ((data.unsorted || []).length) out.push(h("p", { class: "hint" }, t("preview_unsorted", { n: data.unsorted.length })));
      return out;
    }
    var actions = data.actions || [];
    return actions.length
      ? h("ol", { class: "preview-list" }, actions.map(function (a) {
          return h("li", null, h("span", { class: "pv-text" }, a.title),
            h("span", { class: "badge dots" }, plural("dots", a.dots)),
            a.theme ? h("span", { class: "pv-meta" }, a.theme.title) : null,
            groupLine(a.by_group));
        }))
      : h("p", null, t("preview_no_actions"));
  }

  function groupLine(byGroup) {
    var keys = Object.keys(byGroup || {});
    if (!keys.length) return null;
    return h("span", { class: "pv-groups" }, keys.map(function (g) { return groupName(g) + " " + byGroup[g]; }).join(" · "));
  }

  function setupPreview() {
    var d = $("preview-dialog");
    $("preview-cancel").addEventListener("click", function () { closeDialog(d); });
    d.addEventListener("close", function () { ui.preview = null; });
    $("preview-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var p = ui.preview;
      if (!p) return;
      var payload = { round_id: p.roundId, expected_phase: p.phase };
      if (p.phase === "define") {
        var boxes = d.querySelectorAll('input[name="kept"]');
        if (boxes.length) {
          var kept = [];
          boxes.forEach(function (b) { if (b.checked) kept.push(Number(b.value)); });
          if (!kept.length) { notify(t("keep_at_least_one")); return; }
          payload.kept_theme_ids = kept;
        }
      }
      var btn = $("preview-confirm");
      btn.disabled = true;
      send("phase.advance", payload).then(function (data) {
        closeDialog(d);
        afterRound(data);
      }).catch(function () {
        btn.disabled = false;
      });
    });
  }

  function afterRound(data) {
    if (data && data.round) { upsertRound(data.round); invalidate("rounds", "control", "work"); }
  }

  function reopen(r) {
    if (!r) return;
    var prev = PHASES[PHASES.indexOf(r.phase) - 1];
    confirmDialog(t("reopen_title"), t("reopen_text", { phase: phaseName(prev) }), t("reopen_confirm", { phase: phaseName(prev) })).then(function (ok) {
      if (!ok) return;
      send("phase.reopen", { round_id: r.id, expected_phase: r.phase }).then(afterRound).catch(ignore);
    });
  }

  // ------------------------------------------------------------------ ideas

  function authorLine(i) {
    var who = i.on_behalf ? null : (i.author || t("anonymous"));
    var bits = [];
    if (who) bits.push(who);
    if (i.group) bits.push(i.group);
    return bits.join(" · ");
  }

  function ideaCard(r, idea, merged, opts) {
    var textId = "idea-text-" + idea.id;
    var source = ui.merging ? r.ideas[ui.merging] : null;
    var isSource = ui.merging === idea.id;
    var cls = "idea" + (idea.hidden ? " is-hidden" : "") + (isSource ? " is-merge-source" : "") + (ui.fresh[idea.id] ? " is-fresh" : "") + (opts.compact ? " compact" : "");
    var draggable = opts.movable && !ui.merging;
    var card = h("li", { class: cls, "data-idea-id": String(idea.id), draggable: draggable ? "true" : null },
      h("p", { class: "idea-text", id: textId }, idea.text),
      merged && merged.length
        ? h("p", { class: "idea-merged" }, h("span", { class: "im-label" }, t("merged_also")), " ", merged.map(function (m) { return "« " + m.text + " »"; }).join(" "))
        : null,
      h("p", { class: "idea-meta" },
        authorLine(idea) ? h("span", { class: "idea-author" }, authorLine(idea)) : null,
        idea.count > 1 ? h("span", { class: "badge count" }, plural("people", idea.count)) : null,
        idea.on_behalf ? h("span", { class: "badge behalf" }, "✎ " + t("on_behalf")) : null,
        idea.hidden ? h("span", { class: "badge hidden-badge" }, "⊘ " + t("hidden")) : null,
        isSource ? h("span", { class: "badge source-badge" }, t("merge_source")) : null));
    var tools = h("div", { class: "idea-tools" });
    if (source) {
      if (!isSource && !idea.merged_into && !idea.withdrawn && idea.round_id === source.round_id) {
        tools.appendChild(h("button", { type: "button", class: "small primary", "data-key": "keep-" + idea.id, "aria-describedby": textId,
          onclick: function () { mergeInto(idea.id); } }, t("merge_keep")));
      }
    } else {
      if (opts.movable) tools.appendChild(moveSelect(r, idea, textId));
      if (can(r, "moderate")) {
        tools.appendChild(h("button", { type: "button", class: "small", "data-key": "toggle-" + idea.id, "aria-describedby": textId,
          onclick: function () { send("idea.hide", { idea_id: idea.id, hidden: !idea.hidden }).catch(ignore); } },
          idea.hidden ? t("show") : t("hide")));
      }
      if (can(r, "merge")) {
        tools.appendChild(h("button", { type: "button", class: "small", "data-key": "merge-" + idea.id, "aria-describedby": textId,
          onclick: function () { startMerge(idea.id); } }, t("merge")));
      }
    }
    if (tools.firstChild) card.appendChild(tools);
    if (ui.fresh[idea.id]) card.style.animationDelay = (ui.fresh[idea.id] - Date.now()) + "ms"; // one highlight, across re-renders
    if (draggable) {
      card.addEventListener("dragstart", function (e) {
        ui.dragging = idea.id;
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", String(idea.id));
        card.classList.add("is-dragging");
      });
      card.addEventListener("dragend", function () {
        ui.dragging = null;
        card.classList.remove("is-dragging");
        invalidate("work");
      });
    }
    return card;
  }

  function moveSelect(r, idea, textId) {
    var id = "move-" + idea.id;
    var sel = h("select", { id: id, class: "move-select", "data-key": id, "aria-label": t("move_label"), "aria-describedby": textId },
      h("option", { value: "" }, t("move_to")),
      idea.theme_id && r.themes[idea.theme_id] ? h("option", { value: "none" }, t("unsorted")) : null,
      themesOf(r).filter(function (th) { return th.id !== idea.theme_id; }).map(function (th) {
        return h("option", { value: String(th.id) }, th.title);
      }));
    sel.addEventListener("change", function () {
      if (!sel.value) return;
      var themeId = sel.value === "none" ? null : Number(sel.value);
      sel.value = "";
      moveIdea(idea.id, themeId);
    });
    return sel;
  }

  function moveIdea(ideaId, themeId) {
    send("idea.move", { idea_id: ideaId, theme_id: themeId }).then(function (data) {
      if (data && data.idea) putIdea(data.idea);
    }).catch(ignore);
  }

  function startMerge(id) {
    ui.merging = id;
    invalidate("work");
    setTimeout(function () { var b = $("merge-banner-text"); if (b) b.focus(); }, 0);
  }
  function cancelMerge() {
    var id = ui.merging;
    ui.merging = null;
    invalidate("work");
    setTimeout(function () { var b = document.querySelector('[data-key="merge-' + id + '"]'); if (b) b.focus(); }, 0);
  }
  function mergeInto(intoId) {
    var source = ui.merging;
    ui.merging = null;
    invalidate("work");
    send("idea.merge", { idea_id: source, into_id: intoId }).then(function (data) {
      if (data && data.idea) putIdea(data.idea);
      focusLater('[data-key="merge-' + intoId + '"]');
    }).catch(function () { focusLater('[data-key="merge-' + source + '"]'); });
  }

  function mergeBanner(r) {
    if (!ui.merging || !r.ideas[ui.merging]) return null;
    return h("div", { class: "merge-banner" },
      h("p", { id: "merge-banner-text", tabindex: "-1" }, t("merge_banner", { text: r.ideas[ui.merging].text })),
      h("button", { type: "button", class: "small", "data-key": "merge-cancel", onclick: cancelMerge }, t("merge_cancel")));
  }

  function wallCount(r) {
    var all = liveIdeas(r);
    var hidden = all.filter(function (i) { return i.hidden; }).length;
    return t("ideas_count", { n: all.length - hidden, h: hidden });
  }

  function wallView(r) {
    var ideas = liveIdeas(r);
    var merged = mergedInto(r);
    var wall = ideas.length
      ? h("ol", { class: "wall", "aria-labelledby": "wall-heading" }, ideas.map(function (i) { return ideaCard(r, i, merged[i.id], {}); }))
      : h("p", { class: "empty" }, t("wall_empty"));
    return h("div", { class: "wall-area" },
      can(r, "post") ? behalfForm(r) : null,
      h("section", { class: "wall-main", "aria-labelledby": "wall-heading" },
        h("div", { class: "section-head" },
          h("h3", { id: "wall-heading" }, t("ideas_title")),
          h("p", { class: "count-line" }, wallCount(r))),
        mergeBanner(r),
        wall));
  }

  function behalfForm(r) {
    return persistent("behalf", function () {
      var max = settings().max_idea_length || 200;
      var text = h("textarea", { id: "behalf-text", name: "text", rows: "2", maxlength: String(max), required: true });
      text.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } // one idea = one line
      });
      var group = h("select", { id: "behalf-group", name: "group" },
        h("option", { value: "" }, t("behalf_no_group")),
        (settings().groups || []).map(function (g) { return h("option", { value: g }, g); }));
      var form = h("form", { class: "behalf-form card", "aria-labelledby": "behalf-heading" },
        h("div", { class: "behalf-head" },
          h("h3", { id: "behalf-heading" }, t("behalf_title")),
          h("p", { class: "hint" }, t("behalf_hint"))),
        h("div", { class: "behalf-row" },
          h("div", { class: "field behalf-text" }, h("label", { for: "behalf-text" }, t("behalf_text")), text),
          h("div", { class: "field behalf-group" }, h("label", { for: "behalf-group" }, t("behalf_group")), group),
          h("button", { type: "submit", class: "primary" }, t("behalf_submit"))));
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var value = text.value.trim();
        if (!value) { text.focus(); return; }
        var payload = { text: value, round_id: viewedRound().id };
        if (group.value) payload.group = group.value;
        send("idea.post", payload).then(function (data) {
          if (data && data.idea) putIdea(data.idea);
          text.value = "";
          notify(t("behalf_done"), "ok");
          text.focus();
        }).catch(ignore);
      });
      return form;
    });
  }

  // ------------------------------------------------------------------ themes board

  function dotsBlock(r, kind, id, key) {
    var tl = tallyOf(r, kind, id);
    var groups = Object.keys(tl.by_group || {});
    var summary = h("span", { class: "dots-line" },
      h("span", { class: "badge dots" }, "● " + plural("dots", tl.dots)),
      tl.voters ? h("span", { class: "voters" }, plural("people", tl.voters)) : null);
    if (!groups.length) return h("div", { class: "dots-block" }, summary);
    return h("div", { class: "dots-block" },
      summary,
      disclosure(key, t("by_group"), h("ul", { class: "group-breakdown" }, groups.map(function (g) {
        return h("li", null, h("span", null, groupName(g)), h("strong", null, String(tl.by_group[g])));
      })), "disclosure small-disclosure"));
  }

  function boardView(r, readonly) {
    var ideas = liveIdeas(r);
    var merged = mergedInto(r);
    var themes = themesOf(r);
    var editable = !readonly && can(r, "themes");
    var opts = { compact: true, movable: editable };
    var cols = [];
    var unsorted = ideas.filter(function (i) { return !i.theme_id || !r.themes[i.theme_id]; });
    cols.push(column(r, null, unsorted, merged, opts, editable));
    themes.forEach(function (th) {
      cols.push(column(r, th, ideas.filter(function (i) { return i.theme_id === th.id; }), merged, opts, editable));
    });
    return h("div", { class: "board-area" },
      editable ? newThemeForm(r) : null,
      readonly ? null : h("div", { class: "section-head" },
        h("h3", { id: "board-heading" }, t("themes_title")),
        h("p", { class: "count-line" }, wallCount(r))),
      readonly ? null : mergeBanner(r),
      h("ol", { class: "board", "aria-label": t("themes_title") }, cols));
  }

  function column(r, theme, ideas, merged, opts, editable) {
    var headId = theme ? "col-h-" + theme.id : "col-h-unsorted";
    var list = h("ol", { class: "drop", "aria-labelledby": headId, "data-theme-id": theme ? String(theme.id) : "" },
      ideas.map(function (i) { return ideaCard(r, i, merged[i.id], opts); }));
    if (!ideas.length) list.appendChild(h("li", { class: "drop-empty" }, editable ? t("drop_here") : "—"));
    if (editable) wireDrop(list, theme ? theme.id : null);
    var head;
    if (!theme) {
      head = h("div", { class: "col-head" },
        h("h4", { id: headId }, t("unsorted")),
        h("p", { class: "col-count" }, plural("ideas", ideas.length)));
    } else {
      head = h("div", { class: "col-head" },
        h("div", { class: "col-title-row" },
          h("h4", { id: headId }, theme.title),
          theme.kept ? h("span", { class: "badge kept" }, "★ " + t("theme_kept")) : null),
        h("p", { class: "col-count" }, plural("ideas", ideas.length)),
        dotsBlock(r, "theme", theme.id, "tdots-" + theme.id),
        ui.editing[theme.id] && editable ? themeEditForm(r, theme) : themeSummary(theme),
        editable && !ui.editing[theme.id]
          ? h("div", { class: "col-tools" },
              h("button", { type: "button", class: "small", "data-key": "edit-theme-" + theme.id, "aria-describedby": headId,
                onclick: function () { openThemeEditor(theme); } }, t("theme_edit")),
              h("button", { type: "button", class: "small danger", "data-key": "delete-theme-" + theme.id, "aria-describedby": headId,
                onclick: function () { deleteTheme(theme); } }, t("theme_delete")))
          : null);
    }
    return h("li", { class: "column" + (theme ? "" : " unsorted-col") + (theme && theme.kept ? " is-kept" : ""), "data-col": theme ? String(theme.id) : "unsorted" }, head, list);
  }

  function themeSummary(theme) {
    return h("div", { class: "theme-summary" },
      theme.objective
        ? h("p", { class: "objective" }, h("span", { class: "label" }, t("objective")), " ", theme.objective)
        : h("p", { class: "objective muted" }, t("no_objective")),
      theme.criteria && theme.criteria.length
        ? h("div", { class: "criteria" }, h("span", { class: "label" }, t("criteria")),
            h("ul", null, theme.criteria.map(function (c) { return h("li", null, c); })))
        : null);
  }

  function wireDrop(list, themeId) {
    list.addEventListener("dragover", function (e) {
      if (!ui.dragging) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      list.classList.add("is-over");
    });
    list.addEventListener("dragleave", function (e) {
      if (!list.contains(e.relatedTarget)) list.classList.remove("is-over");
    });
    list.addEventListener("drop", function (e) {
      e.preventDefault();
      list.classList.remove("is-over");
      var id = Number(e.dataTransfer.getData("text/plain")) || ui.dragging;
      ui.dragging = null;
      var r = viewedRound();
      var idea = id && r.ideas[id];
      if (!idea) return;
      if ((idea.theme_id || null) === themeId) { invalidate("work"); return; }
      idea.theme_id = themeId; // optimistic: the ack and the broadcast confirm it
      invalidate("work");
      moveIdea(id, themeId);
    });
  }

  function newThemeForm(r) {
    return persistent("new-theme", function () {
      var title = h("input", { id: "nt-title", name: "title", maxlength: "200", required: true });
      var objective = h("textarea", { id: "nt-objective", name: "objective", rows: "2", maxlength: "1000" });
      var criteria = h("textarea", { id: "nt-criteria", name: "criteria", rows: "3" });
      var form = h("form", { class: "new-theme card", "aria-labelledby": "nt-heading" },
        h("h3", { id: "nt-heading" }, t("theme_new")),
        h("div", { class: "new-theme-row" },
          h("div", { class: "field nt-title" }, h("label", { for: "nt-title" }, t("theme_title")), title),
          h("div", { class: "field nt-objective" }, h("label", { for: "nt-objective" }, t("theme_objective")), objective),
          h("div", { class: "field nt-criteria" }, h("label", { for: "nt-criteria" }, t("theme_criteria")), criteria),
          h("button", { type: "submit", class: "primary" }, t("theme_create"))));
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!title.value.trim()) { title.focus(); return; }
        send("theme.create", {
          round_id: viewedRound().id, title: title.value.trim(), objective: objective.value.trim(), criteria: lines(criteria.value)
        }).then(function (data) {
          if (data && data.theme) putTheme(data.theme);
          title.value = objective.value = criteria.value = "";
          notify(t("theme_created"), "ok");
          title.focus();
        }).catch(ignore);
      });
      return form;
    });
  }

  function openThemeEditor(theme) {
    ui.editing[theme.id] = true;
    delete cache["theme-edit-" + theme.id];
    invalidate("work");
    setTimeout(function () { var f = $("te-title-" + theme.id); if (f) f.focus(); }, 0);
  }

  function themeEditForm(r, theme) {
    return persistent("theme-edit-" + theme.id, function () {
      var id = theme.id;
      var title = h("input", { id: "te-title-" + id, maxlength: "200", required: true, value: theme.title });
      var objective = h("textarea", { id: "te-objective-" + id, rows: "3", maxlength: "1000" });
      objective.value = theme.objective || "";
      var criteria = h("textarea", { id: "te-criteria-" + id, rows: "3" });
      criteria.value = (theme.criteria || []).join("\n");
      function close() {
        delete ui.editing[id];
        delete cache["theme-edit-" + id];
        invalidate("work");
        setTimeout(function () { var b = document.querySelector('[data-key="edit-theme-' + id + '"]'); if (b) b.focus(); }, 0);
      }
      var form = h("form", { class: "theme-form theme-edit" },
        h("div", { class: "field" }, h("label", { for: "te-title-" + id }, t("theme_title")), title),
        h("div", { class: "field" }, h("label", { for: "te-objective-" + id }, t("theme_objective")), objective),
        h("div", { class: "field" }, h("label", { for: "te-criteria-" + id }, t("theme_criteria")), criteria),
        h("div", { class: "form-buttons" },
          h("button", { type: "button", class: "small", onclick: close }, t("cancel")),
          h("button", { type: "submit", class: "small primary" }, t("theme_save"))));
      form.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(); } });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!title.value.trim()) { title.focus(); return; }
        send("theme.update", { theme_id: id, title: title.value.trim(), objective: objective.value.trim(), criteria: lines(criteria.value) })
          .then(function (data) {
            if (data && data.theme) putTheme(data.theme);
            notify(t("theme_saved"), "ok");
            close();
          }).catch(ignore);
      });
      return form;
    });
  }

  function deleteTheme(theme) {
    confirmDialog(t("theme_delete_title", { title: theme.title }), t("theme_delete_text"), t("theme_delete")).then(function (ok) {
      if (!ok) return;
      send("theme.delete", { theme_id: theme.id }).then(function () { focusLater("#nt-title"); }).catch(ignore);
    });
  }

  // ------------------------------------------------------------------ converge

  function sheetSummary(a) {
    var bits = [];
    if (a.owner) bits.push(t("owner_v", { v: a.owner }));
    if (a.deadline) bits.push(t("deadline_v", { v: a.deadline }));
    return bits.length ? h("p", { class: "sheet-summary" }, bits.join(" · ")) : null;
  }

  function convergeView(r) {
    var themes = themesOf(r);
    var kept = themes.filter(function (th) { return th.kept; });
    var others = themes.filter(function (th) { return !th.kept; });
    var editable = can(r, "sheet");
    var sections = kept.map(function (th) {
      var actions = rankedActions(r, th.id);
      var headId = "kt-" + th.id;
      return h("section", { class: "kept-theme card", "aria-labelledby": headId },
        h("div", { class: "kt-head" },
          h("h3", { id: headId }, th.title),
          h("span", { class: "badge kept" }, "★ " + t("theme_kept"))),
        themeSummary(th),
        h("h4", { class: "actions-heading" }, t("actions_title")),
        actions.length
          ? h("ol", { class: "actions" }, actions.map(function (a, i) { return actionItem(r, a, i + 1, editable); }))
          : h("p", { class: "empty" }, t("actions_none")),
        can(r, "propose") ? proposeForm(r, th) : null);
    });
    var out = [];
    if (!kept.length) out.push(h("p", { class: "empty card" }, t("no_kept_themes")));
    out.push(h("div", { class: "kept-grid" }, sections));
    if (others.length) out.push(h("p", { class: "hint not-kept" }, t("themes_not_kept", { list: others.map(function (o) { return o.title; }).join(", ") })));
    out.push(disclosure("board-" + r.id, t("ideas_and_themes"), boardView(r, true), "disclosure board-disclosure"));
    return out;
  }

  function actionItem(r, a, rank, editable) {
    var titleId = "action-title-" + a.id;
    return h("li", { class: "action", "data-action-id": String(a.id) },
      h("span", { class: "rank", "aria-hidden": "true" }, String(rank)),
      h("div", { class: "action-main" },
        h("p", { class: "action-title", id: titleId }, a.title),
        a.description ? h("p", { class: "action-desc" }, a.description) : null,
        h("p", { class: "action-meta" }, h("span", { class: "badge status status-" + a.status }, t("astatus_" + a.status))),
        sheetSummary(a)),
      h("div", { class: "action-side" },
        dotsBlock(r, "action", a.id, "adots-" + a.id),
        h("button", { type: "button", class: "small" + (editable ? " primary" : ""), "data-key": "sheet-" + a.id, "aria-describedby": titleId,
          onclick: function () { openSheet(a.id); } }, editable ? t("edit_sheet") : t("view_sheet"))));
  }

  function proposeForm(r, theme) {
    return persistent("propose-" + theme.id, function () {
      var id = "propose-" + theme.id;
      var input = h("input", { id: id, maxlength: "200", required: true });
      var form = h("form", { class: "propose" },
        h("label", { for: id }, t("propose_label")),
        h("div", { class: "inline" }, input, h("button", { type: "submit", class: "primary" }, t("propose_submit"))));
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!input.value.trim()) { input.focus(); return; }
        send("action.propose", { theme_id: theme.id, title: input.value.trim() }).then(function (data) {
          if (data && data.action) putAction(data.action);
          input.value = "";
          notify(t("proposed_done"), "ok");
        }).catch(ignore);
      });
      return form;
    });
  }

  function openSheet(actionId) {
    var r = viewedRound();
    var a = r && r.actions[actionId];
    if (!a) return;
    ui.sheet = actionId;
    var editable = can(r, "sheet");
    var theme = r.themes[a.theme_id];
    $("sheet-theme").textContent = theme ? t("sheet_theme", { title: theme.title }) : "";
    $("sheet-title").value = a.title || "";
    $("sheet-description").value = a.description || "";
    $("sheet-owner").value = a.owner || "";
    $("sheet-deadline").value = a.deadline || "";
    $("sheet-partners").value = (a.partners || []).join("\n");
    $("sheet-indicators").value = (a.indicators || []).join("\n");
    $("sheet-resources").value = a.resources || "";
    var status = $("sheet-status");
    replace(status, STATUSES.map(function (s) { return h("option", { value: s, selected: s === a.status }, t("astatus_" + s)); }));
    status.value = a.status;
    $("sheet-form").querySelectorAll("input, textarea, select").forEach(function (f) { f.disabled = !editable; });
    $("sheet-save").hidden = !editable;
    var lineage = lineageIdeas(r, a);
    replace($("sheet-lineage"), lineage.length
      ? [h("p", { class: "label" }, t("lineage")), h("ul", { class: "lineage" }, lineage.map(function (i) { return h("li", null, i.text); }))]
      : []);
    openDialog($("sheet-dialog"));
    $("sheet-title").focus();
  }

  /** The ideas an action comes from (as the server computes lineage): named ideas, else its theme's. */
  function lineageIdeas(r, a) {
    var ids = a.idea_ids && a.idea_ids.length ? a.idea_ids : liveIdeas(r).filter(function (i) { return i.theme_id === a.theme_id && !i.hidden; }).map(function (i) { return i.id; });
    var out = [], seen = {};
    ids.forEach(function (id) {
      var i = r.ideas[id], n = 0;
      while (i && i.merged_into && n++ < 50) i = r.ideas[i.merged_into];
      if (i && !i.hidden && !i.withdrawn && !seen[i.id]) { seen[i.id] = true; out.push(i); }
    });
    return out;
  }

  function setupSheet() {
    var d = $("sheet-dialog");
    $("sheet-cancel").addEventListener("click", function () { closeDialog(d); });
    d.addEventListener("close", function () { ui.sheet = null; });
    $("sheet-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var id = ui.sheet;
      if (!id) return;
      var title = $("sheet-title");
      if (!title.value.trim()) { title.focus(); return; }
      var btn = $("sheet-save");
      btn.disabled = true;
      send("action.update", {
        action_id: id,
        title: title.value.trim(),
        description: $("sheet-description").value.trim(),
        owner: $("sheet-owner").value.trim(),
        deadline: $("sheet-deadline").value.trim(),
        partners: lines($("sheet-partners").value),
        indicators: lines($("sheet-indicators").value),
        resources: $("sheet-resources").value.trim(),
        status: $("sheet-status").value
      }).then(function (data) {
        btn.disabled = false;
        if (data && data.action) putAction(data.action);
        closeDialog(d);
        notify(t("sheet_saved"), "ok");
      }).catch(function () { btn.disabled = false; });
    });
  }

  // ------------------------------------------------------------------ work area

  function renderWork() {
    var r = viewedRound();
    var body = $("work-body");
    if (!r) { replace(body, []); return; }
    if (ui.merging && (!r.ideas[ui.merging] || !can(r, "merge"))) ui.merging = null;
    var content;
    if (r.phase === "lobby" || r.phase === "diverge") content = wallView(r);
    else if (r.phase === "define") content = boardView(r, false);
    else {
      content = convergeView(r);
      if (r.phase === "closed") {
        content.unshift(h("p", { class: "closed-note" },
          h("button", { type: "button", class: "primary", onclick: function () { selectTab("plan", true); } }, t("open_plan"))));
      }
    }
    body.className = "phase-" + r.phase;
    replace(body, content);
    announceCount(r);
  }

  /** Say how many ideas there are when it changes (the wall itself is rebuilt, so it cannot be the live region). */
  function announceCount(r) {
    var text = r.phase === "lobby" ? "" : wallCount(r);
    var key = r.id + ":" + text;
    if (ui.lastCount === key) return;
    var first = ui.lastCount === undefined || ui.lastCount.split(":")[0] !== String(r.id);
    ui.lastCount = key;
    if (!first) $("live-count").textContent = text;
  }

  // ------------------------------------------------------------------ action plan draft

  function renderPlan() {
    var plan = store.plan;
    var body = $("plan-body");
    $("plan-updated").textContent = t("plan_updated");
    var rs = (plan && plan.rounds) || [];
    var any = rs.some(function (r) { return (r.closed_phases || []).length; });
    if (!any) { replace(body, h("p", { class: "empty card" }, t("plan_empty"))); return; }
    replace(body, rs.map(function (pr) {
      var headId = "plan-round-" + pr.position;
      return h("article", { class: "plan-round card", "aria-labelledby": headId },
        h("p", { class: "round-kicker" }, t("round_n", { n: pr.position }) + " · " + phaseName(pr.phase)),
        h("h3", { id: headId }, pr.question),
        (pr.closed_phases || []).length ? h("p", { class: "hint" }, t("plan_stats", { n: pr.ideas_total, c: pr.contributions })) : null,
        h("h4", null, t("plan_themes")),
        pr.themes.length
          ? h("div", { class: "plan-themes" }, pr.themes.map(planTheme))
          : h("p", { class: "empty" }, t("plan_no_themes")),
        h("h4", null, t("plan_actions")),
        pr.actions.length
          ? h("ol", { class: "plan-actions" }, pr.actions.map(planAction))
          : h("p", { class: "empty" }, t("plan_no_actions")));
    }));
  }

  function planTheme(th) {
    return h("section", { class: "plan-theme" },
      h("h5", null, th.title, " ", h("span", { class: "badge dots" }, plural("dots", th.dots || 0))),
      th.objective ? h("p", null, h("span", { class: "label" }, t("objective")), " ", th.objective) : null,
      th.criteria && th.criteria.length
        ? h("div", null, h("span", { class: "label" }, t("criteria")), h("ul", null, th.criteria.map(function (c) { return h("li", null, c); })))
        : null,
      th.ideas && th.ideas.length
        ? h("div", null, h("span", { class: "label" }, t("ideas_title")), h("ul", { class: "plan-ideas" }, th.ideas.map(function (i) {
            return h("li", null, i.text, i.count > 1 ? h("span", { class: "badge count" }, plural("people", i.count)) : null);
          })))
        : null);
  }

  /** The action as the store has it now (its status moves on after the workshop; the plan's copy is frozen). */
  function liveAction(id) {
    var list = rounds();
    for (var i = 0; i < list.length; i++) if (list[i].actions[id]) return list[i].actions[id];
    return null;
  }

  function planAction(a) {
    var current = liveAction(a.id);
    var status = current ? current.status : a.status;
    var fields = [["field_owner", a.owner], ["partners", a.partners], ["field_deadline", a.deadline],
      ["field_resources", a.resources], ["indicators", a.indicators]];
    function empty(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length); }
    var filled = fields.filter(function (f) { return !empty(f[1]); });
    var missing = fields.filter(function (f) { return empty(f[1]); }).map(function (f) { return t(f[0]); });
    var groups = Object.keys(a.by_group || {});
    return h("li", { class: "plan-action" },
      h("div", { class: "pa-head" },
        h("span", { class: "rank" }, t("plan_rank", { n: a.rank })),
        h("h5", null, a.title),
        h("span", { class: "badge dots" }, plural("dots", a.dots || 0)),
        h("span", { class: "badge status status-" + status }, t("astatus_" + status))),
      a.theme ? h("p", { class: "hint" }, t("plan_theme_of", { t: a.theme.title }) + (a.theme.objective ? " — " + a.theme.objective : "")) : null,
      a.description ? h("p", null, a.description) : null,
      filled.length ? h("dl", { class: "sheet-dl" }, filled.reduce(function (out, f) {
        return out.concat([h("dt", null, t(f[0])), h("dd", null, Array.isArray(f[1]) ? f[1].join(", ") : f[1])]);
      }, [])) : null,
      missing.length ? h("p", { class: "to-complete" }, t("to_complete", { list: missing.join(", ") })) : null,
      typeof a.equal_weight_rank === "number" && a.voters
        ? h("p", { class: "hint" }, t("equal_weight_rank", { n: a.equal_weight_rank, s: String(a.equal_weight).replace(".", page.lang === "fr" ? "," : ".") }))
        : null,
      groups.length ? h("p", { class: "pv-groups" }, h("span", { class: "label" }, t("by_group")), " ",
        groups.map(function (g) { return groupName(g) + " " + a.by_group[g]; }).join(" · ")) : null,
      a.ideas && a.ideas.length
        ? h("div", { class: "lineage-block" }, h("span", { class: "label" }, t("lineage")),
            h("ul", { class: "lineage" }, a.ideas.map(function (i) { return h("li", null, i.text); })))
        : null);
  }

  // ------------------------------------------------------------------ restitution: publication, what became of the actions

  var NEXT_STATUS = { proposed: "planned", planned: "in_progress", in_progress: "done", done: "done", abandoned: "abandoned" };
  var FOLLOW_STATUSES = ["planned", "in_progress", "done", "abandoned"];

  /** Today in the facilitator's own calendar, as YYYY-MM-DD (what <input type=date> speaks). */
  function localToday() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }

  /** "2027-03-12" → "12 mars 2027" in the console's language (an ISO timestamp works too). */
  function dayLabel(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
    if (!m) return String(iso || "");
    var d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    try { return new Intl.DateTimeFormat(page.lang, { day: "numeric", month: "long", year: "numeric" }).format(d); }
    catch (e) { return m[0]; }
  }

  function statusBadge(status) {
    return h("span", { class: "badge status status-" + status }, t("astatus_" + status));
  }

  function renderRestitution() {
    var published = !!store.workshop.published_at;
    $("publish-state").textContent = published ? t("publish_on", { date: dayLabel(store.workshop.published_at) }) : t("publish_off");
    $("publish-state").className = "publish-state " + (published ? "is-on" : "is-off");
    var btn = $("publish-btn");
    btn.textContent = published ? t("publish_undo") : t("publish_do");
    btn.className = published ? "" : "primary";
    $("publish-link").hidden = !published;

    var closed = rounds().filter(function (r) { return r.phase === "closed"; });
    var body = $("followup-body");
    if (!closed.length) { replace(body, h("p", { class: "empty card" }, t("followup_none"))); return; }
    replace(body, closed.map(function (r) {
      var headId = "followup-round-" + r.id;
      var actions = rankedActions(r);
      return h("article", { class: "followup-round card", "aria-labelledby": headId },
        h("p", { class: "round-kicker" }, t("round_n", { n: r.position })),
        h("h3", { id: headId }, r.question),
        actions.length
          ? h("ol", { class: "followup-actions" }, actions.map(function (a, i) { return followupAction(r, a, i + 1); }))
          : h("p", { class: "empty" }, t("followup_no_actions")));
    }));
  }

  function followupAction(r, a, rank) {
    var titleId = "fa-title-" + a.id;
    var theme = r.themes[a.theme_id];
    var updates = a.updates || [];
    var meta = [];
    if (theme) meta.push(t("sheet_theme", { title: theme.title }));
    if (a.owner) meta.push(t("owner_v", { v: a.owner }));
    if (a.deadline) meta.push(t("deadline_v", { v: a.deadline }));
    return h("li", { class: "followup-action", "data-action-id": String(a.id) },
      h("div", { class: "fa-head" },
        h("span", { class: "rank", "aria-hidden": "true" }, String(rank)),
        h("h4", { id: titleId }, a.title),
        statusBadge(a.status)),
      meta.length ? h("p", { class: "hint" }, meta.join(" · ")) : null,
      h("div", { class: "fa-grid" },
        h("div", { class: "fa-history" },
          h("p", { class: "label" }, t("history_label")),
          h("ol", { class: "history" },
            h("li", { class: "history-step" },
              store.workshop.date ? h("time", { datetime: store.workshop.date }, dayLabel(store.workshop.date)) : null,
              h("span", { class: "history-decided" }, t("decided"))),
            updates.map(function (u) {
              return h("li", { class: "history-step" },
                h("time", { datetime: u.date }, dayLabel(u.date)), statusBadge(u.status),
                u.comment ? h("p", { class: "history-comment" }, u.comment) : null);
            })),
          updates.length ? null : h("p", { class: "hint" }, t("history_none"))),
        statusForm(a, titleId)));
  }

  function statusForm(a, titleId) {
    return persistent("status-" + a.id, function () {
      var id = a.id;
      var status = h("select", { id: "fs-status-" + id, name: "status" },
        FOLLOW_STATUSES.map(function (st) { return h("option", { value: st }, t("astatus_" + st)); }));
      status.value = NEXT_STATUS[a.status] || "planned";
      var today = localToday();
      var date = h("input", { type: "date", id: "fs-date-" + id, name: "date", value: today, max: today, required: true });
      var comment = h("textarea", { id: "fs-comment-" + id, name: "comment", rows: "2", maxlength: "500", "aria-describedby": "fs-comment-hint-" + id });
      var form = h("form", { class: "status-form", "data-key": "status-form-" + id },
        h("fieldset", null,
          h("legend", null, t("update_legend", { title: a.title })),
          h("div", { class: "status-fields" },
            h("div", { class: "field" }, h("label", { for: "fs-status-" + id }, t("update_status")), status),
            h("div", { class: "field" }, h("label", { for: "fs-date-" + id }, t("update_date")), date)),
          h("div", { class: "field" },
            h("label", { for: "fs-comment-" + id }, t("update_comment")), comment,
            h("span", { class: "hint", id: "fs-comment-hint-" + id }, t("update_comment_hint"))),
          h("button", { type: "submit", class: "primary", "aria-describedby": titleId }, t("update_submit"))));
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var max = localToday();
        if (!date.value || date.value > max) { notify(t("update_date_invalid")); date.focus(); return; }
        var btn = form.querySelector("button[type=submit]");
        btn.disabled = true;
        send("action.status", { action_id: id, status: status.value, date: date.value, comment: comment.value.trim() }).then(function (data) {
          btn.disabled = false;
          if (data && data.action) {
            putAction(data.action);
            status.value = NEXT_STATUS[data.action.status] || status.value;
          }
          comment.value = "";
          notify(t("update_done"), "ok");
        }).catch(function () { btn.disabled = false; });
      });
      return form;
    });
  }

  function setupRestitution() {
    $("publish-btn").addEventListener("click", function () {
      var publish = !store.workshop.published_at;
      confirmDialog(t(publish ? "publish_title" : "unpublish_title"), t(publish ? "publish_text" : "unpublish_text"),
        t(publish ? "publish_do" : "publish_undo")).then(function (ok) {
        if (!ok) return;
        send("restitution.publish", { published: publish }).then(function (data) {
          if (data && data.workshop) {
            store.workshop.published_at = data.workshop.published_at;
            invalidate("restitution");
          }
          notify(t(publish ? "published_done" : "unpublished_done"), "ok");
          focusLater("#publish-btn");
        }).catch(ignore);
      });
    });
    // The exports menu closes like a menu: Escape, or a click elsewhere.
    var menu = $("exports-menu");
    document.addEventListener("click", function (e) { if (menu.open && !menu.contains(e.target)) menu.open = false; });
    menu.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  }

  // ------------------------------------------------------------------ tabs

  var TABS = ["round", "plan", "restitution"];

  function selectTab(name, focus) {
    ui.tab = name;
    TABS.forEach(function (n) {
      var tab = $("tab-" + n), panel = $("panel-" + n);
      var on = n === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      panel.hidden = !on;
    });
    if (focus) $("tab-" + name).focus();
  }

  function setupTabs() {
    TABS.forEach(function (n, i, all) {
      var tab = $("tab-" + n);
      tab.addEventListener("click", function () { selectTab(n); });
      tab.addEventListener("keydown", function (e) {
        var k = e.key;
        if (k !== "ArrowRight" && k !== "ArrowLeft" && k !== "Home" && k !== "End") return;
        e.preventDefault();
        var j = k === "Home" ? 0 : k === "End" ? all.length - 1 : (i + (k === "ArrowRight" ? 1 : -1) + all.length) % all.length;
        selectTab(all[j], true);
      });
    });
  }

  // ------------------------------------------------------------------ incoming data

  // A broadcast about a round the store does not know yet is dropped: the next snapshot brings it.
  function putIdea(idea) {
    var r = store.rounds[idea.round_id];
    if (!r) return;
    if (!r.ideas[idea.id] && store.loaded) {
      ui.fresh[idea.id] = Date.now();
      setTimeout(function () { delete ui.fresh[idea.id]; }, FRESH_MS);
    }
    r.ideas[idea.id] = idea;
    if (ui.merging === idea.id && (idea.merged_into || idea.withdrawn)) ui.merging = null;
    invalidate("work");
  }
  function putTheme(theme) {
    var r = store.rounds[theme.round_id];
    if (!r) return;
    r.themes[theme.id] = theme;
    invalidate("work");
  }
  function putAction(action) {
    var r = store.rounds[action.round_id];
    if (!r) return;
    r.actions[action.id] = action;
    invalidate("work", "plan", "restitution");
  }

  function onSnapshot(data) {
    store.workshop = data.workshop || store.workshop;
    store.presence = data.presence || store.presence;
    store.plan = data.plan || null;
    var fresh = {};
    (data.rounds || []).forEach(function (rv) {
      var r = emptyRound(rv.id);
      fresh[rv.id] = r;
      (rv.ideas || []).forEach(function (i) { r.ideas[i.id] = i; });
      (rv.themes || []).forEach(function (x) { r.themes[x.id] = x; });
      (rv.actions || []).forEach(function (a) { r.actions[a.id] = a; });
      r.tallies.theme = tallyFromVotes(rv.votes, "theme");
      r.tallies.action = tallyFromVotes(rv.votes, "action");
      r.syntheses = rv.syntheses || {};
    });
    store.rounds = fresh;
    (data.rounds || []).forEach(upsertRound);
    if (ui.pinned && !store.rounds[ui.pinned]) ui.pinned = null;
    ui.timerRef = null;
    store.loaded = true;
    invalidate("header", "rounds", "control", "work", "plan", "restitution");
  }

  var events = {
    idea: putIdea,
    theme: putTheme,
    "theme.removed": function (d) {
      var r = store.rounds[d.round_id];
      if (!r) return;
      delete r.themes[d.id];
      delete r.tallies.theme[d.id];
      delete ui.editing[d.id];
      invalidate("work");
    },
    action: putAction,
    round: function (header) {
      var r = store.rounds[header.id];
      var before = r ? r.phase : null;
      upsertRound(header);
      if (before && before !== header.phase) {
        ui.merging = null;
        // Another console moved this round: the open preview no longer says what closing would freeze.
        if (ui.preview && ui.preview.roundId === header.id && ui.preview.phase !== header.phase) closeDialog($("preview-dialog"));
      }
      invalidate("rounds", "control", "work", "restitution");
    },
    tally: function (tl) {
      var r = store.rounds[tl.round_id];
      if (!r) return;
      var map = {};
      (tl.items || []).forEach(function (it) { map[it.id] = { dots: it.dots, voters: it.voters, by_group: it.by_group || {} }; });
      r.tallies[tl.kind] = map;
      if (tl.kind === "action") invalidate("work", "restitution");
      else invalidate("work");
    },
    presence: function (p) { store.presence = p; invalidate("header"); },
    synthesis: function (s) {
      var r = store.rounds[s.round_id];
      if (!r) return;
      if (s.data) r.syntheses[s.phase] = s.data; else delete r.syntheses[s.phase];
    },
    plan: function (plan) { store.plan = plan; invalidate("plan"); },
    workshop: function (w) {
      Object.keys(w).forEach(function (k) { store.workshop[k] = w[k]; });
      invalidate("header", "restitution");
    }
  };

  // ------------------------------------------------------------------ start

  function start() {
    setupTabs();
    setupControls();
    setupPreview();
    setupSheet();
    setupRestitution();
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && ui.merging && !document.querySelector("dialog[open]")) cancelMerge();
    });
    var statusBadge = Live.statusBadge($("status"));
    var pendingCount = 0;
    function showPending() {
      var el = $("pending");
      var show = pendingCount > 0 && live && live.state() !== "connected";
      el.hidden = !show;
      el.textContent = show ? plural("pending", pendingCount) : "";
    }
    function badge(state) { statusBadge(state); showPending(); }
    live = Live.connect({
      auth: function () { return { facilitator_token: page.token, lang: page.lang }; },
      outboxKey: "workshop:console:" + page.code,
      onSnapshot: onSnapshot,
      onStatus: badge,
      onRefused: function (err) {
        badge("offline");
        notify((err && err.message) || t("refused"));
      },
      onOutbox: function (items) { pendingCount = items.length; showPending(); },
      onDelivered: function (item, answer) {
        if (!answer || !answer.ok) notify((answer && answer.error && answer.error.message) || t("error_generic"));
      },
      events: events
    });
    window.workshopConsole = { store: store, live: live };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
