/* board.js — the theme board (define), built for a real room's size: 300 ideas, a dozen themes.
 *
 * Left, a scrolling pane: the unsorted ideas (newest first, a filter, multi-select), or the ideas of
 * the theme the facilitator opened (with its objective, criteria, dots, by-group breakdown, edit and
 * delete). Right, always in view (sticky): the themes as compact drop targets — title, ideas, dots.
 * Filing an idea: drag it (mouse, or the ⠿ handle on a touch screen) onto a theme; or, by keyboard,
 * "Classer…" on its card, choose the theme, then "Classer" (never on change); or tick several ideas
 * and file them at once (one `idea.move` with `idea_ids`). Every filing is confirmed by a visible
 * toast and a spoken message. Converge and closed rounds show the same board read-only.
 */
import { h, t, plural, $ } from "../lib/dom.js";
import { tallyOf } from "../lib/store.js";
import { store, ui, invalidate, can, may, viewedRound, liveIdeas, themesOf, mergedInto, persistent, forget, disclosure, focusLater,
  groupName, lines, send, ignore, notify } from "./state.js";
import { ideaCard, ideaNumbers, pruneCards, mergeBanner, wallCount } from "./wall.js";
import { confirmDialog } from "./dialogs.js";
import { assistPanel, assistIdeaChip } from "./assist.js";

const UNSORTED = "unsorted";
const b = (ui.board = { view: {}, selected: {}, filter: "", choosing: null, anchor: null, times: [] });
window.workshopBoard = b; // render times, read by the browser tests

export function dotsBlock(r, kind, id, key) {
  const tl = tallyOf(r, kind, id);
  const groups = Object.keys(tl.by_group || {});
  const summary = h("span", { class: "dots-line" },
    h("span", { class: "badge dots" }, "● " + plural("dots", tl.dots)),
    tl.voters ? h("span", { class: "voters" }, plural("people", tl.voters)) : null);
  if (!groups.length) return h("div", { class: "dots-block" }, summary);
  return h("div", { class: "dots-block" },
    summary,
    disclosure(key, t("by_group"), h("ul", { class: "group-breakdown" }, groups.map((g) =>
      h("li", null, h("span", null, groupName(g)), h("strong", null, String(tl.by_group[g]))))), "disclosure small-disclosure"));
}

export function themeSummary(theme) {
  return h("div", { class: "theme-summary" },
    theme.objective
      ? h("p", { class: "objective" }, h("span", { class: "label" }, t("objective")), " ", theme.objective)
      : h("p", { class: "objective muted" }, t("no_objective")),
    theme.criteria && theme.criteria.length
      ? h("div", { class: "criteria" }, h("span", { class: "label" }, t("criteria")),
          h("ul", null, theme.criteria.map((c) => h("li", null, c))))
      : null);
}

// ------------------------------------------------------------------ what the pane shows

/** The theme open in the left pane (null: the unsorted ideas). */
function openTheme(r) {
  const id = b.view[r.id];
  return id && r.themes[id] ? r.themes[id] : null;
}
function show(r, themeId) {
  b.view[r.id] = themeId || null;
  b.choosing = null;
  b.filter = "";
  b.selected = {};
  b.anchor = null;
  invalidate("work");
}

