/* results.js — define, converge and closed on the projector: theme cards with their objective,
 * criteria and ideas; action cards with their sheet; once tallies are visible, both in the server's
 * ranking with ties marked "ex æquo"; the frozen synthesis. Sizes and pages: screen/board.js. */
import { h, t, page } from "../lib/dom.js";
import { values, ranked } from "../lib/store.js";
import { store, workshopNow, dotsText, fit, shortUrl, previousClosed, visibleIdeas, themeList, bar } from "./common.js";
import { slotNow, everySlot, fitsIn, pagesOf, showPage, pagerText, largestScale, places } from "./board.js";

function resultsNote(extra) {
  return h("p", { class: "results-hidden", id: "sc-results-hidden" },
    h("span", { class: "results-hidden-main" }, t("results_hidden")),
    extra ? h("span", { class: "results-hidden-sub" }, " — " + extra) : null);
}

/* --- define: theme cards, as many on a page as stay readable, their ideas paged inside them */
var MAX_COLS = 4, MAX_ROWS = 2;
var SCALES = [1.3, 1.15, 1]; // rem of the view's font; at 1 the body text is 0.9rem = 28.8 px at 1080p

function byPosition(a, b) { return a.position - b.position || a.id - b.id; }

/** Columns × rows of one page of n cards (at most maxRows rows). */
function shape(n, maxRows) { return maxRows > 1 && n > MAX_COLS ? { cols: Math.ceil(n / maxRows), rows: maxRows } : { cols: Math.max(1, n), rows: 1 }; }

/** Cards in pages of at most MAX_COLS × maxRows, balanced (six cards in one row: three and three, not four and two). */
function boards(cards, maxRows) {
  var n = Math.max(1, Math.ceil(cards.length / (MAX_COLS * maxRows))), size = Math.max(1, Math.ceil(cards.length / n));
  var out = [];
  for (var i = 0; i < cards.length; i += size) out.push(cards.slice(i, i + size));
  return out.length ? out : [[]];
}

function rankBadge(place) {
  if (!place) return null;
  return h("span", { class: "rank-badge" },
    h("span", { "aria-hidden": "true" }, String(place.rank)),
    h("span", { class: "visually-hidden" }, t("rank", { n: place.rank }) + (place.tie ? " " + t("tie") : "")));
}

function tieMark(place) { return place && place.tie ? h("span", { class: "tie", "aria-hidden": "true" }, t("tie")) : null; }

function themeCard(th, color, own, dots, maxDots, place) {
  var ul = h("ul", { class: "theme-ideas" });
  own.forEach(function (i) { ul.appendChild(ideaLine(i)); });
  var frame = h("div", { class: "theme-ideas-frame" }, own.length ? ul : h("p", { class: "theme-empty" }, t("theme_empty")));
  var pager = h("p", { class: "theme-pager", hidden: true });
  var el = h("li", { class: "theme theme-c" + color, dataset: { themeId: th.id } },
    h("div", { class: "theme-head" }, rankBadge(place), h("h2", { class: "theme-title" }, th.title)),
    th.kept || dots !== null ? h("p", { class: "theme-score" },
      dots !== null ? h("span", { class: "theme-dots", dataset: { dots: String(dots) } }, dotsText(dots)) : null,
      tieMark(place),
      th.kept ? h("span", { class: "theme-kept" }, t("kept")) : null) : null,
    dots !== null ? bar(dots, maxDots) : null,
    th.objective ? h("p", { class: "theme-objective" }, h("strong", null, t("objective")), " ", th.objective) : null,
    th.criteria && th.criteria.length ? h("div", { class: "theme-criteria" },
      h("strong", null, t("criteria")),
      h("ul", null, th.criteria.map(function (c) { return h("li", null, c); }))) : null,
    frame, pager);
  return { el: el, frame: frame, items: Array.prototype.slice.call(ul.children), pager: pager, pages: [[0, own.length]] };
}

