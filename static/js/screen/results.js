/* results.js — define, converge and closed on the projector: themes with their ideas and dots,
 * actions in the server's ranking once tallies are visible, the frozen synthesis. */
import { h, t, page } from "../lib/dom.js";
import { values, ranked } from "../lib/store.js";
import { store, workshopNow, dotsText, fit, shortUrl, previousClosed, visibleIdeas, themeList, bar } from "./common.js";

function resultsNote(extra) {
  return h("p", { class: "results-hidden", id: "sc-results-hidden" },
    h("span", { class: "results-hidden-main" }, t("results_hidden")),
    extra ? h("span", { class: "results-hidden-sub" }, " — " + extra) : null);
}

export function drawDefine(root, round) {
  var ideas = visibleIdeas(round);
  var themes = themeList(round);
  var tallies = round.tallies.theme;
  var grid = h("ul", { class: "themes", id: "sc-themes", "aria-label": t("themes_heading") });
  var section = h("section", { class: "define" },
    h("h1", { class: "question" }, round.question),
    !tallies && themes.length ? resultsNote(t("vote_on_phone")) : null,
    h("div", { class: "define-frame" }, grid));
  root.appendChild(section);

  var maxDots = 0;
  if (tallies) themes.forEach(function (th) { maxDots = Math.max(maxDots, (tallies[th.id] || {}).dots || 0); });
  var lists = [];
  themes.forEach(function (th, k) {
    var own = ideas.filter(function (i) { return i.theme_id === th.id; });
    var dots = tallies ? (tallies[th.id] || {}).dots || 0 : null;
    var ul = h("ul", { class: "theme-ideas" });
    own.forEach(function (i) { ul.appendChild(ideaLine(i)); });
    lists.push({ ul: ul, items: own.length });
    grid.appendChild(h("li", { class: "theme theme-c" + (k % 6), dataset: { themeId: th.id } },
      h("div", { class: "theme-head" },
        h("h2", { class: "theme-title" }, th.title),
        th.kept ? h("span", { class: "theme-kept" }, t("kept")) : null,
        dots !== null ? h("span", { class: "theme-dots", dataset: { dots: String(dots) } }, dotsText(dots)) : null),
      dots !== null ? bar(dots, maxDots) : null,
      th.objective ? h("p", { class: "theme-objective" }, h("strong", null, t("objective")), " ", th.objective) : null,
      th.criteria && th.criteria.length ? h("div", { class: "theme-criteria" },
        h("strong", null, t("criteria")),
        h("ul", null, th.criteria.map(function (c) { return h("li", null, c); }))) : null,
      ul));
  });
  var unsorted = ideas.filter(function (i) { return i.theme_id === null || i.theme_id === undefined || !!!round.themes[i.theme_id]; });
  if (unsorted.length) {
    var ul = h("ul", { class: "theme-ideas" });
    unsorted.forEach(function (i) { ul.appendChild(ideaLine(i)); });
    lists.push({ ul: ul, items: unsorted.length });
    grid.appendChild(h("li", { class: "theme theme-unsorted" },
      h("div", { class: "theme-head" },
        h("h2", { class: "theme-title" }, themes.length ? t("unsorted") : t("themes_none"))),
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
      h("span", { class: "visually-hidden" }, " (" + t("stands_for", { n: idea.count }) + ")")) : null);
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
  more.textContent = t("more", { n: hiddenCount });
  return true;
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

export function drawConverge(root, round) {
  var tallies = round.tallies.action;
  var items = rankedActions(round, tallies);
  var frame = h("div", { class: "rows-frame" });
  root.appendChild(h("section", { class: "converge" },
    h("h1", { class: "question" }, round.question),
    h("div", { class: "converge-head" },
      h("h2", { class: "box-title" }, tallies ? t("actions_ranked") : t("actions_heading")),
      !tallies && items.length ? resultsNote(t("vote_on_phone")) : null),
    frame));
  if (!items.length) {
    frame.appendChild(h("p", { class: "empty" }, t("actions_none")));
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