function fold(s) { return String(s || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }

/** The ideas the filter keeps: words of the text, the author or the group; "12", "n°12" or "#12" for a number. */
function matcher(query, numbers) {
  const q = fold(query).trim();
  if (!q) return () => true;
  const num = q.match(/^(?:n°|no|#)?\s*(\d+)$/);
  const words = q.split(/\s+/);
  return (idea) => {
    if (num && numbers[idea.id] === Number(num[1])) return true;
    const hay = fold(idea.text + " " + (idea.author || "") + " " + groupName(idea.group) + " " + (idea.group || ""));
    return words.every((w) => hay.indexOf(w) >= 0);
  };
}

function newestFirst(a, c) { return c.id - a.id; }

// ------------------------------------------------------------------ the board

export function boardView(r, readonly) {
  const t0 = performance.now();
  // Filing and creating themes is the facilitator's; correcting a theme's text, a moderator's too (page.may).
  const editable = !readonly && can(r, "edit_themes") && may("idea.move");
  const textEditable = !readonly && can(r, "edit_themes") && may("theme.update");
  const ideas = liveIdeas(r);
  const merged = mergedInto(r);
  const numbers = ideaNumbers(r);
  const themes = themesOf(r);
  const byTheme = {};
  ideas.forEach((i) => {
    const key = i.theme_id && r.themes[i.theme_id] ? i.theme_id : UNSORTED;
    (byTheme[key] = byTheme[key] || []).push(i);
  });
  const theme = openTheme(r);
  if (!theme) b.view[r.id] = null;
  const inPane = (byTheme[theme ? theme.id : UNSORTED] || []).slice().sort(newestFirst);
  const keepSel = {};
  inPane.forEach((i) => { if (b.selected[i.id]) keepSel[i.id] = true; });
  b.selected = keepSel;
  if (b.choosing && !inPane.some((i) => i.id === b.choosing)) b.choosing = null;
  const shown = inPane.filter(matcher(b.filter, numbers));
  b.shown = shown.map((i) => i.id);

  const keep = {};
  const opts = (i) => ({
    compact: true, number: numbers[i.id], movable: editable, selectable: editable, selected: !!b.selected[i.id],
    choosing: editable && b.choosing === i.id ? themeKey(r) : null,
    chip: editable && !theme ? assistIdeaChip : null,
    onChoose: chooseFor, chooser: (idea, textId) => chooser(r, idea, textId), onPointerDown: startPointer
  });
  const list = shown.map((i) => { keep[i.id] = true; return ideaCard(r, i, merged[i.id], opts(i)); });
  if (!readonly) pruneCards(keep);
  const listId = readonly ? "ro-list-" + r.id : "sort-list";
  const headId = readonly ? "ro-pane-h-" + r.id : "pane-heading";
  const viewKey = (readonly ? "ro:" : "") + r.id + ":" + (theme ? theme.id : UNSORTED);
  let scroller;
  if (list.length) {
    // The list stays in the document between renders (only the cards that changed move): no relayout of 300 cards.
    scroller = persistent("board-list:" + viewKey, () => {
      const ol = h("ol", { class: "sort-list", id: listId });
      keepScroll(ol, viewKey);
      return ol;
    });
    scroller.setAttribute("aria-labelledby", headId);
    if (editable) scroller.setAttribute("data-drop", theme ? String(theme.id) : ""); else scroller.removeAttribute("data-drop");
    patch(scroller, list);
    restoreScroll(scroller, viewKey);
  } else {
    scroller = h("p", { class: "empty pane-empty" }, inPane.length ? t("no_match") : theme ? t("theme_empty") : t("all_sorted"));
  }
  const pane = persistent("board-pane:" + (readonly ? "ro" : "live"), () => h("section", { class: "pane sort-pane" }));
  pane.setAttribute("aria-labelledby", headId);
  patch(pane, [
    paneHead(r, theme, inPane.length, shown.length, textEditable, readonly, headId, editable && may("theme.delete")),
    editable && !theme ? assistPanel(r) : null,
    inPane.length ? filterBox(r, readonly) : null,
    editable && inPane.length ? selectionBar(r, theme, shown) : null,
    scroller]);

  const root = persistent("board-root:" + (readonly ? "ro" : "live"), () => h("div", { class: "board-area" + (readonly ? " is-readonly" : "") }));
  const layout = persistent("board-layout:" + (readonly ? "ro" : "live"), () => h("div", { class: "board-layout" }));
  patch(layout, [pane, targetsPane(r, themes, byTheme, theme, editable, readonly)]);
  patch(root, [
    readonly ? null : persistent("board-heading", () => h("h3", { id: "board-heading", class: "visually-hidden" }, t("board_title"))),
    readonly ? null : mergeBanner(r),
    layout]);
  if (!readonly) fitLater(root);
  const built = performance.now() - t0;
  queueMicrotask(() => {
    const inserted = performance.now() - t0;
    void document.body.offsetHeight; // style and layout included
    b.times.push(performance.now() - t0);
    (b.parts = b.parts || []).push([built, inserted]);
    if (b.times.length > 200) { b.times.shift(); b.parts.shift(); }
  });
  return root;
}

function themeKey(r) { return themesOf(r).map((th) => th.id + ":" + th.title).join("|"); }

function paneHead(r, theme, total, shown, editable, readonly, headId, deletable) {
  const count = h("p", { class: "pane-count" }, shown === total ? plural("n_ideas", total) : t("filter_count", { n: shown, total: total }));
  if (!theme) {
    return h("div", { class: "pane-head" }, h("div", { class: "pane-title" }, h("h4", { id: headId }, t("unsorted")), count,
      readonly ? null : h("p", { class: "count-line pane-total" }, wallCount(r))));
  }
  return h("div", { class: "pane-head theme-head" + (theme.kept ? " is-kept" : "") },
    h("button", { type: "button", class: "small linkish back", "data-key": "back-unsorted", onclick: () => { show(r, null); focusLater('[data-key="target-unsorted"]'); } },
      "← " + t("back_unsorted")),
    h("div", { class: "pane-title" },
      h("h4", { id: headId }, theme.title),
      theme.kept ? h("span", { class: "badge kept" }, "★ " + t("theme_kept")) : null,
      count),
    h("div", { class: "theme-detail" },
      dotsBlock(r, "theme", theme.id, "tdots-" + theme.id),
      ui.editing[theme.id] && editable ? themeEditForm(theme) : themeSummary(theme),
      editable && !ui.editing[theme.id]
        ? h("div", { class: "col-tools" },
            h("button", { type: "button", class: "small", "data-key": "edit-theme-" + theme.id, "aria-describedby": headId,
              onclick: () => openThemeEditor(theme) }, t("theme_edit")),
            deletable ? h("button", { type: "button", class: "small danger", "data-key": "delete-theme-" + theme.id, "aria-describedby": headId,
              onclick: () => deleteTheme(theme) }, t("theme_delete")) : null)
        : null));
}

/** The scroll position of a list survives re-renders, and a list put back in the page (read-only board, another view). */
const scrolls = {};
function keepScroll(el, key) {
  el.addEventListener("scroll", () => { scrolls[key] = el.scrollTop; }, { passive: true });
}
function restoreScroll(el, key) {
  if (scrolls[key]) queueMicrotask(() => { if (Math.abs(el.scrollTop - scrolls[key]) > 1) el.scrollTop = scrolls[key]; });
}

/** Make parent's children exactly `children` (nulls skipped), moving only the nodes that are not already in place. */
function patch(parent, children) {
  const want = children.filter(Boolean);
  const keep = new Set(want);
  Array.from(parent.childNodes).forEach((n) => { if (!keep.has(n)) parent.removeChild(n); }); // stale ones first: the kept never move
  want.forEach((node, i) => {
    const at = parent.childNodes[i];
    if (at !== node) parent.insertBefore(node, at || null);
  });
}

/** The board fills the window from where it starts, so the themes are all in view without scrolling the page. */
function fitLater(root) {
  requestAnimationFrame(() => {
    if (!root.isConnected) return;
    const top = root.querySelector(".board-layout").getBoundingClientRect().top + window.scrollY;
    document.documentElement.style.setProperty("--board-top", Math.round(top) + "px");
  });
}
window.addEventListener("resize", () => { const el = document.querySelector(".board-area:not(.is-readonly)"); if (el) fitLater(el); });

// ------------------------------------------------------------------ filter and selection

function filterBox(r, readonly) {
  const input = persistent("board-filter", () => {
    const el = h("input", { type: "search", id: "board-filter", class: "filter-input", "data-key": "board-filter", autocomplete: "off" });
    el.addEventListener("input", () => { b.filter = el.value; invalidate("work"); });
    return el;
  });
  if (input.value !== b.filter) input.value = b.filter;
  if (readonly) return h("div", { class: "filter-row" }, h("label", { class: "visually-hidden", for: "board-filter" }, t("filter_label")), input);
  return h("div", { class: "filter-row" }, h("label", { for: "board-filter" }, t("filter_label")), input);
}

function selectedIds() { return Object.keys(b.selected).map(Number); }

function selectionBar(r, theme, shown) {
  const n = selectedIds().length;
  const allShown = shown.length > 0 && shown.every((i) => b.selected[i.id]);
  const sel = persistent("bulk-target", () => h("select", { id: "bulk-target", "data-key": "bulk-target" }));
  fillTargets(sel, r, theme ? theme.id : null);
  return h("div", { class: "selection-bar", role: "group", "aria-label": t("selection_label") },
    h("button", { type: "button", class: "small", "data-key": "select-all", disabled: !shown.length || allShown,
      onclick: () => { shown.forEach((i) => { b.selected[i.id] = true; }); invalidate("work"); } }, t("select_all_filtered")),
    n ? h("button", { type: "button", class: "small", "data-key": "select-none", onclick: () => { b.selected = {}; invalidate("work"); focusLater('[data-key="select-all"]'); } },
      t("select_none")) : null,
    h("p", { class: "selected-count", id: "selected-count" }, plural("selected", n)),
    n ? h("div", { class: "bulk-move" },
      h("label", { for: "bulk-target" }, t("classify_into")),
      sel,
      h("button", { type: "button", class: "small primary", "data-key": "bulk-file", "aria-describedby": "selected-count",
        onclick: () => {
          if (!sel.value) { sel.focus(); return; }
          fileIdeas(r, selectedIds(), sel.value === UNSORTED ? null : Number(sel.value), '[data-key="select-all"]');
        } }, t("classify_confirm"))) : null);
}

/** The options of a "file into" select: every theme but the one the ideas are in, and Unsorted when they are filed. */
function fillTargets(sel, r, currentId) {
  const wanted = [["", t("choose_theme")]];
  if (currentId) wanted.push([UNSORTED, t("unsorted")]);
  themesOf(r).forEach((th, i) => { if (th.id !== currentId) wanted.push([String(th.id), (i + 1) + ". " + th.title]); });
  const same = sel.options.length === wanted.length && wanted.every((w, i) => sel.options[i].value === w[0] && sel.options[i].text === w[1]);
  if (same) return;
  const keepValue = sel.value;
  while (sel.firstChild) sel.removeChild(sel.firstChild);
  wanted.forEach((w) => sel.appendChild(h("option", { value: w[0] }, w[1])));
  sel.value = wanted.some((w) => w[0] === keepValue) ? keepValue : "";
}

/** Ticking a card's box; shift-click ticks the whole range from the last one ticked (in the filtered order). */
document.addEventListener("click", (e) => {
  const box = e.target.closest && e.target.closest("input.pick");
  if (!box || !box.closest(".sort-pane")) return;
  const id = Number(box.getAttribute("data-idea-id"));
  const on = box.checked;
  const order = b.shown || [];
  if (e.shiftKey && b.anchor !== null && order.indexOf(b.anchor) >= 0 && order.indexOf(id) >= 0) {
    const [from, to] = [order.indexOf(b.anchor), order.indexOf(id)].sort((x, y) => x - y);
    order.slice(from, to + 1).forEach((k) => { if (on) b.selected[k] = true; else delete b.selected[k]; });
  } else if (on) b.selected[id] = true;
  else delete b.selected[id];
  b.anchor = id;
  invalidate("work");
});

// ------------------------------------------------------------------ filing one idea by keyboard: choose, then confirm

function chooseFor(idea) {
  b.choosing = b.choosing === idea.id ? null : idea.id;
  b.focusChooser = !!b.choosing; // focused once built (the render may come later than a timer)
  invalidate("work");
  if (!b.choosing) focusLater('[data-key="classify-' + idea.id + '"]');
}

function chooser(r, idea, textId) {
  const sel = h("select", { id: "chooser-select", "data-key": "chooser-select", "aria-describedby": textId });
  fillTargets(sel, r, idea.theme_id && r.themes[idea.theme_id] ? idea.theme_id : null);
  const next = neighbour(idea.id);
  const box = h("div", { class: "chooser", role: "group", "aria-labelledby": "chooser-label" },
    h("label", { for: "chooser-select", id: "chooser-label" }, t("classify_into")),
    sel,
    h("button", { type: "button", class: "small primary", "data-key": "chooser-ok", "aria-describedby": textId, onclick: () => {
      if (!sel.value) { sel.focus(); return; }
      b.choosing = null;
      fileIdeas(r, [idea.id], sel.value === UNSORTED ? null : Number(sel.value), next ? '[data-key="classify-' + next + '"]' : "#board-filter");
    } }, t("classify_confirm")),
    h("button", { type: "button", class: "small", "data-key": "chooser-cancel", onclick: () => chooseFor(idea) }, t("cancel")));
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); chooseFor(idea); } });
  if (b.focusChooser) {
    b.focusChooser = false;
    queueMicrotask(() => { if (sel.isConnected) sel.focus(); });
  }
  return box;
}

