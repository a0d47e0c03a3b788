/* board.js — laying out the projector's define and converge views: type never below its floor
 * (28 px body text at 1080p), as large as the space allows, and pages that turn when even that
 * does not fit — never "and N more" while the screen has room.
 *
 * Every page turns on one clock (PAGE_MS slots since the page loaded), so a redraw (a vote, a
 * new idea) shows the same page instead of starting the rotation over.
 */
import { t } from "../lib/dom.js";

export const PAGE_MS = 12000;
const epoch = Date.now();

/** The current slot of the page clock. */
export function slotNow() { return Math.floor((Date.now() - epoch) / PAGE_MS); }

/** Call fn at every turn of the page clock; returns the function that stops it. */
export function everySlot(fn) {
  var timer = null;
  function arm() {
    timer = setTimeout(function () { fn(slotNow()); arm(); }, PAGE_MS - ((Date.now() - epoch) % PAGE_MS) + 20);
  }
  arm();
  return function () { clearTimeout(timer); };
}

/** Whether box's content fits inside it. */
export function fitsIn(box) { return box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1; }

/** Split items (the children of one list inside box, in order) into pages [start, end) that fit box's height. */
export function pagesOf(box, items) {
  if (!items.length) return [[0, 0]];
  var limit = box.clientHeight + 1;
  var pages = [], start = 0;
  while (start < items.length) {
    items.forEach(function (n, k) { n.hidden = k < start; });
    var top = box.getBoundingClientRect().top;
    var end = start + 1; // a page holds at least one item, however tall
    while (end < items.length && items[end].getBoundingClientRect().bottom - top <= limit) end++;
    pages.push([start, end]);
    start = end;
  }
  items.forEach(function (n) { n.hidden = false; });
  return pages;
}

/** Show one page of items; the others are taken out of the layout. */
export function showPage(items, page) {
  items.forEach(function (n, k) { n.hidden = k < page[0] || k >= page[1]; });
}

/** The pager line, e.g. "Ideas 7–12 of 14" (key with first, last, total); hidden when everything is on one page. */
export function pagerText(el, key, range, total, pages) {
  el.hidden = pages <= 1;
  el.textContent = pages > 1 ? t(key, { first: range[0] + 1, last: range[1], total: total }) : "";
}

/** Try each scale (rem of the box's font) from the largest: the first where ok() holds, else the last. */
export function largestScale(box, scales, ok) {
  for (var i = 0; i < scales.length; i++) {
    box.style.fontSize = scales[i] + "rem";
    if (ok()) return scales[i];
  }
  return scales[scales.length - 1];
}

/**
 * Places of ranked items: {id: {rank, tie}} from the server's ranking (never re-ranked here).
 * Items with as many dots share a place and are marked tied (competition ranking: 1, 2, 2, 4);
 * items nobody voted for have no place.
 */
export function places(ranking, tallies) {
  var out = {}, prevDots = null, prevRank = 0;
  (ranking || []).forEach(function (id, k) {
    var dots = (tallies[id] || {}).dots || 0;
    if (!dots) return;
    var rank = dots === prevDots ? prevRank : k + 1;
    out[id] = { rank: rank, tie: false, dots: dots };
    prevDots = dots; prevRank = rank;
  });
  var byRank = {};
  Object.keys(out).forEach(function (id) { (byRank[out[id].rank] = byRank[out[id].rank] || []).push(id); });
  Object.keys(byRank).forEach(function (r) { if (byRank[r].length > 1) byRank[r].forEach(function (id) { out[id].tie = true; }); });
  return out;
}