export function drawDefine(root, round) {
  var ideas = visibleIdeas(round);
  var themes = themeList(round);
  var color = {};
  themes.forEach(function (th, k) { color[th.id] = k % 6; });
  var tallies = round.tallies.theme;
  // Revealed: in the server's ranking (never re-ranked here), ties marked.
  if (tallies) themes = ranked(round, "theme", themes, byPosition);
  var place = tallies ? places(round.ranking.theme, tallies) : {};
  var maxDots = 0;
  if (tallies) themes.forEach(function (th) { maxDots = Math.max(maxDots, (tallies[th.id] || {}).dots || 0); });
  var cards = themes.map(function (th) {
    var own = ideas.filter(function (i) { return i.theme_id === th.id; });
    return themeCard(th, color[th.id], own, tallies ? (tallies[th.id] || {}).dots || 0 : null, maxDots, place[th.id]);
  });
  var unsorted = ideas.filter(function (i) { return i.theme_id === null || i.theme_id === undefined || !round.themes[i.theme_id]; });
  if (unsorted.length) {
    var rest = themeCard({ id: "", title: themes.length ? t("unsorted") : t("themes_none") }, 0, unsorted, null, 0, null);
    rest.el.className = "theme theme-unsorted";
    delete rest.el.dataset.themeId;
    cards.push(rest);
  }
  var grid = h("ul", { class: "themes", id: "sc-themes", "aria-label": t("themes_heading") });
  var boardPager = h("p", { class: "board-pager", id: "sc-board-pager", hidden: true });
  var note = !tallies && themes.length ? resultsNote(t("vote_on_phone")) : null;
  root.appendChild(h("section", { class: "define" },
    h("h1", { class: "question" }, round.question),
    note || boardPager ? h("div", { class: "view-head" }, note, boardPager) : null,
    h("div", { class: "define-frame" }, grid)));
  cards.forEach(function (c) { grid.appendChild(c.el); });
  return turnThemePages(grid, cards, boardPager);
}

/**
 * Lay out the cards: every theme at once on two rows while each card still shows at least
 * MIN_IDEAS of its ideas at a time, else pages of one row (fewer themes at once, many more ideas).
 * Each page gets the largest type that fits, then its cards' ideas are cut into their own pages;
 * everything turns on the page clock.
 */
var MIN_IDEAS = 3;
function turnThemePages(grid, cards, boardPager) {
  function arrange(board) {
    cards.forEach(function (c) { c.el.hidden = board.cards.indexOf(c) < 0; });
    grid.style.gridTemplateColumns = "repeat(" + board.cols + ", minmax(0, 1fr))";
    grid.style.gridTemplateRows = "repeat(" + board.rows + ", minmax(0, 1fr))";
  }
  function layout(maxRows) {
    var list = boards(cards, maxRows);
    pagerText(boardPager, "themes_range", [0, 99], 99, list.length); // takes its line before anything is measured
    var roomy = true;
    var pages = list.map(function (onPage) {
      var board = Object.assign({ cards: onPage }, shape(onPage.length, maxRows));
      arrange(board);
      onPage.forEach(function (c) { c.pager.hidden = true; });
      board.scale = largestScale(grid, SCALES, function () {
        return onPage.every(function (c) { return fitsIn(c.frame) && fitsIn(c.el); });
      });
      board.turns = 1;
      onPage.forEach(function (c) {
        if (!fitsIn(c.frame)) pagerText(c.pager, "ideas_range", [98, 99], 99, 2); // its line is taken before the pages are cut
        c.pages = pagesOf(c.frame, c.items);
        pagerText(c.pager, "ideas_range", c.pages[0], c.items.length, c.pages.length);
        board.turns = Math.max(board.turns, c.pages.length);
        if (c.pages[0][1] < Math.min(MIN_IDEAS, c.items.length)) roomy = false;
      });
      return board;
    });
    return { pages: pages, roomy: roomy };
  }
  var chosen = layout(MAX_ROWS);
  if (!chosen.roomy && cards.length > MAX_COLS / 2) chosen = layout(1);
  var pages = chosen.pages;
  var total = pages.reduce(function (n, b) { return n + b.turns; }, 0);
  function show(slot) {
    var s = slot % total, b = 0;
    while (s >= pages[b].turns) { s -= pages[b].turns; b++; }
    var board = pages[b];
    arrange(board);
    grid.style.fontSize = board.scale + "rem";
    board.cards.forEach(function (c) {
      var k = s % c.pages.length;
      showPage(c.items, c.pages[k]);
      pagerText(c.pager, "ideas_range", c.pages[k], c.items.length, c.pages.length);
    });
    var first = cards.indexOf(board.cards[0]);
    pagerText(boardPager, "themes_range", [first, first + board.cards.length], cards.length, pages.length);
  }
  show(slotNow());
  return total > 1 ? everySlot(show) : null;
}

function ideaLine(idea) {
  return h("li", { class: "theme-idea" }, idea.text,
    idea.count > 1 ? h("span", { class: "idea-count" },
      h("span", { "aria-hidden": "true" }, " ×" + idea.count),
      h("span", { class: "visually-hidden" }, " (" + t("stands_for", { n: idea.count }) + ")")) : null);
}