/** The card to give the focus to once this one has left the pane: the next one, else the one before. */
function neighbour(id) {
  const order = b.shown || [];
  const i = order.indexOf(id);
  if (i < 0) return null;
  return order[i + 1] || order[i - 1] || null;
}

// ------------------------------------------------------------------ moving, with a visible confirmation

/** File ideas under a theme (null: back to unsorted) in one write; say it, visibly and aloud. */
function fileIdeas(r, ids, themeId, focusAfter) {
  ids = ids.filter((id) => r.ideas[id] && (r.ideas[id].theme_id || null) !== themeId);
  if (!ids.length) { invalidate("work"); return; }
  const before = {};
  ids.forEach((id) => { before[id] = r.ideas[id].theme_id; r.ideas[id].theme_id = themeId; delete b.selected[id]; });
  invalidate("work"); // optimistic: the ack and the broadcasts confirm it
  if (focusAfter) focusLater(focusAfter);
  const payload = ids.length === 1 ? { idea_id: ids[0], theme_id: themeId } : { idea_ids: ids, theme_id: themeId };
  send("idea.move", payload).then((data) => {
    ((data && data.ideas) || []).forEach((i) => store.apply("idea", i));
    const title = themeId && r.themes[themeId] ? r.themes[themeId].title : null;
    const msg = title
      ? plural("filed", ids.length, { title: title })
      : plural("unfiled", ids.length);
    confirm(msg);
    flash(themeId);
  }).catch(() => {
    ids.forEach((id) => { if (r.ideas[id] && r.ideas[id].theme_id === themeId) r.ideas[id].theme_id = before[id]; });
    invalidate("work");
  });
}

