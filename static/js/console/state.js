/* state.js — what the console's panels share: the store, the UI state, the render loop, toasts and sending. */
import { h, t, $, page } from "../lib/dom.js";
import { createStore, values } from "../lib/store.js";

export const store = createStore();
export const ui = {
  tab: "round",
  pinned: null,        // round id the facilitator chose to look at (null: follow the current round)
  merging: null,       // id of the duplicate picked in the first merge step
  dragging: null,      // id of the idea being dragged
  holding: false,      // the pointer is pressed on a draggable card (a drag may be starting)
  editing: {},         // theme id -> true while its edit form is open
  open: {},            // details keys that are open
  fresh: {},           // idea ids that just arrived (highlighted briefly)
  sheet: null,         // action id whose sheet is open
  preview: null,       // {roundId, phase} while the preview dialog is open
  timerRef: null
};
const link = { live: null };
export function setLive(live) { link.live = live; }
export function live() { return link.live; }

export function settings() { return store.settings(); }
export function phaseName(p) { return t("phase_" + p); }
export function groupName(g) { return !g || g === "—" ? t("no_group") : g; }
/** What this console's role may send, as the server's own table says (page.may): a moderator's console
 *  shows no phase, reveal, publication or export control. */
const MAY = new Set(page.may || []);
export function may(event) { return MAY.has(event); }
/** Shown to the room: approved, or recorded before the review existed. */
export function approved(item) { return !item.review || item.review === "approved"; }
/** What waits in the moderators' inbox (pending), oldest first. */
export function heldItems(r) {
  const pending = (list) => values(list).filter((x) => x.review === "pending" && !x.withdrawn && !x.merged_into).sort(byId);
  return { ideas: pending(r.ideas), actions: pending(r.actions) };
}
/** What the round's phase allows, as the server says (Round.can). */
export function can(r, capability) { return !!r && !!r.can && !!r.can[capability]; }
export function lines(text) { return String(text || "").split("\n").map((s) => s.trim()).filter(Boolean); }

export function viewedRound() { return (ui.pinned && store.state.rounds[ui.pinned]) || store.currentRound(); }
function byId(a, b) { return a.id - b.id; }
/** The ideas on the wall and the board: standing, and approved (the inbox holds the others). */
export function liveIdeas(r) { return values(r.ideas).filter((i) => !i.withdrawn && !i.merged_into && approved(i)).sort(byId); }
export function themesOf(r) { return values(r.themes).sort((a, b) => a.position - b.position || a.id - b.id); }
export function mergedInto(r) {
  const out = {};
  values(r.ideas).forEach((i) => {
    if (i.merged_into && !i.withdrawn) (out[i.merged_into] = out[i.merged_into] || []).push(i);
  });
  return out;
}

// ------------------------------------------------------------------ rendering machinery

const RENDER_GAP = 100; // ms between two rebuilds: a burst of 300 ideas costs a few renders, not 300
let lastRender = 0, scheduled = false, dirty = {}, renderers = {};
const cache = {};        // persistent form nodes, so typing survives re-renders

/** The panels' render functions, in the order they are rebuilt: {part: fn}. */
export function setRenderers(r) { renderers = r; }

function release() {
  if (!ui.holding) return;
  ui.holding = false;
  invalidate();
}
document.addEventListener("pointerup", release, true);
document.addEventListener("pointercancel", release, true);
document.addEventListener("dragend", release, true);

export function invalidate(...parts) {
  parts.forEach((p) => { dirty[p] = true; });
  if (scheduled) return;
  scheduled = true;
  setTimeout(render, Math.max(0, lastRender + RENDER_GAP - Date.now()));
}

function render() {
  scheduled = false;
  lastRender = Date.now();
  if (ui.dragging || ui.holding) return; // rebuilt on release: never pull the card from under the pointer
  if (!store.state.loaded) return;
  const parts = dirty;
  dirty = {};
  const focus = rememberFocus();
  Object.keys(renderers).forEach((p) => { if (parts[p]) renderers[p](); });
  restoreFocus(focus);
}

function rememberFocus() {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const f = { el: el, key: el.getAttribute("data-key") };
  try { f.start = el.selectionStart; f.end = el.selectionEnd; } catch (e) { /* not a text field */ }
  return f;
}
function restoreFocus(f) {
  if (!f || document.activeElement === f.el) return;
  const target = f.el.isConnected ? f.el : (f.key ? document.querySelector('[data-key="' + f.key + '"]') : null);
  if (!target) return;
  target.focus({ preventScroll: true });
  if (target === f.el && typeof f.start === "number") {
    try { target.setSelectionRange(f.start, f.end); } catch (e) { /* not a text field */ }
  }
}

/** A form that must survive re-renders (what is being typed stays). */
export function persistent(key, build) {
  if (!cache[key]) cache[key] = build();
  return cache[key];
}
export function forget(key) { delete cache[key]; }

/** <details> that remembers whether it is open across re-renders. */
export function disclosure(key, summary, body, cls) {
  const d = h("details", { class: cls || "disclosure", "data-key-open": key, open: !!ui.open[key] }, h("summary", null, summary), body);
  d.addEventListener("toggle", () => { if (d.open) ui.open[key] = true; else delete ui.open[key]; });
  return d;
}

/** Focus an element once the pending re-render has happened. */
export function focusLater(selector) {
  setTimeout(() => { const el = document.querySelector(selector); if (el) el.focus(); }, 30);
}

// ------------------------------------------------------------------ toasts and sending

/** Errors: a visible toast (inside the open dialog if any), announced at once.
 *  Confirmations ("ok"): the change itself is visible, so they are only announced. */
export function notify(message, kind) {
  if (kind === "ok") {
    const status = $("notices");
    status.textContent = "";
    setTimeout(() => { status.textContent = message; }, 50);
    return;
  }
  const dialog = document.querySelector("dialog[open]");
  const host = dialog ? dialog.querySelector(".dialog-alerts") : $("alerts");
  const item = h("div", { class: "toast-item error" }, h("p", null, message));
  function remove() { if (item.parentNode) item.parentNode.removeChild(item); }
  item.appendChild(h("button", { type: "button", class: "small toast-close", onclick: remove }, t("dismiss")));
  while (host.children.length >= 3) host.removeChild(host.firstChild);
  host.appendChild(item);
  setTimeout(remove, 12000);
}

/** A write through the outbox; its answer is folded into the store (refusals are toasted by onDelivered). */
export function send(event, payload) {
  return link.live.send(event, payload).then((data) => {
    ["idea", "theme", "action", "round", "poll"].forEach((k) => { if (data && data[k]) store.apply(k, data[k]); });
    ["ideas", "actions"].forEach((k) => { if (data && Array.isArray(data[k])) data[k].forEach((x) => store.apply(k.slice(0, -1), x)); });
    if (data && data.workshop) store.apply("workshop", data.workshop);
    return data;
  });
}
export function ignore() { /* the toast already said why */ }
