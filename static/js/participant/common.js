/* common.js — what the phone page's views share: the store, the phone's own state, toasts, keyed lists. */
import { h, page, $, storage } from "../lib/dom.js";
import { createStore } from "../lib/store.js";

export const code = page.code;
export const TOKEN_KEY = "workshop:" + code + ":token";
export const DRAFT_KEY = "workshop:" + code + ":draft";
export const GUEST_KEY = "workshop:" + code + ":guest";
export const store = createStore();
export const link = { live: null, refresh: null };
export const view = $("view");

export function getToken() { const s = storage(); return s ? s.getItem(TOKEN_KEY) : null; }
export function setToken(v) { const s = storage(); if (!s) return; if (v) s.setItem(TOKEN_KEY, v); else s.removeItem(TOKEN_KEY); }
/**
 * This phone's secret guest id (128 random bits, hex), drawn once and kept next to its outbox:
 * the server keys a guest's writes by it, so a join resent after a lost answer replays this
 * phone's own reply — never another guest's (docs/protocol.md, "Connecting").
 */
let memoryGuestId = null;
export function getGuestId() {
  const s = storage();
  let id = (s && s.getItem(GUEST_KEY)) || memoryGuestId;
  if (!id || !/^[0-9a-f]{32}$/.test(id)) {
    const bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    id = Array.prototype.map.call(bytes, (b) => ("0" + b.toString(16)).slice(-2)).join("");
    if (s) { try { s.setItem(GUEST_KEY, id); } catch (e) { /* full: kept for this page */ } }
    memoryGuestId = id;
  }
  return id;
}
export function norm(text) {
  text = String(text || "");
  if (text.normalize) text = text.normalize("NFC");
  return text.replace(/[ \t\u00a0]+/g, " ").replace(/ *\n */g, "\n").trim();
}

// What only this phone knows (the rest is in the store).
export const S = {
  votes: { theme: {}, action: {} },   // my dots per item id (all rounds; ids are unique)
  voteAt: {},                         // "kind:id" -> when the write behind the last applied answer was made
  outbox: [],
  acked: { idea: {}, action: {} },    // ids learned from acks (they never match a pending write)
  seen: {},                           // "idea:12" -> when it first arrived here
  editing: null, confirming: null,    // idea id being edited / confirmed for withdrawal
  joined: !!getToken(),
  view: null,                         // "roundId:phase" currently built
  parts: {}                           // live elements of the view being shown
};

export function settings() { return store.settings(); }
export function refresh() { link.refresh(); }
export function markSeen(kind, id, when) { const k = kind + ":" + id; if (!S.seen[k]) S.seen[k] = when || Date.now(); }
export function pendingOf(event) { return S.outbox.filter((i) => i.event === event); }

// ----------------------------------------------------------------- toasts
var toastEl = $("toast"), infoEl = $("toast-info"), toastTimer = null;
/** A short message at the bottom: errors in the alert region, confirmations in the polite one. */
export function toast(message, isError) {
  var el = isError ? toastEl : infoEl, other = isError ? infoEl : toastEl;
  other.hidden = true;
  el.textContent = message;
  el.hidden = false;
  if (toastTimer) clearTimeout(toastTimer);
  toastTimer = setTimeout(function () { el.hidden = true; }, isError ? 7000 : 3000);
}
export function hideToasts() { toastEl.hidden = true; infoEl.hidden = true; }

/** Keep a list's children in step with rows {key, sig, build(li)}: untouched rows keep their DOM (and focus). */
export function syncList(list, rows, toSpec) {
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

/** Keyed cards inside a container: created once, updated in place, removed when gone. */
export function syncCards(container, items, make) {
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