/** A visible, transient confirmation (the spoken one goes through notify's live region). */
export function confirm(message) {
  notify(message, "ok");
  let host = $("board-toasts");
  if (!host) {
    host = h("div", { id: "board-toasts", class: "confirmations", "aria-hidden": "true" });
    document.querySelector(".toasts").appendChild(host);
  }
  const item = h("div", { class: "toast-item ok" }, h("p", null, "✓ " + message));
  while (host.children.length >= 2) host.removeChild(host.firstChild);
  host.appendChild(item);
  setTimeout(() => { if (item.parentNode) item.parentNode.removeChild(item); }, 4000);
}

const flashed = {};
function flash(themeId) {
  const key = themeId || UNSORTED;
  flashed[key] = Date.now();
  setTimeout(() => { delete flashed[key]; }, 1200);
}

// ------------------------------------------------------------------ the themes: compact, always in view, drop targets

function targetsPane(r, themes, byTheme, open, editable, readonly) {
  const pane = h("aside", { class: "pane targets-pane", "aria-labelledby": readonly ? "ro-targets-h-" + r.id : "targets-heading" },
    h("div", { class: "targets-head" },
      h("h4", { id: readonly ? "ro-targets-h-" + r.id : "targets-heading" }, t("themes_title"), " ", h("span", { class: "targets-n" }, "(" + themes.length + ")")),
      editable ? newThemeForm() : null),
    h("ol", { class: "targets" },
      target(r, null, (byTheme[UNSORTED] || []).length, open, editable),
      themes.map((th, i) => target(r, th, (byTheme[th.id] || []).length, open, editable, i + 1))));
  return pane;
}