/* --- converge: actions, ranked once tallies are visible */
function rankedActions(round, tallies) {
  var themes = themeList(round);
  var pos = {};
  themes.forEach(function (th, k) { pos[th.id] = k; });
  var list = values(round.actions);
  // With tallies: the server's ranking (unvoted ones after); without: theme by theme.
  if (tallies) list = ranked(round, "action", list);
  else list.sort(function (a, b) { return (pos[a.theme_id] || 0) - (pos[b.theme_id] || 0) || a.id - b.id; });
  return list.map(function (a) {
    var theme = round.themes[a.theme_id];
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
      ranked ? h("span", { class: "visually-hidden" }, t("rank", { n: k + 1 }) + " ") : null,
      h("span", { class: "action-main" },
        h("span", { class: "action-title" }, a.title),
        a.theme ? h("span", { class: "action-theme" }, t("theme_label", { title: a.theme })) : null),
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
    more.textContent = t("more", { n: total - (rows.length - 1) });
    return true;
  });
}

/* --- converge: action cards with their sheet (by theme), then the ranking once tallies are visible */
var SHEET = [["owner", "sheet_owner"], ["partners", "sheet_partners"], ["deadline", "sheet_deadline"],
  ["resources", "sheet_resources"], ["indicators", "sheet_indicators"]];

function sheetLines(a) {
  var out = [];
  SHEET.forEach(function (f) {
    var v = a[f[0]];
    if (Array.isArray(v)) v = v.filter(Boolean).join(", ");
    if (v) out.push(h("span", { class: "sheet-item", dataset: { field: f[0] } }, t(f[1], { v: v })));
  });
  return out.length ? h("p", { class: "action-sheet" }, out) : null;
}

function actionCard(a, round, color) {
  var theme = round.themes[a.theme_id];
  return h("li", { class: "action action-card theme-c" + color, dataset: { actionId: a.id } },
    h("h2", { class: "action-title" }, a.title),
    theme ? h("p", { class: "action-theme" }, t("theme_label", { title: theme.title })) : null,
    a.description ? h("p", { class: "action-desc" }, a.description) : null,
    sheetLines(a));
}

function rankRow(a, round, color, place, max) {
  var theme = round.themes[a.theme_id];
  var dots = place ? place.dots : 0;
  var sub = [theme ? t("theme_label", { title: theme.title }) : null, a.owner ? t("sheet_owner", { v: a.owner }) : null,
    a.deadline ? t("sheet_deadline", { v: a.deadline }) : null].filter(Boolean).join(" · ");
  return h("li", { class: "action rank-row theme-c" + color, dataset: { actionId: a.id } },
    h("span", { class: "action-rank" }, rankBadge(place)),
    h("span", { class: "action-main" },
      h("span", { class: "action-title" }, a.title),
      sub ? h("span", { class: "action-theme" }, sub) : null),
    bar(dots, max),
    h("span", { class: "action-score" },
      h("span", { class: "action-dots", dataset: { dots: String(dots) } }, dotsText(dots)),
      tieMark(place)));
}

export function drawConverge(root, round) {
  var tallies = round.tallies.action;
  var themes = themeList(round);
  var pos = {};
  themes.forEach(function (th, k) { pos[th.id] = k; });
  var actions = values(round.actions);
  var frame = h("div", { class: "rows-frame" });
  var boardPager = h("p", { class: "board-pager", id: "sc-board-pager", hidden: true });
  root.appendChild(h("section", { class: "converge" },
    h("h1", { class: "question" }, round.question),
    h("div", { class: "view-head" },
      h("h2", { class: "box-title" }, tallies ? t("actions_ranked") : t("actions_heading")),
      !tallies && actions.length ? resultsNote(t("vote_on_phone")) : null,
      boardPager),
    frame));
  if (!actions.length) {
    frame.appendChild(h("p", { class: "empty" }, t("actions_none")));
    return null;
  }
  var list;
  if (tallies) {
    // The server's ranking (unvoted actions after it), ties marked.
    var place = places(round.ranking.action, tallies);
    var max = 0;
    Object.keys(place).forEach(function (id) { max = Math.max(max, place[id].dots); });
    list = h("ol", { class: "ranking rank-list", id: "sc-actions" }, ranked(round, "action", actions).map(function (a) {
      return rankRow(a, round, (pos[a.theme_id] || 0) % 6, place[a.id], max);
    }));
  } else {
    actions.sort(function (a, b) { return (pos[a.theme_id] || 0) - (pos[b.theme_id] || 0) || a.id - b.id; });
    list = h("ul", { class: "actions", id: "sc-actions" }, actions.map(function (a) { return actionCard(a, round, (pos[a.theme_id] || 0) % 6); }));
  }
  frame.appendChild(list);
  return turnRowPages(frame, list, boardPager);
}

