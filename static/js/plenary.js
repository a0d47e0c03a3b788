/* plenary.js — the plenary screen (/p/<event>): an event's parallel ateliers side by side (read-only).
 *
 * One connection and one store per atelier (plenary/atelier.js), each as role "screen"
 * (docs/protocol.md). Each column shows its atelier's title, question(s), current phase,
 * kept themes with their objective and the prioritised actions (top 5) with their dots.
 * All columns are drawn in one frame; nothing ever scrolls: the columns share one text
 * size, then a column still too long keeps its first items with "and N more".
 */
import { h, t, plural, page, ready } from "./lib/dom.js";
import { statusBadge, keepAwake } from "./lib/widgets.js";
import { Atelier } from "./plenary/atelier.js";

const STATE_ORDER = ["connected", "connecting", "reconnecting", "offline"];
function el(id) { return document.getElementById(id); }
function changed() { scheduleAll(); statusChanged(); }

/* ------------------------------------------------------------ fitting a column */

function fits(frame) { return frame.scrollHeight <= frame.clientHeight + 1; }

function setMore(list) {
  var more = list.nextElementSibling && list.nextElementSibling.classList.contains("more") ? list.nextElementSibling : null;
  var n = Number(list.dataset.more || 0);
  if (!n) { if (more) more.remove(); return; }
  if (!more) { more = h("p", { class: "more" }); list.parentNode.insertBefore(more, list.nextSibling); }
  more.textContent = t("more", { n: n });
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
var badge = statusBadge(el("pl-status"));

function statusChanged() {
  if (!ateliers.length) return;
  var worst = "connected", connected = 0;
  ateliers.forEach(function (a) {
    if (a.status === "connected") connected++;
    if (STATE_ORDER.indexOf(a.status) > STATE_ORDER.indexOf(worst)) worst = a.status;
  });
  badge(worst);
  if (worst !== "connected" && connected > 0) {
    el("pl-status").textContent = t("connected_some", { n: connected, total: ateliers.length });
  }
  var people = 0, known = false;
  ateliers.forEach(function (a) { if (a.store.state.loaded) { known = true; people += a.store.state.presence.count || 0; } });
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
  ateliers = (page.workshops || []).map(function (w, k) { return new Atelier(w, k, changed); });
  renderAll();
  ateliers.forEach(function (a) { a.connect(); });
  statusChanged();
  window.addEventListener("resize", scheduleAll);
  keepAwake();
}

ready(start);