function target(r, theme, count, open, editable, position) {
  const key = theme ? String(theme.id) : UNSORTED;
  const isOpen = theme ? open && open.id === theme.id : !open;
  const nameId = "target-name-" + key;
  const tl = theme ? tallyOf(r, "theme", theme.id) : null;
  const li = h("li", {
    class: "target" + (theme ? "" : " target-unsorted") + (isOpen ? " is-open" : "") + (theme && theme.kept ? " is-kept" : "") +
      (flashed[key] ? " is-flash" : "") + (theme && ui.fresh["theme-" + theme.id] ? " is-fresh" : ""),
    "data-drop": editable ? (theme ? String(theme.id) : "") : null,
    "data-target": key
  },
    h("button", { type: "button", class: "target-open", "data-key": "target-" + key, "aria-current": isOpen ? "true" : null,
      onclick: () => show(r, theme ? theme.id : null) },
      h("span", { class: "target-name", id: nameId }, theme ? position + ". " + theme.title : t("unsorted")),
      h("span", { class: "target-meta" },
        h("span", { class: "target-count" }, plural("n_ideas", count)),
        tl ? h("span", { class: "badge dots" + (tl.dots ? "" : " is-zero") }, "● " + plural("n_dots", tl.dots)) : null,
        theme && theme.kept ? h("span", { class: "badge kept" }, "★ " + t("theme_kept")) : null)));
  return li;
}

