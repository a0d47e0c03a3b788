/* board.js — the theme board (define): columns of ideas, drag and drop, dots per theme,
 * creating, editing and deleting themes. */
import { h, t, plural, $ } from "../lib/dom.js";
import { tallyOf } from "../lib/store.js";
import { ui, invalidate, can, viewedRound, liveIdeas, themesOf, mergedInto, persistent, forget, disclosure, focusLater,
  groupName, lines, send, ignore, notify } from "./state.js";
import { ideaCard, moveIdea, mergeBanner, wallCount } from "./wall.js";
import { assistPanel } from "./assist.js";
import { confirmDialog } from "./dialogs.js";

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

export function boardView(r, readonly) {
  const ideas = liveIdeas(r);
  const merged = mergedInto(r);
  const editable = !readonly && can(r, "edit_themes");
  const opts = { compact: true, movable: editable };
  const unsorted = ideas.filter((i) => !i.theme_id || !r.themes[i.theme_id]);
  const cols = [column(r, null, unsorted, merged, opts, editable)];
  themesOf(r).forEach((th) => {
    cols.push(column(r, th, ideas.filter((i) => i.theme_id === th.id), merged, opts, editable));
  });
  return h("div", { class: "board-area" },
    editable ? newThemeForm() : null,
    readonly ? null : h("div", { class: "section-head" },
      h("h3", { id: "board-heading" }, t("themes_title")),
      h("p", { class: "count-line" }, wallCount(r))),
    readonly ? null : mergeBanner(r),
    h("ol", { class: "board", "aria-label": t("themes_title") }, cols));
}

function column(r, theme, ideas, merged, opts, editable) {
  const readonlyBoard = !editable;
  const headId = theme ? "col-h-" + theme.id : "col-h-unsorted";
  const list = h("ol", { class: "drop", "aria-labelledby": headId, "data-theme-id": theme ? String(theme.id) : "" },
    ideas.map((i) => ideaCard(r, i, merged[i.id], opts)));
  if (!ideas.length) list.appendChild(h("li", { class: "drop-empty" }, editable ? t("drop_here") : "—"));
  if (editable) wireDrop(list, theme ? theme.id : null);
  let head;
  if (!theme) {
    head = h("div", { class: "col-head" },
      h("h4", { id: headId }, t("unsorted")),
      h("p", { class: "col-count" }, plural("ideas", ideas.length)),
      readonlyBoard ? null : assistPanel(r));
  } else {
    head = h("div", { class: "col-head" },
      h("div", { class: "col-title-row" },
        h("h4", { id: headId }, theme.title),
        theme.kept ? h("span", { class: "badge kept" }, "★ " + t("theme_kept")) : null),
      h("p", { class: "col-count" }, plural("ideas", ideas.length)),
      dotsBlock(r, "theme", theme.id, "tdots-" + theme.id),
      ui.editing[theme.id] && editable ? themeEditForm(theme) : themeSummary(theme),
      editable && !ui.editing[theme.id]
        ? h("div", { class: "col-tools" },
            h("button", { type: "button", class: "small", "data-key": "edit-theme-" + theme.id, "aria-describedby": headId,
              onclick: () => openThemeEditor(theme) }, t("theme_edit")),
            h("button", { type: "button", class: "small danger", "data-key": "delete-theme-" + theme.id, "aria-describedby": headId,
              onclick: () => deleteTheme(theme) }, t("theme_delete")))
        : null);
  }
  return h("li", { class: "column" + (theme ? "" : " unsorted-col") + (theme && theme.kept ? " is-kept" : ""), "data-col": theme ? String(theme.id) : "unsorted" }, head, list);
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

function wireDrop(list, themeId) {
  list.addEventListener("dragover", (e) => {
    if (!ui.dragging) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    list.classList.add("is-over");
  });
  list.addEventListener("dragleave", (e) => {
    if (!list.contains(e.relatedTarget)) list.classList.remove("is-over");
  });
  list.addEventListener("drop", (e) => {
    e.preventDefault();
    list.classList.remove("is-over");
    const id = Number(e.dataTransfer.getData("text/plain")) || ui.dragging;
    ui.dragging = null;
    const idea = id && viewedRound().ideas[id];
    if (!idea) return;
    if ((idea.theme_id || null) === themeId) { invalidate("work"); return; }
    idea.theme_id = themeId; // optimistic: the ack and the broadcast confirm it
    invalidate("work");
    moveIdea(id, themeId);
  });
}

function newThemeForm() {
  return persistent("new-theme", () => {
    const title = h("input", { id: "nt-title", name: "title", maxlength: "200", required: true });
    const objective = h("textarea", { id: "nt-objective", name: "objective", rows: "2", maxlength: "1000" });
    const criteria = h("textarea", { id: "nt-criteria", name: "criteria", rows: "3" });
    const form = h("form", { class: "new-theme card", "aria-labelledby": "nt-heading" },
      h("h3", { id: "nt-heading" }, t("theme_new")),
      h("div", { class: "new-theme-row" },
        h("div", { class: "field nt-title" }, h("label", { for: "nt-title" }, t("theme_title")), title),
        h("div", { class: "field nt-objective" }, h("label", { for: "nt-objective" }, t("theme_objective")), objective),
        h("div", { class: "field nt-criteria" }, h("label", { for: "nt-criteria" }, t("theme_criteria")), criteria),
        h("button", { type: "submit", class: "primary" }, t("theme_create"))));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!title.value.trim()) { title.focus(); return; }
      send("theme.create", {
        round_id: viewedRound().id, title: title.value.trim(), objective: objective.value.trim(), criteria: lines(criteria.value)
      }).then(() => {
        title.value = objective.value = criteria.value = "";
        notify(t("theme_created"), "ok");
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
    const title = h("input", { id: "te-title-" + id, maxlength: "200", required: true, value: theme.title });
    const objective = h("textarea", { id: "te-objective-" + id, rows: "3", maxlength: "1000" });
    objective.value = theme.objective || "";
    const criteria = h("textarea", { id: "te-criteria-" + id, rows: "3" });
    criteria.value = (theme.criteria || []).join("\n");
    function close() {
      delete ui.editing[id];
      forget("theme-edit-" + id);
      invalidate("work");
      setTimeout(() => { const b = document.querySelector('[data-key="edit-theme-' + id + '"]'); if (b) b.focus(); }, 0);
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
      send("theme.update", { theme_id: id, title: title.value.trim(), objective: objective.value.trim(), criteria: lines(criteria.value) })
        .then(() => {
          notify(t("theme_saved"), "ok");
          close();
        }).catch(ignore);
    });
    return form;
  });
}

function deleteTheme(theme) {
  confirmDialog(t("theme_delete_title", { title: theme.title }), t("theme_delete_text"), t("theme_delete")).then((ok) => {
    if (!ok) return;
    send("theme.delete", { theme_id: theme.id }).then(() => focusLater("#nt-title")).catch(ignore);
  });
}