/** The largest type at which every row fits; below it, pages of rows that turn on the clock. */
function turnRowPages(frame, list, pager) {
  var items = Array.prototype.slice.call(list.children);
  var scale = largestScale(list, SCALES, function () { return fitsIn(frame); });
  if (fitsIn(frame)) return null;
  list.style.fontSize = scale + "rem";
  pagerText(pager, "actions_range", [98, 99], 99, 2);
  var pages = pagesOf(frame, items);
  function show(slot) {
    var k = slot % pages.length;
    showPage(items, pages[k]);
    pagerText(pager, "actions_range", pages[k], items.length, pages.length);
  }
  show(slotNow());
  return pages.length > 1 ? everySlot(show) : null;
}

/* --- closed: the frozen synthesis */
function keptThemes(round) {
  var define = round.syntheses.define;
  if (define && define.themes) return define.themes.filter(function (th) { return th.kept; });
  return themeList(round).filter(function (th) { return th.kept; });
}

function prioritisedActions(round) {
  var converge = round.syntheses.converge;
  var themes = themeList(round);
  var pos = {};
  themes.forEach(function (th, k) { pos[th.id] = k; });
  if (converge && converge.actions) {
    return converge.actions.map(function (a) {
      return { id: a.id, title: a.title, theme: a.theme ? a.theme.title : "", themeIndex: a.theme ? pos[a.theme.id] || 0 : 0, dots: a.dots || 0 };
    });
  }
  return rankedActions(round, round.tallies.action || {});
}

/** Once the restitution is published: its QR code, so the room can follow what becomes of the actions. */
function restitutionBox(workshop) {
  if (!workshop || !workshop.published_at || !page.restitution_qr_url) return null;
  return h("section", { class: "closed-qr", id: "sc-restitution", "aria-labelledby": "sc-restitution-h" },
    h("img", { class: "closed-qr-img", src: page.restitution_qr_url, alt: t("restitution_qr_alt") }),
    h("h2", { class: "closed-qr-title", id: "sc-restitution-h" }, t("restitution_title")),
    h("p", { class: "closed-qr-text" }, t("restitution_scan")),
    h("p", { class: "closed-qr-url" }, shortUrl(page.restitution_url)));
}

function drawSynthesis(root, round, next) {
  var themes = keptThemes(round);
  var actions = prioritisedActions(round);
  var pos = {};
  themeList(round).forEach(function (th, k) { pos[th.id] = k; });
  var themesUl = h("ul", { class: "kept-themes", id: "sc-kept" });
  themes.forEach(function (th) {
    themesUl.appendChild(h("li", { class: "kept-theme theme-c" + ((pos[th.id] || 0) % 6) },
      h("span", { class: "kept-title" }, th.title),
      th.objective ? h("span", { class: "kept-objective" }, th.objective) : null));
  });
  if (!themes.length) themesUl.appendChild(h("li", { class: "empty" }, t("nothing_kept")));
  var actionsFrame = h("div", { class: "rows-frame" });
  var qr = restitutionBox(workshopNow());
  var section = h("section", { class: "closed" + (qr ? " has-qr" : "") },
    h("div", { class: "closed-head" },
      h("h1", { class: "thanks" }, t("thanks")),
      h("p", { class: "closed-lead" }, t("thanks_lead")),
      h("p", { class: "closed-question" }, round.question)),
    h("div", { class: "closed-body" },
      h("section", { class: "closed-themes", "aria-labelledby": "sc-kept-h" },
        h("h2", { id: "sc-kept-h", class: "box-title" }, t("kept_themes")),
        h("div", { class: "kept-frame" }, themesUl)),
      h("section", { class: "closed-actions", "aria-labelledby": "sc-prio-h" },
        h("h2", { id: "sc-prio-h", class: "box-title" }, t("priority_actions")),
        actionsFrame),
      qr),
    next ? h("p", { class: "next-question" }, h("strong", null, t("next_question")), " ", next.question) : null);
  root.appendChild(section);
  fit(themesUl.parentNode, [1, 0.92, 0.85, 0.78, 0.72]);
  if (!actions.length) {
    actionsFrame.appendChild(h("p", { class: "empty" }, t("no_actions")));
    return;
  }
  var ol = actionRows(actions, true);
  ol.id = "sc-synthesis-actions";
  actionsFrame.appendChild(ol);
  fitRows(actionsFrame, ol, actions.length);
}

export function drawClosed(root, round) { drawSynthesis(root, round, null); }

export function drawBetween(root, round) { drawSynthesis(root, previousClosed(round), round); }
