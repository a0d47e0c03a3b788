/* cards.js — what a vote card shows of the item voted on: a theme's objective, criteria and its ideas
 * (folded out on demand), an action's sheet (description, owner, partners, deadline, resources, indicators).
 *
 * A phone is never pushed the room's ideas. It asks for one theme's with the read event
 * `theme.ideas` when its fold is opened, and asks again while the fold stays open when that
 * theme or the round changes, or after a reconnection (docs/protocol.md, `theme.ideas`).
 */
import { h, t, plural } from "../lib/dom.js";
import { store, link } from "./common.js";

const SPREAD_MS = 1500; // re-reads caused by a broadcast are spread over the room, not sent by 2,000 phones at once

const openFolds = [];

store.subscribe(function (event, data) {
  for (var i = openFolds.length - 1; i >= 0; i--) {
    var f = openFolds[i];
    if (!f.el.isConnected) { openFolds.splice(i, 1); continue; }
    if (event === "snapshot") f.load(0);
    else if (event === "round" || (event === "theme" && data && data.id === f.themeId)) f.load(Math.random() * SPREAD_MS);
  }
});

/** The fold of a theme's ideas: closed at first, read from the server each time it is opened. */
function themeFold(themeId) {
  var summary = h("summary", { class: "fold-summary" }, t("theme_ideas"));
  var box = h("div", { class: "fold-body", "aria-live": "polite" });
  var el = h("details", { class: "fold", dataset: { themeId: themeId } }, summary, box);
  var fold = { el: el, themeId: themeId, asked: 0, timer: null };
  function show(children) { box.textContent = ""; children.forEach(function (c) { box.appendChild(c); }); }
  fold.load = function (delay) {
    clearTimeout(fold.timer);
    if (delay) { fold.timer = setTimeout(function () { fold.load(0); }, delay); return; }
    if (!el.open || !link.live) return;
    var asked = ++fold.asked;
    if (!box.querySelector(".fold-ideas, .fold-none")) show([h("p", { class: "hint" }, t("loading"))]);
    link.live.ask("theme.ideas", { theme_id: themeId }).then(function (data) {
      if (asked !== fold.asked) return; // a newer answer is on its way
      summary.textContent = plural("theme_ideas_n", data.ideas.length);
      show(data.ideas.length ? [h("ul", { class: "fold-ideas" }, data.ideas.map(ideaItem))] : [h("p", { class: "hint fold-none" }, t("theme_ideas_none"))]);
    }, function (error) {
      if (asked !== fold.asked) return;
      show([h("p", { class: "error-text" }, error.message),
        h("button", { type: "button", class: "small", onclick: function () { fold.load(0); } }, t("retry"))]);
    });
  };
  el.addEventListener("toggle", function () {
    var k = openFolds.indexOf(fold);
    if (el.open) { if (k < 0) openFolds.push(fold); fold.load(0); }
    else if (k >= 0) { openFolds.splice(k, 1); clearTimeout(fold.timer); }
  });
  return fold;
}

/** One idea of a theme: its text, who it stands for (stakeholder group, pseudonym unless anonymous). */
function ideaItem(idea) {
  var who = [idea.group, idea.author].filter(Boolean).join(" · ");
  return h("li", { class: "fold-idea" },
    h("p", { class: "fold-text", dir: "auto" }, idea.text),
    who || idea.count > 1 ? h("p", { class: "fold-meta" },
      who ? h("span", { class: "fold-who" }, who) : null,
      idea.count > 1 ? h("span", { class: "fold-count" }, t("stands_for", { n: idea.count })) : null) : null);
}

/** The fold of a theme's ideas on its own (a kept theme's heading in converge). */
export function themeIdeas(themeId) { return themeFold(themeId).el; }

/** Fill a theme card's body: objective and criteria (redrawn when they change), then the fold of its ideas (kept). */
export function themeBody(body, theme) {
  var sig = JSON.stringify([theme.objective, theme.criteria]);
  if (!body._text) {
    body._text = h("div", { class: "item-text" });
    body._fold = themeFold(theme.id);
    body.appendChild(body._text);
    body.appendChild(body._fold.el);
  }
  if (body._sig === sig) return;
  body._sig = sig;
  var text = body._text;
  text.textContent = "";
  if (theme.objective) text.appendChild(h("p", { class: "objective" }, h("strong", {}, t("field_label", { label: t("objective") })), " ", h("span", { dir: "auto" }, theme.objective)));
  if (theme.criteria && theme.criteria.length) {
    text.appendChild(h("p", { class: "crit-label" }, t("criteria")));
    text.appendChild(h("ul", { class: "criteria" }, theme.criteria.map(function (c) { return h("li", null, h("span", { dir: "auto" }, c)); })));
  }
}

var SHEET = [["owner", "sheet_owner"], ["partners", "sheet_partners"], ["deadline", "sheet_deadline"],
  ["resources", "sheet_resources"], ["indicators", "sheet_indicators"]];

/** Fill an action card's body: its description and the filled fields of its sheet (redrawn when they change). */
export function actionBody(body, action) {
  var sig = JSON.stringify([action.description].concat(SHEET.map(function (f) { return action[f[0]]; })));
  if (body._sig === sig) return;
  body._sig = sig;
  body.textContent = "";
  if (action.description) body.appendChild(h("p", { class: "description" }, action.description));
  var rows = [];
  SHEET.forEach(function (f) {
    var v = action[f[0]];
    if (Array.isArray(v)) v = v.filter(Boolean).join(", ");
    if (v) rows.push(h("div", { class: "sheet-row", dataset: { field: f[0] } }, h("dt", {}, t("field_label", { label: t(f[1]) })), h("dd", {}, v)));
  });
  if (rows.length) body.appendChild(h("dl", { class: "sheet" }, rows));
}
