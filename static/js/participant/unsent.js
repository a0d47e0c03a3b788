/* unsent.js — ideas the server refused for good (the phase closed while the phone was offline, a text
 * too long…): their text is never lost. Kept on the phone (localStorage) and listed above the view with
 * the reason, to copy, post again while ideas are open, or clear. */
import { h, t, $, storage, replace } from "../lib/dom.js";
import { code, link, store, refresh } from "./common.js";

const KEY = "workshop:" + code + ":unsent";

function load() {
  const s = storage();
  try { return (s && JSON.parse(s.getItem(KEY) || "[]")) || []; } catch (e) { return []; }
}
function save(items) {
  const s = storage();
  if (!s) return;
  if (items.length) s.setItem(KEY, JSON.stringify(items)); else s.removeItem(KEY);
}

/** Keep a refused idea's text with the server's reason (once per write: two tabs may both hear the refusal). */
export function keepUnsent(text, reason, opId) {
  const items = load();
  const id = opId || text;
  if (!items.some((i) => (i.id || i.text) === id)) items.push({ id: id, text: text, reason: reason || "", at: Date.now() });
  save(items);
  refresh();
}

function keyOf(i) { return i.id || String(i.at); }
function drop(key) { save(load().filter((i) => keyOf(i) !== key)); refresh(); }

function box() {
  let el = $("unsent");
  if (!el) {
    el = h("section", { id: "unsent", class: "card unsent", "aria-labelledby": "unsent-title" });
    const view = $("view");
    view.parentNode.insertBefore(el, view);
  }
  return el;
}

/** Redrawn on every refresh; hidden when nothing is waiting. */
export function renderUnsent() {
  const items = load();
  const el = box();
  el.hidden = !items.length;
  if (!items.length) { replace(el, []); return; }
  const r = store.currentRound();
  const canPost = !!(r && r.can && r.can.post_idea);
  replace(el, [
    h("h3", { id: "unsent-title" }, t("unsent_title")),
    h("p", { class: "hint" }, t("unsent_intro")),
    h("ul", { class: "unsent-list" }, items.map((i) => h("li", null,
      h("p", { class: "unsent-text", dir: "auto" }, i.text),
      i.reason ? h("p", { class: "hint" }, i.reason) : null,
      h("div", { class: "unsent-tools" },
        canPost ? h("button", { type: "button", class: "small primary", onclick: () => {
          drop(keyOf(i));
          link.live.send("idea.post", { text: i.text }).catch(function () {});
        } }, t("unsent_again")) : null,
        navigator.clipboard ? h("button", { type: "button", class: "small", onclick: () => {
          navigator.clipboard.writeText(i.text).catch(function () {});
        } }, t("unsent_copy")) : null,
        h("button", { type: "button", class: "small", onclick: () => drop(keyOf(i)) }, t("unsent_clear"))))))
  ]);
}
