/* screen.js — the projector screen (read-only, no controls).
 *
 * One Socket.IO connection as role "screen"; the view is rebuilt from the
 * snapshot after every (re)connection and kept current by the broadcasts
 * (docs/protocol.md). What is shown depends on the current round's phase:
 * lobby (big QR code), diverge (wall of ideas + word cloud), define (themes),
 * converge (actions, ranked bars once tallies are visible), closed (synthesis).
 * Nothing ever scrolls: long walls shrink a little, then turn into pages.
 */
(function () {
  "use strict";

  var Live = window.Live;
  var h = Live.h;
  var page = Live.page;
  var PHASES = Live.PHASES;
  var VOTE_PHASE = Live.VOTE_PHASE;
  var PAGE_SECONDS = 12;
  var MAX_WORDS = 40;

  /* ------------------------------------------------------------ words */

  // Stop words (lower case, accents kept): articles, pronouns, prepositions,
  // conjunctions, auxiliaries and the most common verbs and adverbs.
  var STOP_FR = (
    "le la les l un une des du de d au aux ce cet cette ces ceci cela ça c mon ma mes ton ta tes son sa ses " +
    "notre nos votre vos leur leurs quel quelle quels quelles chaque tout toute tous toutes autre autres même mêmes " +
    "certain certaine certains certaines plusieurs aucun aucune nul nulle tel telle tels telles " +
    "je j tu il elle on nous vous ils elles me m te t se s moi toi soi lui eux y en qui que qu quoi dont où " +
    "celui celle ceux celles ici là-bas " +
    "à a dans par pour vers avec sans sous sur chez entre contre depuis pendant avant après jusqu jusque jusqu'à " +
    "selon malgré parmi hors dès via près loin auprès lors afin envers durant outre côté face " +
    "et ou mais donc or ni car quand comme si lorsque lorsqu puisque puisqu parce quoique quoiqu " +
    "ne n pas plus moins très trop peu bien mal aussi encore déjà toujours jamais souvent parfois ici là alors ainsi " +
    "tant tellement beaucoup assez non oui vraiment surtout enfin puis ensuite seulement notamment etc " +
    "être suis es est sommes êtes sont étais était étions étiez étaient été serai seras sera serons serez seront " +
    "serais serait serions seriez seraient sois soit soyons soyez soient fut furent " +
    "avoir ai as avons avez ont avais avait avions aviez avaient eu eue eus aurai auras aura aurons aurez auront " +
    "aurais aurait aurions auriez auraient aie aies ait ayons ayez aient " +
    "faire fais fait faisons faites font faisait faisaient fera feront ferait feraient fasse fassent faits faite " +
    "pouvoir peux peut pouvons pouvez peuvent pourra pourront pourrait pourraient puisse puissent pu " +
    "devoir dois doit devons devez doivent devra devront devrait devraient dû " +
    "falloir faut faudra faudrait fallait aller vais vas va allons allez vont ira iront irait " +
    "vouloir veux veut voulons voulez veulent voudrait voudraient mettre met mettent " +
    "peut-être c'est-à-dire est-ce vis-à-vis aujourd hui cas chose choses fois"
  ).split(/\s+/);
  var STOP_EN = (
    "a an the this that these those my your his her its our their i you he she it we they me him us them " +
    "myself yourself itself ourselves themselves who whom whose which what where when why how " +
    "and or but nor so yet for of to in on at by with from into onto about above below over under " +
    "between through during before after without within against among across along around up down out off " +
    "than then too very can could will would shall should may might must do does did done doing " +
    "be is am are was were been being have has had having get gets got getting make makes made " +
    "not no yes all any some each every more most less other others such only own same also just there here " +
    "as if because while until again further once both few many much lot lots thing things way " +
    "don doesn didn isn aren wasn weren won can't couldn wouldn shouldn haven hasn hadn let etc"
  ).split(/\s+/);
  var STOP = {};
  STOP_FR.concat(STOP_EN).forEach(function (w) { STOP[w] = true; });

  var WORD_RE;
  try { WORD_RE = new RegExp("[\\p{L}\\p{M}]+(?:-[\\p{L}\\p{M}]+)*", "gu"); }
  catch (e) { WORD_RE = /[a-zà-öø-ÿœæ\u0300-\u036f]+(?:-[a-zà-öø-ÿœæ\u0300-\u036f]+)*/g; }

  function isContent(word) {
    if (STOP[word]) return false;
    var letters = word.replace(/-/g, "");
    if (letters.length < 3) return false;
    if (word.indexOf("-") >= 0) {
      // a compound made only of stop words ("a-t-il", "peut-être") is one too
      return word.split("-").some(function (p) { return p.length >= 3 && !STOP[p]; });
    }
    return true;
  }

  /** The content words of a text: lower case, punctuation and elisions (l', qu') dropped, accents kept. */
  function words(text) {
    var s = String(text || "").normalize("NFC").toLowerCase().replace(/[’'ʼ`´]/g, " ");
    return (s.match(WORD_RE) || []).filter(isContent);
  }

  /** Top words over the ideas: [{word, weight}] — a merged idea counts for everyone it stands for. */
  function wordCloud(ideas) {
    var groups = {};
    ideas.forEach(function (idea) {
      var seen = {};
      words(idea.text).forEach(function (w) {
        var key = w.length > 4 ? w.replace(/[sx]$/, "") : w; // jardin / jardins together
        var g = groups[key] || (groups[key] = { weight: 0, forms: {} });
        g.forms[w] = (g.forms[w] || 0) + 1;
        if (seen[key]) return;
        seen[key] = true;
        g.weight += Math.max(1, idea.count || 1);
      });
    });
    return Object.keys(groups).map(function (key) {
      var g = groups[key];
      var form = Object.keys(g.forms).sort(function (a, b) { return g.forms[b] - g.forms[a] || a.localeCompare(b); })[0];
      return { word: form, weight: g.weight };
    }).sort(function (a, b) { return b.weight - a.weight || a.word.localeCompare(b.word); }).slice(0, MAX_WORDS);
  }

  /* ------------------------------------------------------------ state */

  var state = null;          // {workshop, presence, rounds[], plan}
  var buffer = null;         // broadcasts received between a (re)connection and its snapshot
  var fresh = {};            // idea ids that arrived live: they get the arrival animation
  var noteCache = new Map(); // idea id -> note element (kept so animations never replay)
  var snapshotTimer = null;
  var live = null;

  function byId(list) {
    var m = new Map();
    (list || []).forEach(function (x) { m.set(x.id, x); });
    return m;
  }

  function roundFrom(r) {
    return {
      id: r.id, position: r.position, question: r.question, phase: r.phase, timings: r.timings,
      tallies_revealed: r.tallies_revealed, timer: r.timer,
      ideas: byId(r.ideas), themes: byId(r.themes), actions: byId(r.actions),
      tallies: Object.assign({ theme: null, action: null }, r.tallies || {}),
      syntheses: Object.assign({}, r.syntheses || {})
    };
  }

  function findRound(id) {
    if (!state) return null;
    for (var i = 0; i < state.rounds.length; i++) if (state.rounds[i].id === id) return state.rounds[i];
    return null;
  }

  function sortRounds() { state.rounds.sort(function (a, b) { return a.position - b.position; }); }

  /** The round the room is on: the first one not closed, else the last. */
  function currentRound() {
    if (!state || !state.rounds.length) return null;
    for (var i = 0; i < state.rounds.length; i++) if (state.rounds[i].phase !== "closed") return state.rounds[i];
    return state.rounds[state.rounds.length - 1];
  }

  function settings() {
    return ((state && state.workshop) || page.workshop || {}).settings || {};
  }

  /** Same rule as the server (domain/visibility.py): live, revealed, or the vote is over. */
  function talliesVisible(round, kind) {
    if (settings().tallies === "live" || round.tallies_revealed) return true;
    return PHASES.indexOf(round.phase) > PHASES.indexOf(VOTE_PHASE[kind]);
  }

  /** Tally items by id, or null while they must not (or cannot yet) be shown. */
  function tallyMap(round, kind) {
    if (!talliesVisible(round, kind) || !round.tallies[kind]) return null;
    var m = {};
    round.tallies[kind].forEach(function (item) { m[item.id] = item; });
    return m;
  }

  function onSnapshot(data) {
    clearTimeout(snapshotTimer);
    var old = state;
    state = {
      workshop: data.workshop, presence: data.presence || { count: 0 }, plan: data.plan || null,
      rounds: (data.rounds || []).map(roundFrom)
    };
    sortRounds();
    if (!old) fresh = {}; // the first wall appears at once, without animation
    var pending = buffer || [];
    buffer = null;
    pending.forEach(function (ev) { apply(ev[0], ev[1]); });
    schedule();
  }

  function apply(name, data) {
    if (!state) return;
    var r = data && data.round_id !== undefined ? findRound(data.round_id) : null;
    switch (name) {
      case "idea":
        if (!r) return;
        if (data.hidden || data.withdrawn || data.merged_into) { r.ideas.delete(data.id); return; }
        if (!r.ideas.has(data.id)) fresh[data.id] = true;
        r.ideas.set(data.id, data);
        return;
      case "idea.removed":
        if (r) r.ideas.delete(data.id);
        return;
      case "theme":
        if (r) r.themes.set(data.id, data);
        return;
      case "theme.removed":
        if (r) r.themes.delete(data.id);
        return;
      case "action":
        if (r) r.actions.set(data.id, data);
        return;
      case "tally":
        if (r && data.kind) r.tallies[data.kind] = data.visible === false ? null : data.items;
        return;
      case "synthesis":
        if (!r) return;
        if (data.data) r.syntheses[data.phase] = data.data;
        else delete r.syntheses[data.phase];
        return;
      case "round":
        var round = findRound(data.id);
        if (!round) {
          state.rounds.push(roundFrom(data));
          sortRounds();
          return;
        }
        ["position", "question", "phase", "timings", "tallies_revealed", "timer"].forEach(function (k) {
          if (data[k] !== undefined) round[k] = data[k];
        });
        // Hidden again: forget the numbers; a fresh tally comes with the next reveal.
        ["theme", "action"].forEach(function (kind) { if (!talliesVisible(round, kind)) round.tallies[kind] = null; });
        return;
      case "presence":
        state.presence = data;
        return;
      case "workshop":
        state.workshop = Object.assign({}, state.workshop, data);
        return;
      case "plan":
        state.plan = data;
        return;
    }
  }

  function handler(name) {
    return function (data) {
      if (buffer) { buffer.push([name, data]); return; }
      apply(name, data);
      schedule();
    };
  }

  /* ------------------------------------------------------------ helpers */

  function plural(prefix, n, params) {
    var one = n === 1 || (page.lang === "fr" && n === 0);
    return Live.t(prefix + (one ? "_one" : "_many"), Object.assign({ n: n }, params || {}));
  }

  function dotsText(n) {
    return n ? plural("dots", n) : Live.t("dots_none");
  }

  function el(id) { return document.getElementById(id); }

  function fits(box) {
    return box.scrollHeight <= box.clientHeight + 1;
  }

  /** Shrink box's font (em steps) until its content fits; then call trim() until it does. */
  function fit(box, scales, trim) {
    for (var i = 0; i < scales.length; i++) {
      box.style.fontSize = scales[i] + "em";
      if (fits(box)) return true;
    }
    var guard = 1000;
    while (trim && !fits(box) && guard-- > 0) if (!trim()) break;
    return fits(box);
  }

  function shortUrl(url) { return String(url || "").replace(/^https?:\/\//, ""); }

  /* ------------------------------------------------------------ header */

  var setTimer = Live.ticker(function (text, left) {
    var box = el("sc-timer");
    if (!box) return;
    if (text === null) { box.hidden = true; return; }
    box.hidden = false;
    box.textContent = "";
    box.appendChild(h("span", { class: "sc-timer-label" }, left === 0 ? Live.t("time_up") : Live.t("timer_label")));
    box.appendChild(h("span", { class: "sc-timer-value" }, text));
    box.classList.toggle("ending", left !== null && left <= 60);
  });
  var timerKey = null;

  function renderHeader(round) {
    var phase = round ? round.phase : "lobby";
    var label = Live.t("phase_" + phase);
    if (state && state.rounds.length > 1 && round) {
      label += " · " + Live.t("round_of", { n: round.position, total: state.rounds.length });
    }
    el("sc-phase").textContent = label;
    el("sc-phase").dataset.phase = phase;
    var count = state ? state.presence.count || 0 : 0;
    el("sc-people").textContent = state ? plural("participants", count) : "";
    var timer = round && round.phase !== "closed" && round.phase !== "lobby" ? round.timer : null;
    var key = timer ? String(timer.ends_at) + "|" + String(timer.remaining) : "none";
    if (key !== timerKey) {
      timerKey = key;
      setTimer(timer);
    }
  }

  /* ------------------------------------------------------------ views */

  var view = { key: null, teardown: null };

  function render() {
    rafPending = false;
    var round = currentRound();
    var root = el("sc-view");
    var workshop = (state && state.workshop) || page.workshop || {};
    var kind;
    if (!state || workshop.show_qr) kind = "join";
    else if (!round || round.phase === "lobby") kind = previousClosed(round) ? "between" : "join";
    else kind = round.phase;
    renderHeader(kind === "between" ? previousClosed(round) : round);
    if (view.teardown) { view.teardown(); view.teardown = null; }
    root.dataset.view = kind;
    document.body.dataset.view = kind;
    root.textContent = "";
    var draw = { join: drawJoin, diverge: drawDiverge, define: drawDefine, converge: drawConverge, closed: drawClosed, between: drawBetween }[kind];
    view.teardown = draw(root, round, workshop) || null;
    view.key = kind;
  }

  var rafPending = false;
  function schedule() {
    if (rafPending) return;
    rafPending = true;
    window.requestAnimationFrame(render);
  }

  function previousClosed(round) {
    if (!round || !state) return null;
    var prev = null;
    state.rounds.forEach(function (r) { if (r.position < round.position && r.phase === "closed") prev = r; });
    return prev;
  }

  /* --- join: the big QR code (lobby, or on demand) */
  function drawJoin(root, round, workshop) {
    var count = state ? state.presence.count || 0 : 0;
    var code = workshop.code || page.code;
    var img = h("img", { class: "join-qr", id: "sc-qr", src: page.qr_url, alt: Live.t("qr_alt") });
    root.appendChild(h("section", { class: "join" },
      h("div", { class: "join-qr-box" }, img),
      h("div", { class: "join-info" },
        h("p", { class: "join-kicker" }, Live.t("join_kicker")),
        h("h1", { class: "join-title" }, workshop.title || ""),
        round && round.question ? h("p", { class: "join-question" }, round.question) : null,
        h("p", { class: "join-how" }, Live.t("join_how")),
        h("p", { class: "join-url", id: "sc-url" }, shortUrl(page.join_url)),
        h("p", { class: "join-code-label" }, Live.t("join_code")),
        h("p", { class: "join-code", id: "sc-code" }, code),
        h("p", { class: "join-count", id: "sc-joined" }, state ? (count ? plural("joined", count) : Live.t("joined_none")) : "")
      )
    ));
    var info = root.querySelector(".join-info");
    fit(info, [1, 0.92, 0.84, 0.76, 0.68, 0.6]);
  }

  /* --- diverge: the wall of ideas and the word cloud */
  var wall = { pages: [], index: 0, timer: null, notes: [] };

  function noteFor(idea) {
    var note = noteCache.get(idea.id);
    if (!note) {
      note = h("li", { class: "note" });
      noteCache.set(idea.id, note);
      if (fresh[idea.id]) {
        note.classList.add("note-new");
        var done = function () { note.classList.remove("note-new"); };
        note.addEventListener("animationend", done);
        setTimeout(done, 1500);
      }
    }
    delete fresh[idea.id];
    var arriving = note.classList.contains("note-new");
    note.className = "note note-c" + (idea.id % 4) + (String(idea.text).length > 90 ? " note-wide" : "") +
      (arriving ? " note-new" : "");
    note.dataset.ideaId = idea.id;
    note.hidden = false; // a page of the previous layout may have hidden it
    note.textContent = "";
    note.appendChild(h("span", { class: "note-text" }, idea.text));
    var meta = [];
    if (idea.count > 1) {
      meta.push(h("span", { class: "note-count" },
        h("span", { "aria-hidden": "true" }, "×" + idea.count),
        h("span", { class: "visually-hidden" }, Live.t("stands_for", { n: idea.count }))));
    }
    if (idea.author) meta.push(h("span", { class: "note-author" }, idea.author));
    if (meta.length) note.appendChild(h("span", { class: "note-meta" }, meta));
    return note;
  }

  function visibleIdeas(round) {
    var list = [];
    round.ideas.forEach(function (i) { if (!(i.hidden || i.withdrawn || i.merged_into)) list.push(i); });
    list.sort(function (a, b) { return (a.created_at || "").localeCompare(b.created_at || "") || a.id - b.id; });
    return list;
  }

  function drawDiverge(root, round) {
    var ideas = visibleIdeas(round);
    var arrived = ideas.some(function (i) { return fresh[i.id]; });
    var countText = ideas.length ? plural("ideas", ideas.length) : Live.t("ideas_none");
    var list = h("ol", { class: "wall", id: "sc-wall", "aria-label": Live.t("ideas_heading") });
    var pager = h("p", { class: "wall-pager", id: "sc-pager", hidden: true });
    var cloud = h("ul", { class: "cloud", id: "sc-cloud", "aria-labelledby": "sc-cloud-h" });
    root.appendChild(h("section", { class: "diverge" },
      h("h1", { class: "question" }, round.question),
      h("div", { class: "diverge-body" },
        h("section", { class: "wall-box", "aria-labelledby": "sc-ideas-h" },
          h("div", { class: "box-head" },
            h("h2", { id: "sc-ideas-h", class: "box-title" }, h("span", { id: "sc-idea-count", "aria-live": "polite" }, countText)),
            pager),
          h("div", { class: "wall-frame" }, list)),
        h("section", { class: "cloud-box", "aria-labelledby": "sc-cloud-h" },
          h("h2", { id: "sc-cloud-h", class: "box-title" }, Live.t("cloud_heading")),
          h("div", { class: "cloud-frame" }, cloud)))
    ));

    var notes = ideas.map(noteFor);
    notes.forEach(function (n) { list.appendChild(n); });
    // Forget notes of ideas gone for good (keeps the cache small on long days).
    if (noteCache.size > ideas.length + 200) {
      var keep = {};
      ideas.forEach(function (i) { keep[i.id] = true; });
      noteCache.forEach(function (_, id) { if (!keep[id]) noteCache.delete(id); });
    }
    layoutWall(list, notes, pager, arrived);
    drawCloud(cloud, wordCloud(ideas));
    return function () { clearInterval(wall.timer); wall.timer = null; };
  }

  /** Fit the notes on the wall: bigger when few, smaller when many, then pages that turn. */
  function layoutWall(list, notes, pager, arrived) {
    var previous = wall.index;
    wall.notes = notes;
    wall.pages = [[0, notes.length]];
    var scales = [1.35, 1.2, 1.08, 1, 0.92, 0.85, 0.8];
    for (var i = 0; i < scales.length; i++) {
      list.style.fontSize = scales[i] + "em";
      if (fits(list)) break;
    }
    if (!fits(list)) wall.pages = paginate(list, notes);
    if (wall.pages.length > 1) {
      // a new idea: show the page it is on (the last); otherwise stay where we were
      wall.index = arrived ? wall.pages.length - 1 : Math.min(previous, wall.pages.length - 1);
      showPage(pager);
      clearInterval(wall.timer);
      wall.timer = setInterval(function () {
        wall.index = (wall.index + 1) % wall.pages.length;
        showPage(pager);
      }, PAGE_SECONDS * 1000);
    } else {
      wall.index = 0;
      notes.forEach(function (n) { n.hidden = false; });
      pager.hidden = true;
    }
  }

  function paginate(list, notes) {
    var pages = [];
    var start = 0;
    var limit = list.clientHeight;
    while (start < notes.length) {
      notes.forEach(function (n, k) { n.hidden = k < start; });
      var end = start + 1;
      while (end < notes.length && notes[end].offsetTop + notes[end].offsetHeight <= limit + 1) end++;
      pages.push([start, end]);
      start = end;
    }
    return pages;
  }

  function showPage(pager) {
    var p = wall.pages[wall.index];
    wall.notes.forEach(function (n, k) { n.hidden = k < p[0] || k >= p[1]; });
    pager.hidden = false;
    pager.textContent = Live.t("page_of", { n: wall.index + 1, total: wall.pages.length });
  }

  function drawCloud(cloud, top) {
    if (!top.length) {
      cloud.appendChild(h("li", { class: "cloud-empty" }, Live.t("cloud_empty")));
      return;
    }
    var max = top[0].weight, min = top[top.length - 1].weight;
    // biggest words in the middle, smaller ones around
    var arranged = [];
    top.forEach(function (w, k) { if (k % 2) arranged.unshift(w); else arranged.push(w); });
    var items = arranged.map(function (w) {
      var ratio = max === min ? 0.5 : Math.sqrt((w.weight - min) / (max - min));
      var li = h("li", { class: "cloud-word cloud-c" + (w.word.length % 4), dataset: { word: w.word, weight: String(w.weight) } },
        w.word, h("span", { class: "visually-hidden" }, " (" + Live.t("cloud_count", { n: w.weight }) + ")"));
      li.style.fontSize = (0.9 + 2.1 * ratio).toFixed(2) + "em";
      cloud.appendChild(li);
      return { li: li, weight: w.weight };
    });
    // Drop the rarest words until the cloud fits.
    var order = items.slice().sort(function (a, b) { return a.weight - b.weight; });
    fit(cloud, [1, 0.9, 0.8, 0.7, 0.62], function () {
      var gone = order.shift();
      if (!gone || order.length < 3) return false;
      gone.li.remove();
      return true;
    });
  }

  /* --- define: themes with their ideas */
  function themeList(round) {
    var list = [];
    round.themes.forEach(function (t) { list.push(t); });
    list.sort(function (a, b) { return a.position - b.position || a.id - b.id; });
    return list;
  }

  function resultsNote(extra) {
    return h("p", { class: "results-hidden", id: "sc-results-hidden" },
      h("span", { class: "results-hidden-main" }, Live.t("results_hidden")),
      extra ? h("span", { class: "results-hidden-sub" }, " — " + extra) : null);
  }

  function drawDefine(root, round) {
    var ideas = visibleIdeas(round);
    var themes = themeList(round);
    var tallies = tallyMap(round, "theme");
    var grid = h("ul", { class: "themes", id: "sc-themes", "aria-label": Live.t("themes_heading") });
    var section = h("section", { class: "define" },
      h("h1", { class: "question" }, round.question),
      !tallies && themes.length ? resultsNote(Live.t("vote_on_phone")) : null,
      h("div", { class: "define-frame" }, grid));
    root.appendChild(section);

    var maxDots = 0;
    if (tallies) themes.forEach(function (t) { maxDots = Math.max(maxDots, (tallies[t.id] || {}).dots || 0); });
    var lists = [];
    themes.forEach(function (t, k) {
      var own = ideas.filter(function (i) { return i.theme_id === t.id; });
      var dots = tallies ? (tallies[t.id] || {}).dots || 0 : null;
      var ul = h("ul", { class: "theme-ideas" });
      own.forEach(function (i) { ul.appendChild(ideaLine(i)); });
      lists.push({ ul: ul, items: own.length });
      grid.appendChild(h("li", { class: "theme theme-c" + (k % 6), dataset: { themeId: t.id } },
        h("div", { class: "theme-head" },
          h("h2", { class: "theme-title" }, t.title),
          t.kept ? h("span", { class: "theme-kept" }, Live.t("kept")) : null,
          dots !== null ? h("span", { class: "theme-dots", dataset: { dots: String(dots) } }, dotsText(dots)) : null),
        dots !== null ? bar(dots, maxDots) : null,
        t.objective ? h("p", { class: "theme-objective" }, h("strong", null, Live.t("objective")), " ", t.objective) : null,
        t.criteria && t.criteria.length ? h("div", { class: "theme-criteria" },
          h("strong", null, Live.t("criteria")),
          h("ul", null, t.criteria.map(function (c) { return h("li", null, c); }))) : null,
        ul));
    });
    var unsorted = ideas.filter(function (i) { return i.theme_id === null || i.theme_id === undefined || !round.themes.has(i.theme_id); });
    if (unsorted.length) {
      var ul = h("ul", { class: "theme-ideas" });
      unsorted.forEach(function (i) { ul.appendChild(ideaLine(i)); });
      lists.push({ ul: ul, items: unsorted.length });
      grid.appendChild(h("li", { class: "theme theme-unsorted" },
        h("div", { class: "theme-head" },
          h("h2", { class: "theme-title" }, themes.length ? Live.t("unsorted") : Live.t("themes_none"))),
        ul));
    }
    // One row of columns while it fits (tall lists use the height), two rows beyond six cards.
    var cards = grid.children.length;
    grid.style.gridTemplateColumns = "repeat(" + Math.max(1, cards <= 6 ? cards : Math.ceil(cards / 2)) + ", minmax(0, 1fr))";
    fit(grid, [1.2, 1.1, 1, 0.92, 0.85, 0.8], function () { return trimLongest(lists); });
  }

  function ideaLine(idea) {
    return h("li", { class: "theme-idea" }, idea.text,
      idea.count > 1 ? h("span", { class: "idea-count" },
        h("span", { "aria-hidden": "true" }, " ×" + idea.count),
        h("span", { class: "visually-hidden" }, " (" + Live.t("stands_for", { n: idea.count }) + ")")) : null);
  }

  /** Take the last line off the longest list, with "and N more" at its end. */
  function trimLongest(lists) {
    var longest = null;
    lists.forEach(function (l) {
      var shown = l.ul.querySelectorAll(".theme-idea").length;
      if (shown > 0 && (!longest || shown > longest.shown)) longest = { l: l, shown: shown };
    });
    if (!longest) return false;
    var ideasEls = longest.l.ul.querySelectorAll(".theme-idea");
    ideasEls[ideasEls.length - 1].remove();
    var more = longest.l.ul.querySelector(".more");
    var hiddenCount = longest.l.items - (longest.shown - 1);
    if (!more) { more = h("li", { class: "more" }); longest.l.ul.appendChild(more); }
    more.textContent = Live.t("more", { n: hiddenCount });
    return true;
  }

  function bar(value, max) {
    var fill = h("span", { class: "bar-fill" });
    fill.style.width = (max ? Math.max(2, Math.round(100 * value / max)) : 0) + "%";
    return h("span", { class: "bar", "aria-hidden": "true" }, fill);
  }

  /* --- converge: actions, ranked once tallies are visible */
  function rankedActions(round, tallies) {
    var themes = themeList(round);
    var pos = {};
    themes.forEach(function (t, k) { pos[t.id] = k; });
    var list = [];
    round.actions.forEach(function (a) { list.push(a); });
    if (tallies) {
      list.sort(function (a, b) {
        var ta = tallies[a.id] || {}, tb = tallies[b.id] || {};
        return (tb.dots || 0) - (ta.dots || 0) || (tb.voters || 0) - (ta.voters || 0) || a.id - b.id;
      });
    } else {
      list.sort(function (a, b) { return (pos[a.theme_id] || 0) - (pos[b.theme_id] || 0) || a.id - b.id; });
    }
    return list.map(function (a) {
      var theme = round.themes.get(a.theme_id);
      return { id: a.id, title: a.title, theme: theme ? theme.title : "", themeIndex: pos[a.theme_id] || 0,
        dots: tallies ? (tallies[a.id] || {}).dots || 0 : null };
    });
  }

  function actionRows(items, ranked) {
    var max = 0;
    items.forEach(function (a) { max = Math.max(max, a.dots || 0); });
    var ol = h(ranked ? "ol" : "ul", { class: ranked ? "ranking" : "actions" });
    items.forEach(function (a, k) {
      ol.appendChild(h("li", { class: "action theme-c" + (a.themeIndex % 6), dataset: { actionId: a.id } },
        ranked ? h("span", { class: "action-rank", "aria-hidden": "true" }, String(k + 1)) : null,
        ranked ? h("span", { class: "visually-hidden" }, Live.t("rank", { n: k + 1 }) + " ") : null,
        h("span", { class: "action-main" },
          h("span", { class: "action-title" }, a.title),
          a.theme ? h("span", { class: "action-theme" }, Live.t("theme_label", { title: a.theme })) : null),
        ranked ? bar(a.dots, max) : null,
        ranked ? h("span", { class: "action-dots", dataset: { dots: String(a.dots) } }, dotsText(a.dots)) : null));
    });
    return ol;
  }

  /** Fit a list of rows: shrink, then keep the first ones with "and N more". */
  function fitRows(frame, ol, total) {
    fit(frame, [1.15, 1.05, 1, 0.92, 0.85, 0.8], function () {
      var rows = ol.querySelectorAll(".action");
      if (rows.length <= 1) return false;
      rows[rows.length - 1].remove();
      var more = frame.querySelector(".more");
      if (!more) { more = h("p", { class: "more" }); frame.appendChild(more); }
      more.textContent = Live.t("more", { n: total - (rows.length - 1) });
      return true;
    });
  }

  function drawConverge(root, round) {
    var tallies = tallyMap(round, "action");
    var items = rankedActions(round, tallies);
    var frame = h("div", { class: "rows-frame" });
    root.appendChild(h("section", { class: "converge" },
      h("h1", { class: "question" }, round.question),
      h("div", { class: "converge-head" },
        h("h2", { class: "box-title" }, tallies ? Live.t("actions_ranked") : Live.t("actions_heading")),
        !tallies && items.length ? resultsNote(Live.t("vote_on_phone")) : null),
      frame));
    if (!items.length) {
      frame.appendChild(h("p", { class: "empty" }, Live.t("actions_none")));
      return;
    }
    var ol = actionRows(items, !!tallies);
    ol.id = "sc-actions";
    frame.appendChild(ol);
    fitRows(frame, ol, items.length);
  }

  /* --- closed: the frozen synthesis */
  function keptThemes(round) {
    var define = round.syntheses.define;
    if (define && define.themes) return define.themes.filter(function (t) { return t.kept; });
    return themeList(round).filter(function (t) { return t.kept; });
  }

  function prioritisedActions(round) {
    var converge = round.syntheses.converge;
    var themes = themeList(round);
    var pos = {};
    themes.forEach(function (t, k) { pos[t.id] = k; });
    if (converge && converge.actions) {
      return converge.actions.map(function (a) {
        return { id: a.id, title: a.title, theme: a.theme ? a.theme.title : "", themeIndex: a.theme ? pos[a.theme.id] || 0 : 0, dots: a.dots || 0 };
      });
    }
    return rankedActions(round, tallyMap(round, "action") || {});
  }

  /** Once the restitution is published: its QR code, so the room can follow what becomes of the actions. */
  function restitutionBox(workshop) {
    if (!workshop || !workshop.published_at || !page.restitution_qr_url) return null;
    return h("section", { class: "closed-qr", id: "sc-restitution", "aria-labelledby": "sc-restitution-h" },
      h("img", { class: "closed-qr-img", src: page.restitution_qr_url, alt: Live.t("restitution_qr_alt") }),
      h("h2", { class: "closed-qr-title", id: "sc-restitution-h" }, Live.t("restitution_title")),
      h("p", { class: "closed-qr-text" }, Live.t("restitution_scan")),
      h("p", { class: "closed-qr-url" }, shortUrl(page.restitution_url)));
  }

  function drawSynthesis(root, round, next) {
    var themes = keptThemes(round);
    var actions = prioritisedActions(round);
    var pos = {};
    themeList(round).forEach(function (t, k) { pos[t.id] = k; });
    var themesUl = h("ul", { class: "kept-themes", id: "sc-kept" });
    themes.forEach(function (t) {
      themesUl.appendChild(h("li", { class: "kept-theme theme-c" + ((pos[t.id] || 0) % 6) },
        h("span", { class: "kept-title" }, t.title),
        t.objective ? h("span", { class: "kept-objective" }, t.objective) : null));
    });
    if (!themes.length) themesUl.appendChild(h("li", { class: "empty" }, Live.t("nothing_kept")));
    var actionsFrame = h("div", { class: "rows-frame" });
    var qr = restitutionBox((state && state.workshop) || page.workshop);
    var section = h("section", { class: "closed" + (qr ? " has-qr" : "") },
      h("div", { class: "closed-head" },
        h("h1", { class: "thanks" }, Live.t("thanks")),
        h("p", { class: "closed-lead" }, Live.t("thanks_lead")),
        h("p", { class: "closed-question" }, round.question)),
      h("div", { class: "closed-body" },
        h("section", { class: "closed-themes", "aria-labelledby": "sc-kept-h" },
          h("h2", { id: "sc-kept-h", class: "box-title" }, Live.t("kept_themes")),
          h("div", { class: "kept-frame" }, themesUl)),
        h("section", { class: "closed-actions", "aria-labelledby": "sc-prio-h" },
          h("h2", { id: "sc-prio-h", class: "box-title" }, Live.t("priority_actions")),
          actionsFrame),
        qr),
      next ? h("p", { class: "next-question" }, h("strong", null, Live.t("next_question")), " ", next.question) : null);
    root.appendChild(section);
    fit(themesUl.parentNode, [1, 0.92, 0.85, 0.78, 0.72]);
    if (!actions.length) {
      actionsFrame.appendChild(h("p", { class: "empty" }, Live.t("no_actions")));
      return;
    }
    var ol = actionRows(actions, true);
    ol.id = "sc-synthesis-actions";
    actionsFrame.appendChild(ol);
    fitRows(actionsFrame, ol, actions.length);
  }

  function drawClosed(root, round) { drawSynthesis(root, round, null); }

  function drawBetween(root, round) { drawSynthesis(root, previousClosed(round), round); }

  /* ------------------------------------------------------------ start */

  function start() {
    var status = Live.statusBadge(el("sc-status"));
    status("connecting");
    render();
    live = Live.connect({
      auth: function () { return { code: page.code, role: "screen", lang: page.lang }; },
      outboxKey: null,
      onSnapshot: onSnapshot,
      onStatus: function (s) {
        status(s);
        if (s === "connected") {
          // Hold the broadcasts until the snapshot is in, then replay them on top of it.
          buffer = [];
          clearTimeout(snapshotTimer);
          snapshotTimer = setTimeout(askSnapshot, 12000);
        }
      },
      onRefused: function (err) {
        status("offline");
        el("sc-status").textContent = Live.t("refused") + (err && err.message ? " " + err.message : "");
      },
      events: {
        idea: handler("idea"), "idea.removed": handler("idea.removed"), theme: handler("theme"),
        "theme.removed": handler("theme.removed"), action: handler("action"), round: handler("round"),
        tally: handler("tally"), presence: handler("presence"), synthesis: handler("synthesis"),
        plan: handler("plan"), workshop: handler("workshop")
      }
    });
    window.addEventListener("resize", schedule);
    Live.keepAwake();
  }


  /** The snapshot after a connection did not come back: ask again (the view must recover alone). */
  function askSnapshot() {
    if (!live || live.state() !== "connected") return;
    live.ask("snapshot").then(onSnapshot, function () { snapshotTimer = setTimeout(askSnapshot, 5000); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