// ------------------------------------------------------------------ drag and drop: one pointer path for mouse, pen and touch

const DRAG_START = 6; // px the pointer travels before a press becomes a drag (a click stays a click)

function startPointer(e, card, idea) {
  if (e.button !== 0 || b.dragging) return;
  if (e.target.closest("button, input, select, textarea, a, label, summary")) return;
  const touch = e.pointerType !== "mouse";
  if (touch && !e.target.closest(".drag-handle")) return; // a finger elsewhere on the card scrolls the pane
  const r = viewedRound();
  const ids = b.selected[idea.id] ? selectedIds() : [idea.id];
  const start = { x: e.clientX, y: e.clientY };
  let ghost = null, over = null;
  ui.holding = true;
  try { card.setPointerCapture(e.pointerId); } catch (err) { /* already released */ }
  if (touch) e.preventDefault();

  function hit(ev) {
    const el = document.elementFromPoint(ev.clientX, ev.clientY);
    const zone = el && el.closest("[data-drop]");
    return zone && zone.closest(".board-area:not(.is-readonly)") ? zone : null;
  }
  function onMove(ev) {
    if (!ghost) {
      if (Math.abs(ev.clientX - start.x) + Math.abs(ev.clientY - start.y) < DRAG_START) return;
      ui.dragging = idea.id;
      b.dragging = ids;
      ghost = h("div", { class: "drag-ghost", "aria-hidden": "true" }, ids.length > 1 ? plural("ideas", ids.length) : idea.text);
      document.body.appendChild(ghost);
      card.classList.add("is-dragging");
      document.body.classList.add("is-dragging-idea");
    }
    ghost.style.transform = "translate(" + (ev.clientX + 12) + "px," + (ev.clientY + 8) + "px)";
    const zone = hit(ev);
    if (zone !== over) {
      if (over) over.classList.remove("is-over");
      over = zone;
      if (over) over.classList.add("is-over");
    }
  }
  function end(ev, dropped) {
    card.removeEventListener("pointermove", onMove);
    card.removeEventListener("pointerup", onUp);
    card.removeEventListener("pointercancel", onCancel);
    if (over) over.classList.remove("is-over");
    if (ghost && ghost.parentNode) ghost.parentNode.removeChild(ghost);
    card.classList.remove("is-dragging");
    document.body.classList.remove("is-dragging-idea");
    const zone = dropped && ghost ? hit(ev) : null;
    ui.dragging = null;
    b.dragging = null;
    ui.holding = false;
    if (zone) {
      const value = zone.getAttribute("data-drop");
      fileIdeas(r, ids, value ? Number(value) : null, null);
    } else {
      invalidate("work");
    }
  }
  function onUp(ev) { end(ev, true); }
  function onCancel(ev) { end(ev, false); }
  card.addEventListener("pointermove", onMove);
  card.addEventListener("pointerup", onUp);
  card.addEventListener("pointercancel", onCancel);
}

// ------------------------------------------------------------------ creating, editing, deleting themes

