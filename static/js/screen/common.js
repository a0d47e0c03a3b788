/* common.js — what the projector's views share: the store, fitting text in a box, bars. */
import { h, t, plural, page } from "../lib/dom.js";
import { createStore, values } from "../lib/store.js";

export const store = createStore();
export const fresh = {};   // idea ids that arrived live: they get the arrival animation

/** The workshop's facts: the store's once loaded, the page's before. */
export function workshopNow() { return store.state.loaded ? store.state.workshop : (page.workshop || {}); }

export function dotsText(n) { return n ? plural("dots", n) : t("dots_none"); }

export function el(id) { return document.getElementById(id); }

export function fits(box) {
  return box.scrollHeight <= box.clientHeight + 1;
}

/** Shrink box's font (em steps) until its content fits; then call trim() until it does. */
export function fit(box, scales, trim) {
  for (var i = 0; i < scales.length; i++) {
    box.style.fontSize = scales[i] + "em";
    if (fits(box)) return true;
  }
  var guard = 1000;
  while (trim && !fits(box) && guard-- > 0) if (!trim()) break;
  return fits(box);
}

export function shortUrl(url) { return String(url || "").replace(/^https?:\/\//, ""); }

export function previousClosed(round) {
  if (!round || !store.state.loaded) return null;
  var prev = null;
  store.rounds().forEach(function (r) { if (r.position < round.position && r.phase === "closed") prev = r; });
  return prev;
}

export function visibleIdeas(round) {
  var list = [];
  values(round.ideas).forEach(function (i) { if (!(i.hidden || i.withdrawn || i.merged_into)) list.push(i); });
  list.sort(function (a, b) { return (a.created_at || "").localeCompare(b.created_at || "") || a.id - b.id; });
  return list;
}

export function themeList(round) {
  var list = [];
  values(round.themes).forEach(function (th) { list.push(th); });
  list.sort(function (a, b) { return a.position - b.position || a.id - b.id; });
  return list;
}

export function bar(value, max) {
  var fill = h("span", { class: "bar-fill" });
  fill.style.width = (max ? Math.max(2, Math.round(100 * value / max)) : 0) + "%";
  return h("span", { class: "bar", "aria-hidden": "true" }, fill);
}
