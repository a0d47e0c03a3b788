/* participant.js — the phone page (/j/<code>): join, then follow the current round.
 *
 * One column that follows the phase of the current round (the first round not
 * closed): lobby, diverge (post / edit / withdraw ideas), define (dot-vote on
 * themes), converge (propose actions, dot-vote on them), closed (thanks and a
 * recap). Writes go through Live's outbox; what is still waiting there is
 * shown as "waiting to be sent" and reconciled by id when the server answers.
 */
(function () {
  "use strict";

  var Live = window.Live, h = Live.h, t = Live.t, page = Live.page;
  var code = page.code;
  var TOKEN_KEY = "workshop:" + code + ":token";
  var DRAFT_KEY = "workshop:" + code + ":draft";
  var OUTBOX_KEY = "workshop:" + code + ":outbox";

  function $(id) { return document.getElementById(id); }
  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function getToken() { var s = store(); return s ? s.getItem(TOKEN_KEY) : null; }
  function setToken(v) { var s = store(); if (!s) return; if (v) s.setItem(TOKEN_KEY, v); else s.removeItem(TOKEN_KEY); }
  function norm(text) {
    text = String(text || "");
    if (text.normalize) text = text.normalize("NFC");
    return text.replace(/[ \t\u00a0]+/g, " ").replace(/ *\n */g, "\n").trim();
  }
  function plural(key, n, params) {
    var one = n === 1 || (page.lang === "fr" && n === 0);
    params = Object.assign({ n: n }, params || {});
    return t(key + (one ? "_one" : "_other"), params);
  }
  function byId(list, id) { for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i]; return null; }
  function upsert(list, item) {
    var old = byId(list, item.id);
    if (old) Object.assign(old, item); else { list.push(item); old = item; }
    return old;
  }
  function removeId(list, id) { for (var i = list.length - 1; i >= 0; i--) if (list[i].id === id) list.splice(i, 1); }

  // ------------------------------------------------------------------ state
  var S = {
    workshop: page.workshop || {},
    rounds: [],
    me: null,
    presence: { count: 0 },
    votes: { theme: {}, action: {} },   // my dots per item id (all rounds; ids are unique)
    voteAt: {},                         // "kind:id" -> when the write behind the last applied answer was made
    outbox: [],
    acked: { idea: {}, action: {} },    // ids learned from acks (they never match a pending write)
    seen: {},                           // "idea:12" -> when it first arrived here
    editing: null, confirming: null,    // idea id being edited / confirmed for withdrawal
    joined: !!getToken(),
    view: null                          // "roundId:phase" currently built
  };

  function settings() { return S.workshop.settings || {}; }
  function currentRound() {
    for (var i = 0; i < S.rounds.length; i++) if (S.rounds[i].phase !== "closed") return S.rounds[i];
    return S.rounds[S.rounds.length - 1] || null;
  }
  function roundOf(id) { return byId(S.rounds, id); }
  function markSeen(kind, id, when) { var k = kind + ":" + id; if (!S.seen[k]) S.seen[k] = when || Date.now(); }
  function ensureLists(r) {
    ["ideas", "themes", "actions"].forEach(function (k) { if (!r[k]) r[k] = []; });
    if (!r.tallies) r.tallies = { theme: null, action: null };
    if (!r.syntheses) r.syntheses = {};
    return r;
  }
  var ORDER = ["lobby", "diverge", "define", "converge", "closed"];
  var VOTE_PHASE = Live.VOTE_PHASE;
  /** The server's rule (docs/protocol.md): live tallies, revealed ones, or those of a closed vote. */
  function talliesVisible(r, kind) {
    return settings().tallies === "live" || r.tallies_revealed || ORDER.indexOf(r.phase) > ORDER.indexOf(VOTE_PHASE[kind]);
  }
  function pendingOf(event) { return S.outbox.filter(function (i) { return i.event === event; }); }

  // ------------------------------------------------------------ connection
  var statusEl = $("status");
  var setStatus = Live.statusBadge(statusEl);
  var timerEl = null;
  var setTimer = Live.ticker(function (text, left) {
    if (!timerEl) return;
    if (text === null) { timerEl.hidden = true; return; }
    timerEl.hidden = false;
    timerEl.textContent = left > 0 ? t("timer_left", { time: text }) : t("time_up");
    timerEl.className = "timer" + (left > 0 && left <= 60 ? " soon" : "") + (left === 0 ? " up" : "");
  });

  var live = Live.connect({
    auth: function () {
      var token = getToken();
      return token ? { code: code, token: token, lang: page.lang } : { code: code, lang: page.lang };
    },
    outboxKey: OUTBOX_KEY,
    onStatus: setStatus,
    onSnapshot: onSnapshot,
    onRefused: onRefused,
    onOutbox: function (items) { S.outbox = items; refresh(); },
    onDelivered: onDelivered,
    events: {
      idea: onIdea,
      "idea.removed": function (p) {
        var r = roundOf(p.round_id); if (!r) return;
        var idea = byId(r.ideas, p.id);
        if (idea && idea.mine) return; // my own copy follows from my private broadcast
        removeId(r.ideas, p.id); refresh();
      },
      theme: function (th) { var r = roundOf(th.round_id); if (!r) return; markSeen("theme", th.id); upsert(r.themes, th); refresh(); },
      "theme.removed": function (p) {
        var r = roundOf(p.round_id); if (!r) return;
        removeId(r.themes, p.id); delete S.votes.theme[p.id]; refresh();
      },
      action: function (a) { var r = roundOf(a.round_id); if (!r) return; markSeen("action", a.id); upsert(r.actions, a); refresh(); },
      round: function (rd) {
        var r = roundOf(rd.id);
        if (r) Object.assign(r, rd); else r = ensureLists(rd), S.rounds.push(r);
        // Results hidden again (a phase moved on, or the facilitator hid them): forget what was shown.
        ["theme", "action"].forEach(function (kind) { if (!talliesVisible(r, kind)) r.tallies[kind] = null; });
        S.rounds.sort(function (a, b) { return a.position - b.position; });
        refresh();
      },
      tally: function (tl) {
        var r = roundOf(tl.round_id); if (!r) return;
        r.tallies[tl.kind] = tl.visible === false ? null : tl.items;
        refresh();
      },
      presence: function (p) { S.presence = p; refresh(); },
      synthesis: function (sy) {
        var r = roundOf(sy.round_id); if (!r) return;
        if (sy.data) r.syntheses[sy.phase] = sy.data; else delete r.syntheses[sy.phase];
        refresh();
      },
      workshop: function (w) { S.workshop = Object.assign({}, S.workshop, w); refresh(); }
    }
  });
  window.workshopLive = live;

  function onSnapshot(data) {
    S.workshop = data.workshop || S.workshop;
    S.presence = data.presence || S.presence;
    var now = Date.now();
    S.rounds = (data.rounds || []).map(ensureLists);
    S.rounds.forEach(function (r) {
      r.ideas.forEach(function (i) { markSeen("idea", i.id, now); });
      r.actions.forEach(function (a) { markSeen("action", a.id, now); });
    });
    if (data.role === "participant" && data.me) {
      S.me = data.me;
      S.joined = true;
      S.votes = { theme: {}, action: {} };
      S.voteAt = {};
      Object.keys(data.me.votes || {}).forEach(function (rid) {
        var v = data.me.votes[rid];
        ["theme", "action"].forEach(function (kind) {
          Object.keys(v[kind] || {}).forEach(function (id) { S.votes[kind][id] = v[kind][id]; });
        });
      });
    } else {
      S.me = null;
      S.joined = false;
    }
    refresh(); // same round and phase: updated in place (a draft being typed survives a reconnection)
  }

  function onRefused(err) {
    if (err.code === "bad_token") {
      setToken(null);
      S.joined = false; S.me = null; S.view = null;
      showJoin(err.message || t("join_again"));
      $("join-button").disabled = false;
      setTimeout(function () { live.socket.connect(); }, 0); // as a guest now
    } else if (err.code === "unknown_code") {
      showJoin(err.message || t("workshop_gone"));
      $("join-form").hidden = true;
    } else {
      showJoin(err.message || t("error_generic"));
    }
    refresh();
  }

  function onDelivered(item, answer) {
    var ok = answer && answer.ok, data = ok ? answer.data : null;
    var error = ok ? null : ((answer && answer.error) || { message: t("error_generic") });
    var p = item.payload;
    switch (item.event) {
      case "join":
        if (ok) {
          setToken(data.token);
          S.joined = true;
          live.reconnect(); // come back as this participant (snapshot with "me")
        } else if (error.code === "role") {
          live.reconnect();
        } else {
          $("join-error").textContent = error.message;
          $("join-button").disabled = false;
        }
        break;
      case "idea.post":
        if (ok) { S.acked.idea[data.idea.id] = true; storeIdea(data.idea); toast(t("sent_toast")); }
        else failedPost(p.text, error);
        break;
      case "idea.edit":
      case "idea.withdraw":
        if (ok) storeIdea(data.idea); else toast(error.message, true);
        break;
      case "vote":
        if (ok) {
          // Two quick taps may be answered out of order: keep the answer to the latest one.
          var k = data.kind + ":" + data.target_id;
          if (!(S.voteAt[k] > item.at)) { S.voteAt[k] = item.at; S.votes[data.kind][data.target_id] = data.dots; }
        } else toast(error.message, true);
        break;
      case "action.propose":
        if (ok) {
          S.acked.action[data.action.id] = true;
          var r = roundOf(data.action.round_id);
          if (r) { markSeen("action", data.action.id); upsert(r.actions, data.action); }
          toast(t("proposed_toast"));
        } else failedAction(p, error);
        break;
      default:
        if (!ok) toast(error.message, true);
    }
    refresh();
  }

  function storeIdea(idea) {
    var r = roundOf(idea.round_id); if (!r) return;
    markSeen("idea", idea.id);
    var old = byId(r.ideas, idea.id);
    var mine = idea.mine || (old && old.mine);
    if (!mine && (idea.hidden || idea.withdrawn || idea.merged_into)) { removeId(r.ideas, idea.id); return; }
    upsert(r.ideas, idea);
    if (mine) byId(r.ideas, idea.id).mine = true;
  }
  function onIdea(idea) { storeIdea(idea); refresh(); }

  // -------------------------------------------------------------- join form
  function showJoin(message) {
    $("join").hidden = false;
    $("app").hidden = true;
    var m = $("join-message");
    m.textContent = message || "";
    m.hidden = !message;
  }

  $("join-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var pseudo = $("pseudonym");
    var checked = document.querySelector("input[name=group]:checked");
    var payload = {};
    if (pseudo && norm(pseudo.value)) payload.pseudonym = norm(pseudo.value);
    if (checked) payload.group = checked.value;
    $("join-error").textContent = "";
    $("join-button").disabled = true;
    live.send("join", payload).catch(function () {});
  });

  // ----------------------------------------------------------------- toasts
  var toastEl = $("toast"), infoEl = $("toast-info"), toastTimer = null;
  /** A short message at the bottom: errors in the alert region, confirmations in the polite one. */
  function toast(message, isError) {
    var el = isError ? toastEl : infoEl, other = isError ? infoEl : toastEl;
    other.hidden = true;
    el.textContent = message;
    el.hidden = false;
    if (toastTimer) clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, isError ? 7000 : 3000);
  }
  function hideToasts() { toastEl.hidden = true; infoEl.hidden = true; }

  // --------------------------------------------------------------- rendering
  var view = $("view");
  var parts = {}; // live elements of the view being shown

  function refresh() {
    if (!S.joined) {
      var waitingJoin = pendingOf("join").length > 0;
      showJoinIfNeeded(waitingJoin);
      return;
    }
    $("join").hidden = true;
    $("app").hidden = false;
    var r = currentRound();
    if (!r || !S.me) { // connecting (just joined, or reloaded): say so until the snapshot comes
      if (!S.view) $("phase-title").textContent = t("status_connecting");
      return;
    }
    var key = viewKey(r);
    if (S.view !== key) build(r);
    update(r);
  }

  function showJoinIfNeeded(waiting) {
    $("join").hidden = false;
    $("app").hidden = true;
    if (waiting) $("join-button").disabled = true;
  }

  var PHASE_TITLES = { lobby: "phase_lobby", diverge: "diverge_title", define: "define_title", converge: "converge_title", closed: "closed_title" };

  /** What the built view depends on: the round, its phase, and (lobby, closed) the recaps shown. */
  function viewKey(r) {
    var key = r.id + ":" + r.phase;
    if (r.phase === "lobby" || r.phase === "closed") {
      key += ":" + JSON.stringify(S.rounds.filter(function (x) { return x.phase === "closed"; }).map(function (x) { return x.syntheses; }));
    }
    if (r.phase === "closed") key += ":" + (S.workshop.published_at ? "published" : "");
    return key;
  }

  var lastPhase = null;
  function build(r) {
    var phaseChanged = lastPhase !== null && lastPhase !== r.id + ":" + r.phase;
    lastPhase = r.id + ":" + r.phase;
    S.view = viewKey(r);
    S.editing = null; S.confirming = null;
    parts = {};
    var app = $("app");
    app.dataset.phase = r.phase;
    app.dataset.round = r.id;
    var allClosed = r.phase === "closed";
    $("round-label").textContent = t("round_of", { n: r.position, total: S.rounds.length }) + " · " + t("phase_" + r.phase);
    var title = $("phase-title");
    title.textContent = r.phase === "lobby" ? helloText() : t(PHASE_TITLES[r.phase]);
    view.textContent = "";
    hideToasts();
    timerEl = h("p", { class: "timer", role: "timer", "aria-live": "off", hidden: true });
    if (!allClosed) view.appendChild(timerEl);
    if (r.phase !== "closed") view.appendChild(questionCard(r));
    ({ lobby: buildLobby, diverge: buildDiverge, define: buildDefine, converge: buildConverge, closed: buildClosed })[r.phase](r);
    setTimer(r.timer);
    if (phaseChanged) announce(title.textContent);
  }

  function helloText() {
    return S.me && S.me.pseudonym ? t("hello_name", { name: S.me.pseudonym }) : t("hello");
  }

  var announcer = null;
  function announce(text) {
    if (!announcer) { announcer = h("p", { class: "visually-hidden", "aria-live": "assertive" }); document.body.appendChild(announcer); }
    announcer.textContent = text;
  }

  function questionCard(r) {
    return h("div", { class: "question card" }, h("p", { class: "label" }, t("question")), h("p", { class: "text" }, r.question));
  }

  function update(r) {
    if (timerEl) setTimerIfChanged(r.timer);
    if (parts.update) parts.update(r);
  }
  var lastTimer = null;
  function setTimerIfChanged(timer) {
    var k = JSON.stringify(timer || null);
    if (k === lastTimer) return;
    lastTimer = k;
    setTimer(timer);
  }

  // ------------------------------------------------------------------ lobby
  function whoAmI() {
    if (!S.me) return "";
    var bits = [];
    if (S.me.pseudonym) bits.push(S.me.pseudonym);
    if (S.me.group) bits.push(S.me.group);
    return bits.length ? t("you_are", { who: bits.join(" · ") }) : t("you_are_anonymous");
  }

  function buildLobby(r) {
    var prev = r.position > 1 ? S.rounds.filter(function (x) { return x.position === r.position - 1; })[0] : null;
    var people = h("p", { class: "people", "aria-live": "polite" });
    view.appendChild(h("div", { class: "card next" },
      h("p", { class: "big" }, t(prev ? "lobby_next_round" : "lobby_next")),
      h("p", { class: "hint" }, whoAmI()),
      people));
    if (prev) {
      view.appendChild(h("h3", {}, t("closed_round_title", { n: prev.position })));
      view.appendChild(recap(prev));
    }
    parts.update = function () { people.textContent = plural("people", S.presence.count || 0); };
  }

  // ---------------------------------------------------------------- diverge
  function buildDiverge(r) {
    var max = settings().max_idea_length || 200;
    var area = h("textarea", { id: "idea-text", name: "text", rows: "3", "aria-describedby": "idea-count", autocomplete: "off" });
    var counter = h("p", { id: "idea-count", class: "counter hint" });
    var err = h("p", { id: "idea-error", class: "error-text", role: "alert" });
    var send = h("button", { type: "submit", class: "primary big", id: "idea-send" }, t("send"));
    function count() {
      var n = norm(area.value).length;
      counter.textContent = t(n > max ? "chars_over" : "chars", { n: n, max: max });
      counter.className = "counter hint" + (n > max ? " over" : "");
    }
    var st = store();
    if (st && st.getItem(DRAFT_KEY)) area.value = st.getItem(DRAFT_KEY);
    function saveDraft() { if (st) { if (area.value) st.setItem(DRAFT_KEY, area.value); else st.removeItem(DRAFT_KEY); } }
    area.addEventListener("input", function () { count(); saveDraft(); if (err.textContent) err.textContent = ""; });
    var form = h("form", { class: "card idea-form", novalidate: true, onsubmit: function (ev) {
      ev.preventDefault();
      var text = norm(area.value);
      if (!text) { err.textContent = t("empty_idea"); area.focus(); return; }
      if (text.length > max) { err.textContent = t("chars_over", { n: text.length, max: max }); area.focus(); return; }
      err.textContent = "";
      live.send("idea.post", { text: text }).catch(function () {});
      area.value = "";
      saveDraft();
      count();
      if (!live.socket.connected) toast(t("queued_toast"));
      area.focus();
    } },
      h("p", { class: "hint" }, t("diverge_intro")),
      h("label", { for: "idea-text" }, t("your_idea")),
      area, counter, err, send);
    count();
    var room = h("p", { class: "room-count", "aria-live": "polite", id: "room-count" });
    var list = h("ul", { class: "my-ideas", id: "my-ideas" });
    var empty = h("p", { class: "hint" }, t("no_ideas_yet"));
    view.appendChild(form);
    view.appendChild(room);
    view.appendChild(h("section", { class: "mine", "aria-labelledby": "my-ideas-title" },
      h("h3", { id: "my-ideas-title" }, t("my_ideas")), empty, list));
    parts.textarea = area;
    parts.error = err;
    parts.update = function (rr) {
      // The room's count comes from the coalesced `presence` (phones are not sent everyone's ideas).
      var counted = S.presence.ideas && S.presence.ideas[String(rr.id)];
      var visible = counted !== undefined ? counted : rr.ideas.filter(function (i) { return !(i.hidden || i.withdrawn || i.merged_into); }).length;
      var mine = myIdeaRows(rr);
      room.textContent = plural("room_ideas", visible + mine.filter(function (m) { return m.pending && m.isNew; }).length);
      empty.hidden = mine.length > 0;
      syncList(list, mine, ideaRow);
    };
  }

  function failedPost(text, error) {
    if (parts.error) {
      parts.error.textContent = error.message;
      if (parts.textarea && !parts.textarea.value) { parts.textarea.value = text; parts.textarea.dispatchEvent(new Event("input")); parts.error.textContent = error.message; }
    }
    toast(error.message, true);
  }

  /** My ideas to show: confirmed ones (with pending edits) and posts still in the outbox, no duplicates. */
  function myIdeaRows(r) {
    var rows = [];
    var edits = {}, withdrawing = {};
    pendingOf("idea.edit").forEach(function (i) { edits[i.payload.idea_id] = i.payload.text; });
    pendingOf("idea.withdraw").forEach(function (i) { withdrawing[i.payload.idea_id] = true; });
    var mine = r.ideas.filter(function (i) { return i.mine && !i.withdrawn && !i.merged_into; });
    var claimed = {};
    var posts = pendingOf("idea.post").filter(function (item) {
      if (item.payload.round_id && item.payload.round_id !== r.id) return false;
      // Already arrived by broadcast (or in a snapshot) before its ack? Then it is that idea.
      var match = mine.filter(function (i) {
        return !claimed[i.id] && !S.acked.idea[i.id] && norm(i.text) === norm(item.payload.text) && (S.seen["idea:" + i.id] || 0) >= item.at;
      })[0];
      if (match) { claimed[match.id] = true; return false; }
      return true;
    });
    mine.sort(function (a, b) { return a.id - b.id; });
    mine.forEach(function (i) {
      if (withdrawing[i.id]) return;
      var pendingText = edits[i.id];
      rows.push({ key: "i" + i.id, id: i.id, text: pendingText !== undefined ? pendingText : i.text, pending: pendingText !== undefined, hidden: i.hidden });
    });
    posts.forEach(function (item) {
      rows.push({ key: "op" + item.payload.op_id, id: null, text: item.payload.text, pending: true, isNew: true });
    });
    return rows;
  }

  function ideaRow(row) {
    var editing = row.id !== null && S.editing === row.id;
    var confirming = row.id !== null && S.confirming === row.id;
    var sig = [row.pending, row.hidden, editing, confirming, editing ? "" : row.text].join("|");
    return { key: row.key, sig: sig, build: function (li) {
      li.className = "idea" + (row.pending ? " pending" : "") + (row.hidden ? " hidden-idea" : "");
      li.dataset.pending = row.pending ? "true" : "false";
      if (editing) return buildEditor(li, row);
      li.appendChild(h("p", { class: "idea-text" }, row.text));
      if (row.pending) li.appendChild(h("p", { class: "badge pending-badge" }, t("pending")));
      if (row.hidden) li.appendChild(h("p", { class: "badge hidden-badge" }, t("hidden_by_facilitator")));
      if (row.id === null || row.pending || row.hidden) return;
      if (confirming) {
        li.appendChild(h("div", { class: "confirm", role: "group", "aria-label": t("withdraw") },
          h("p", { class: "confirm-text" }, t("withdraw_confirm")),
          h("div", { class: "row" },
            h("button", { type: "button", class: "danger solid", "data-action": "withdraw-yes", onclick: function () {
              S.confirming = null;
              live.send("idea.withdraw", { idea_id: row.id }).catch(function () {});
              refresh();
            } }, t("withdraw_yes")),
            h("button", { type: "button", "data-action": "withdraw-no", onclick: function () {
              S.confirming = null; refresh(); focusRow(row.key, "[data-action=withdraw]");
            } }, t("cancel")))));
        var yes = li.querySelector("[data-action=withdraw-yes]");
        setTimeout(function () { yes.focus(); }, 0);
        return;
      }
      li.appendChild(h("div", { class: "row actions" },
        h("button", { type: "button", class: "small", "data-action": "edit", "aria-label": t("edit") + " : " + shorten(row.text), onclick: function () {
          S.editing = row.id; S.confirming = null; refresh();
        } }, t("edit")),
        h("button", { type: "button", class: "small danger", "data-action": "withdraw", "aria-label": t("withdraw") + " : " + shorten(row.text), onclick: function () {
          S.confirming = row.id; S.editing = null; refresh();
        } }, t("withdraw"))));
    } };
  }

  function shorten(text) { return text.length > 40 ? text.slice(0, 39) + "…" : text; }

  function focusRow(key, selector) {
    var li = document.querySelector('[data-key="' + key + '"]');
    var el = li && li.querySelector(selector);
    if (el) el.focus();
  }

  function buildEditor(li, row) {
    var max = settings().max_idea_length || 200;
    var id = "edit-" + row.id;
    var area = h("textarea", { id: id, rows: "3", "aria-describedby": id + "-count" });
    area.value = row.text;
    var counter = h("p", { id: id + "-count", class: "counter hint" });
    var err = h("p", { class: "error-text", role: "alert" });
    function count() {
      var n = norm(area.value).length;
      counter.textContent = t(n > max ? "chars_over" : "chars", { n: n, max: max });
      counter.className = "counter hint" + (n > max ? " over" : "");
    }
    area.addEventListener("input", count);
    count();
    li.appendChild(h("form", { class: "editor", novalidate: true, onsubmit: function (ev) {
      ev.preventDefault();
      var text = norm(area.value);
      if (!text) { err.textContent = t("empty_idea"); return; }
      if (text.length > max) { err.textContent = t("chars_over", { n: text.length, max: max }); return; }
      S.editing = null;
      if (text !== norm(row.text)) live.send("idea.edit", { idea_id: row.id, text: text }).catch(function () {});
      refresh();
      focusRow(row.key, "[data-action=edit]");
    } },
      h("label", { for: id }, t("edit_idea")), area, counter, err,
      h("div", { class: "row" },
        h("button", { type: "submit", class: "primary" }, t("save")),
        h("button", { type: "button", onclick: function () { S.editing = null; refresh(); focusRow(row.key, "[data-action=edit]"); } }, t("cancel")))));
    setTimeout(function () { area.focus(); }, 0);
  }

  /** Keep a list's children in step with rows {key, sig, build(li)}: untouched rows keep their DOM (and focus). */
  function syncList(list, rows, toSpec) {
    var existing = {};
    Array.prototype.forEach.call(list.children, function (el) { existing[el.dataset.key] = el; });
    var keep = {};
    rows.forEach(function (row, index) {
      var spec = toSpec(row);
      keep[spec.key] = true;
      var el = existing[spec.key];
      if (!el) { el = h("li", { dataset: { key: spec.key } }); }
      if (el._sig !== spec.sig) { el.textContent = ""; el._sig = spec.sig; spec.build(el); }
      if (list.children[index] !== el) list.insertBefore(el, list.children[index] || null);
    });
    Object.keys(existing).forEach(function (k) { if (!keep[k]) list.removeChild(existing[k]); });
  }

  // ------------------------------------------------------------ dot voting
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
    var budget = (S.me && S.me.budget) || settings().dot_budget || 0;
    var cap = (S.me && S.me.cap) || settings().dot_cap || budget;
    return { mine: mine, used: used, remaining: Math.max(0, budget - used), budget: budget, cap: cap, waiting: waiting };
  }

  function budgetBar() {
    var text = h("p", { class: "budget-text", id: "budget-text" });
    var dots = h("span", { class: "dots", "aria-hidden": "true" });
    var el = h("div", { class: "budget", "aria-live": "polite", "aria-atomic": "true" }, dots, text);
    el.update = function (vs) {
      var s = plural("budget_left", vs.remaining, { remaining: vs.remaining, budget: vs.budget });
      if (vs.waiting) s += " " + t("budget_pending", { n: vs.waiting });
      if (text.textContent !== s) text.textContent = s;
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
    var titleEl = h(tag || "h3", { class: "item-title" });
    var body = h("div", { class: "item-body" });
    var tally = h("p", { class: "tally" });
    var count = h("span", { class: "mine-count" });
    var minus = h("button", { type: "button", class: "vote minus", "data-vote": "minus" }, h("span", { "aria-hidden": "true" }, "−"));
    var plus = h("button", { type: "button", class: "vote plus", "data-vote": "plus" }, h("span", { "aria-hidden": "true" }, "+"));
    var pips = h("span", { class: "pips", "aria-hidden": "true" });
    var el = h("article", { class: "card vote-card", dataset: { id: item.id, kind: kind } }, titleEl, body, tally,
      h("div", { class: "controls" }, minus, h("span", { class: "mine-box" }, count, pips), plus));
    var current = item, state = null, bodySig = null;
    function press(delta) {
      return function () {
        var btn = delta > 0 ? plus : minus;
        if (btn.getAttribute("aria-disabled") === "true") {
          if (delta > 0) toast(state.remaining <= 0 ? t("no_dots_left", { budget: state.budget }) : t("cap_reached", { cap: state.cap }), true);
          return;
        }
        live.send("vote", { kind: kind, target_id: current.id, delta: delta }).catch(function () {});
      };
    }
    minus.addEventListener("click", press(-1));
    plus.addEventListener("click", press(1));
    el.update = function (it, vs, tallies) {
      current = it; state = vs;
      if (titleEl.textContent !== it.title) titleEl.textContent = it.title;
      var sig = kind === "theme" ? JSON.stringify([it.objective, it.criteria]) : JSON.stringify([it.description]);
      if (sig !== bodySig) {
        bodySig = sig;
        body.textContent = "";
        if (kind === "theme") {
          if (it.objective) body.appendChild(h("p", { class: "objective" }, h("strong", {}, t("objective") + " : "), it.objective));
          if (it.criteria && it.criteria.length) {
            body.appendChild(h("p", { class: "crit-label" }, t("criteria")));
            body.appendChild(h("ul", { class: "criteria" }, it.criteria.map(function (c) { return h("li", {}, c); })));
          }
        } else if (it.description) {
          body.appendChild(h("p", { class: "description" }, it.description));
        }
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
      var row = tallies ? byId(tallies, it.id) : null;
      tally.hidden = !tallies;
      if (tallies) tally.textContent = plural("dots_total", row ? row.dots : 0);
      el.classList.toggle("has-dots", mine > 0);
    };
    return el;
  }

  /** Keyed cards inside a container: created once, updated in place, removed when gone. */
  function syncCards(container, items, make) {
    var existing = {};
    Array.prototype.forEach.call(container.children, function (el) { if (el.dataset.id) existing[el.dataset.id] = el; });
    var keep = {};
    var out = items.map(function (it, index) {
      var k = String(it.id);
      keep[k] = true;
      var el = existing[k] || make(it);
      if (container.children[index] !== el) container.insertBefore(el, container.children[index] || null);
      return el;
    });
    Object.keys(existing).forEach(function (k) { if (!keep[k]) container.removeChild(existing[k]); });
    return out;
  }

  // ----------------------------------------------------------------- define
  function buildDefine() {
    var intro = h("p", { class: "hint" }, t("define_intro", { cap: settings().dot_cap }));
    var bar = budgetBar();
    var note = h("p", { class: "results-note" }, t("results_hidden"));
    var waiting = h("p", { class: "card next big" }, t("no_themes"));
    var list = h("div", { class: "cards", id: "themes" });
    view.appendChild(intro);
    view.appendChild(bar);
    view.appendChild(note);
    view.appendChild(waiting);
    view.appendChild(list);
    parts.update = function (r) {
      var themes = r.themes.slice().sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
      var vs = voteState("theme", themes);
      bar.update(vs);
      bar.hidden = themes.length === 0;
      waiting.hidden = themes.length > 0;
      note.hidden = themes.length === 0 || !!r.tallies.theme;
      var cards = syncCards(list, themes, function (it) { return voteCard("theme", it, "h3"); });
      cards.forEach(function (el, i) { el.update(themes[i], vs, r.tallies.theme); });
    };
  }

  // --------------------------------------------------------------- converge
  function buildConverge() {
    var intro = h("p", { class: "hint" }, t("converge_intro", { cap: settings().dot_cap }), " ",
      h("a", { href: "#propose-form", class: "jump" }, t("propose_title")));
    var bar = budgetBar();
    var note = h("p", { class: "results-note" }, t("results_hidden"));
    var waiting = h("p", { class: "card next big" }, t("no_kept_themes"));
    var groups = h("div", { class: "theme-groups", id: "kept-themes" });
    view.appendChild(intro);
    view.appendChild(bar);
    view.appendChild(note);
    view.appendChild(waiting);
    view.appendChild(groups);
    var form = proposeForm();
    view.appendChild(form);
    parts.update = function (r) {
      var kept = r.themes.filter(function (x) { return x.kept; }).sort(function (a, b) { return (a.position - b.position) || (a.id - b.id); });
      var actions = r.actions.filter(function (a) { return a.status !== "abandoned"; }).sort(function (a, b) { return a.id - b.id; });
      var vs = voteState("action", actions);
      bar.update(vs);
      bar.hidden = actions.length === 0;
      waiting.hidden = kept.length > 0;
      note.hidden = actions.length === 0 || !!r.tallies.action;
      form.hidden = kept.length === 0;
      form.update(kept);
      var pendingProposals = pendingProposalsFor(r);
      var sections = syncCards(groups, kept, function (th) {
        var head = h("h3", { class: "theme-title" });
        var obj = h("p", { class: "objective" });
        var list = h("div", { class: "cards" });
        var pend = h("ul", { class: "pending-list" });
        var none = h("p", { class: "hint" }, t("no_actions"));
        var sec = h("section", { class: "theme-group", dataset: { id: th.id }, "aria-labelledby": "kt-" + th.id }, head, obj, none, list, pend);
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
              li.appendChild(h("p", { class: "item-title" }, p.payload.title));
              li.appendChild(h("p", { class: "badge pending-badge" }, t("pending")));
            } };
          });
        };
        return sec;
      });
      sections.forEach(function (sec, i) { sec.update(kept[i], r, actions, vs, pendingProposals); });
    };
  }

  function pendingProposalsFor(r) {
    var claimed = {};
    return pendingOf("action.propose").filter(function (item) {
      var match = r.actions.filter(function (a) {
        return !claimed[a.id] && !S.acked.action[a.id] && a.theme_id === item.payload.theme_id && norm(a.title) === norm(item.payload.title) && (S.seen["action:" + a.id] || 0) >= item.at;
      })[0];
      if (match) { claimed[match.id] = true; return false; }
      return true;
    });
  }

  function proposeForm() {
    var select = h("select", { id: "action-theme", name: "theme_id" });
    var themeField = h("div", { class: "field" }, h("label", { for: "action-theme" }, t("action_theme")), select);
    var title = h("input", { id: "action-title", name: "title", type: "text", maxlength: "200", autocomplete: "off" });
    var desc = h("textarea", { id: "action-description", name: "description", rows: "3" });
    var err = h("p", { id: "action-error", class: "error-text", role: "alert" });
    var form = h("form", { class: "card propose", id: "propose-form", novalidate: true, "aria-labelledby": "propose-title", onsubmit: function (ev) {
      ev.preventDefault();
      var tt = norm(title.value);
      if (!tt) { err.textContent = t("empty_action"); title.focus(); return; }
      err.textContent = "";
      var payload = { theme_id: Number(select.value), title: tt };
      if (norm(desc.value)) payload.description = norm(desc.value);
      live.send("action.propose", payload).catch(function () {});
      title.value = ""; desc.value = "";
      if (!live.socket.connected) toast(t("queued_toast"));
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
    parts.proposeForm = form;
    return form;
  }

  function failedAction(payload, error) {
    if (parts.proposeForm) parts.proposeForm.showError(payload, error);
    toast(error.message, true);
  }

  // ----------------------------------------------------------------- closed
  function buildClosed() {
    // Once the organiser publishes the restitution (workshop.published_at), the promised link is here.
    var published = !!S.workshop.published_at && page.restitution_url;
    view.appendChild(h("div", { class: "card next" + (published ? " published" : ""), id: "restitution" },
      h("p", { class: "big" }, t(published ? "closed_published" : "closed_next")),
      published ? h("a", { class: "button primary big", id: "restitution-link", href: page.restitution_url }, t("closed_link")) : null));
    var closed = S.rounds.filter(function (x) { return x.phase === "closed"; });
    view.appendChild(h("h3", {}, t("recap")));
    closed.forEach(function (r) {
      var block = h("section", { class: "recap-round", "aria-labelledby": "recap-" + r.id },
        h("h4", { id: "recap-" + r.id }, t("round_of", { n: r.position, total: S.rounds.length })),
        h("p", { class: "recap-question" }, r.question));
      block.appendChild(recap(r, "h5"));
      view.appendChild(block);
    });
  }

  /** What a closed round decided: kept themes and ranked actions, from its frozen syntheses. */
  function recap(r, tag) {
    tag = tag || "h4";
    var define = r.syntheses && r.syntheses.define, converge = r.syntheses && r.syntheses.converge;
    var kept = define ? define.themes.filter(function (x) { return x.kept; }) : [];
    var actions = converge ? converge.actions.filter(function (a) { return a.status !== "abandoned"; }) : [];
    var box = h("div", { class: "card recap" });
    if (!kept.length && !actions.length) {
      box.appendChild(h("p", { class: "hint" }, t(define || converge ? "recap_none" : "recap_empty")));
      return box;
    }
    if (kept.length) {
      box.appendChild(h(tag, {}, t("recap_themes")));
      box.appendChild(h("ul", { class: "recap-list" }, kept.map(function (th) {
        return h("li", {}, h("strong", {}, th.title), th.objective ? h("span", { class: "hint block" }, th.objective) : null);
      })));
    }
    if (actions.length) {
      box.appendChild(h(tag, {}, t("recap_actions")));
      box.appendChild(h("ol", { class: "recap-list" }, actions.slice(0, 10).map(function (a) {
        return h("li", {}, h("strong", {}, a.title), " ", h("span", { class: "hint" }, "(" + plural("dots_total", a.dots || 0) + ")"));
      })));
    }
    return box;
  }

  // ---------------------------------------------------------------- startup
  if (S.joined) { $("join").hidden = true; $("app").hidden = false; $("phase-title").textContent = t("status_connecting"); }
  else refresh();
})();