function newThemeForm() {
  return persistent("new-theme", () => {
    const title = h("input", { id: "nt-title", name: "title", maxlength: "200", required: true });
    const objective = h("textarea", { id: "nt-objective", name: "objective", rows: "2", maxlength: "1000" });
    const criteria = h("textarea", { id: "nt-criteria", name: "criteria", rows: "3" });
    const more = h("details", { class: "nt-more" },
      h("summary", null, t("theme_new_more")),
      h("div", { class: "field nt-objective" }, h("label", { for: "nt-objective" }, t("theme_objective")), objective),
      h("div", { class: "field nt-criteria" }, h("label", { for: "nt-criteria" }, t("theme_criteria")), criteria));
    const form = h("form", { class: "new-theme", "aria-labelledby": "nt-heading" },
      h("div", { class: "nt-row" },
        h("label", { for: "nt-title", id: "nt-heading", class: "nt-label" }, t("theme_new")),
        title, h("button", { type: "submit", class: "small primary" }, t("theme_create"))),
      more);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!title.value.trim()) { title.focus(); return; }
      const name = title.value.trim();
      send("theme.create", {
        round_id: viewedRound().id, title: name, objective: objective.value.trim(), criteria: lines(criteria.value)
      }).then((data) => {
        title.value = objective.value = criteria.value = "";
        more.open = false;
        confirm(t("theme_created_named", { title: name }));
        if (data && data.theme) {
          const key = "theme-" + data.theme.id;
          ui.fresh[key] = Date.now();
          setTimeout(() => { delete ui.fresh[key]; invalidate("work"); }, 2000);
        }
        title.focus();
      }).catch(ignore);
    });
    return form;
  });
}

function openThemeEditor(theme) {
  ui.editing[theme.id] = true;
  forget("theme-edit-" + theme.id);
  invalidate("work");
  setTimeout(() => { const f = $("te-title-" + theme.id); if (f) f.focus(); }, 0);
}

function themeEditForm(theme) {
  return persistent("theme-edit-" + theme.id, () => {
    const id = theme.id;
    let version = theme.version;  // the version this form was opened on: a save over another console's is refused
    const title = h("input", { id: "te-title-" + id, maxlength: "200", required: true, value: theme.title });
    const objective = h("textarea", { id: "te-objective-" + id, rows: "2", maxlength: "1000" });
    objective.value = theme.objective || "";
    const criteria = h("textarea", { id: "te-criteria-" + id, rows: "3" });
    criteria.value = (theme.criteria || []).join("\n");
    function close() {
      delete ui.editing[id];
      forget("theme-edit-" + id);
      invalidate("work");
      setTimeout(() => { const el = document.querySelector('[data-key="edit-theme-' + id + '"]'); if (el) el.focus(); }, 0);
    }
    const form = h("form", { class: "theme-form theme-edit" },
      h("div", { class: "field" }, h("label", { for: "te-title-" + id }, t("theme_title")), title),
      h("div", { class: "field" }, h("label", { for: "te-objective-" + id }, t("theme_objective")), objective),
      h("div", { class: "field" }, h("label", { for: "te-criteria-" + id }, t("theme_criteria")), criteria),
      h("div", { class: "form-buttons" },
        h("button", { type: "button", class: "small", onclick: close }, t("cancel")),
        h("button", { type: "submit", class: "small primary" }, t("theme_save"))));
    form.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); close(); } });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!title.value.trim()) { title.focus(); return; }
      send("theme.update", { theme_id: id, title: title.value.trim(), objective: objective.value.trim(), criteria: lines(criteria.value), version: version })
        .then(() => {
          confirm(t("theme_saved"));
          close();
        }).catch((err) => {
          // Changed in another console meanwhile (the toast says so): the board shows its text; saving again overwrites it.
          const current = viewedRound() && viewedRound().themes[id];
          if (err && err.code === "conflict" && current) version = current.version;
        });
    });
    return form;
  });
}

function deleteTheme(theme) {
  confirmDialog(t("theme_delete_title", { title: theme.title }), t("theme_delete_text"), t("theme_delete")).then((ok) => {
    if (!ok) return;
    send("theme.delete", { theme_id: theme.id }).then(() => {
      const r = viewedRound();
      if (r && b.view[r.id] === theme.id) show(r, null);
      focusLater("#nt-title");
    }).catch(ignore);
  });
}
