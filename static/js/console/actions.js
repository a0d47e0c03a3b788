/* actions.js — converge: kept themes with their actions (in the server's ranking), proposing one,
 * and the action sheet dialog. */
import { h, t, $, replace } from "../lib/dom.js";
import { values, ranked } from "../lib/store.js";
import { store, ui, can, may, approved, viewedRound, liveIdeas, themesOf, persistent, disclosure, lines, send, ignore, notify } from "./state.js";
import { boardView, dotsBlock, themeSummary } from "./board.js";
import { openDialog, closeDialog, formDialog } from "./dialogs.js";
import { agreementPanel } from "./agreement.js";

/** A round's actions (of one theme, or all) as the server ranks them; unvoted ones after, oldest first. */
export function rankedActions(r, themeId) {
  return ranked(r, "action", values(r.actions).filter((a) => approved(a) && (themeId === undefined || a.theme_id === themeId)));
}

function sheetSummary(a) {
  const bits = [];
  if (a.owner) bits.push(t("owner_v", { v: a.owner }));
  if (a.deadline) bits.push(t("deadline_v", { v: a.deadline }));
  return bits.length ? h("p", { class: "sheet-summary" }, bits.join(" · ")) : null;
}

export function convergeView(r) {
  const themes = themesOf(r);
  const kept = themes.filter((th) => th.kept);
  const others = themes.filter((th) => !th.kept);
  const editable = can(r, "edit_action") && may("action.update");
  const sections = kept.map((th) => {
    const actions = rankedActions(r, th.id);
    const headId = "kt-" + th.id;
    return h("section", { class: "kept-theme card", "aria-labelledby": headId },
      h("div", { class: "kt-head" },
        h("h3", { id: headId }, th.title),
        h("span", { class: "badge kept" }, "★ " + t("theme_kept"))),
      themeSummary(th),
      h("h4", { class: "actions-heading" }, t("actions_title")),
      actions.length
        ? h("ol", { class: "actions" }, actions.map((a, i) => actionItem(r, a, i + 1, editable)))
        : h("p", { class: "empty" }, t("actions_none")),
      can(r, "propose_action") && may("action.propose") ? proposeForm(th) : null);
  });
  const out = [];
  if (!kept.length) out.push(h("p", { class: "empty card" }, t("no_kept_themes")));
  else out.push(agreementPanel(r));  // the agree/disagree round across stakeholder groups (console/agreement.js)
  out.push(h("div", { class: "kept-grid" }, sections));
  if (others.length) out.push(h("p", { class: "hint not-kept" }, t("themes_not_kept", { list: others.map((o) => o.title).join(", ") })));
  out.push(disclosure("board-" + r.id, t("ideas_and_themes"), boardView(r, true), "disclosure board-disclosure"));
  return out;
}

function actionItem(r, a, rank, editable) {
  const titleId = "action-title-" + a.id;
  return h("li", { class: "action", "data-action-id": String(a.id) },
    h("span", { class: "rank", "aria-hidden": "true" }, String(rank)),
    h("div", { class: "action-main" },
      h("p", { class: "action-title", id: titleId }, a.title),
      a.description ? h("p", { class: "action-desc" }, a.description) : null,
      h("p", { class: "action-meta" }, statusBadge(a.status)),
      sheetSummary(a)),
    h("div", { class: "action-side" },
      dotsBlock(r, "action", a.id, "adots-" + a.id),
      h("button", { type: "button", class: "small" + (editable ? " primary" : ""), "data-key": "sheet-" + a.id, "aria-describedby": titleId,
        onclick: () => openSheet(a.id) }, editable ? t("edit_sheet") : t("view_sheet"))));
}

export function statusBadge(status) {
  return h("span", { class: "badge status status-" + status }, t("astatus_" + status));
}

function proposeForm(theme) {
  return persistent("propose-" + theme.id, () => {
    const id = "propose-" + theme.id;
    const input = h("input", { id: id, maxlength: "200", required: true });
    const form = h("form", { class: "propose" },
      h("label", { for: id }, t("propose_label")),
      h("div", { class: "inline" }, input, h("button", { type: "submit", class: "primary" }, t("propose_submit"))));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!input.value.trim()) { input.focus(); return; }
      send("action.propose", { theme_id: theme.id, title: input.value.trim() }).then(() => {
        input.value = "";
        notify(t("proposed_done"), "ok");
      }).catch(ignore);
    });
    return form;
  });
}

function openSheet(actionId) {
  const r = viewedRound();
  const a = r && r.actions[actionId];
  if (!a) return;
  ui.sheet = actionId;
  ui.sheetVersion = a.version;  // compare-and-set: the save names the version this form was opened on
  showConflict(null);
  const editable = can(r, "edit_action") && may("action.update");
  const theme = r.themes[a.theme_id];
  $("sheet-theme").textContent = theme ? t("sheet_theme", { title: theme.title }) : "";
  $("sheet-title").value = a.title || "";
  $("sheet-description").value = a.description || "";
  $("sheet-owner").value = a.owner || "";
  $("sheet-deadline").value = a.deadline || "";
  $("sheet-partners").value = (a.partners || []).join("\n");
  $("sheet-indicators").value = (a.indicators || []).join("\n");
  $("sheet-resources").value = a.resources || "";
  const status = $("sheet-status");
  replace(status, store.state.rules.action_statuses.map((s) => h("option", { value: s, selected: s === a.status }, t("astatus_" + s))));
  status.value = a.status;
  $("sheet-form").querySelectorAll("input, textarea, select").forEach((f) => { f.disabled = !editable; });
  $("sheet-save").hidden = !editable;
  // After the close the status moves by dated updates (Restitution tab), not from the sheet.
  if (r.phase === "closed") status.disabled = true;
  replace($("sheet-lineage"), lineagePicker(r, a, editable));
  ui.sheetSaved = sheetState();
  openDialog($("sheet-dialog"));
  $("sheet-title").focus();
}

/** The ideas linked to an action (what the server's lineage shows: merged ones stand as their keeper). */
function lineageIdeas(r, a) {
  const ids = a.idea_ids || [];
  const out = [], seen = {};
  ids.forEach((id) => {
    let i = r.ideas[id], n = 0;
    while (i && i.merged_into && n++ < 50) i = r.ideas[i.merged_into];
    if (i && !i.hidden && !i.withdrawn && !seen[i.id]) { seen[i.id] = true; out.push(i); }
  });
  return out;
}

/** "Comes from these ideas": tick the ideas this action comes from — its theme's first, any other idea of
 * the round through the search box. Nothing is linked unless ticked: no resident reads that their idea
 * led to an action nobody linked it to. */
function lineagePicker(r, a, editable) {
  const linked = {};
  lineageIdeas(r, a).forEach((i) => { linked[i.id] = true; });
  const visible = liveIdeas(r).filter((i) => !i.hidden);
  const ofTheme = visible.filter((i) => i.theme_id === a.theme_id || linked[i.id]);
  const others = visible.filter((i) => !(i.theme_id === a.theme_id || linked[i.id]));
  const box = (i) => h("li", { "data-idea-id": String(i.id) }, h("label", { class: "check" },
    h("input", { type: "checkbox", name: "lineage", value: String(i.id), checked: !!linked[i.id], disabled: !editable }),
    h("span", null, "n° " + i.id + " — " + i.text)));
  if (!editable) {
    const mine = visible.filter((i) => linked[i.id]);
    return [h("p", { class: "label" }, t("lineage")),
      mine.length ? h("ul", { class: "lineage" }, mine.map((i) => h("li", null, i.text))) : h("p", { class: "hint" }, t("lineage_none"))];
  }
  const list = h("ul", { class: "lineage-picks" }, ofTheme.map(box));
  const more = h("ul", { class: "lineage-picks lineage-more" });
  const search = h("input", { type: "search", id: "sheet-lineage-search", autocomplete: "off" });
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    const found = q ? others.filter((i) => String(i.id) === q.replace(/^n°\s*/, "") || i.text.toLowerCase().includes(q)).slice(0, 30) : [];
    replace(more, found.map(box));
  });
  return [h("fieldset", { class: "lineage-field" },
    h("legend", null, t("lineage")),
    h("p", { class: "hint", id: "lineage-hint" }, t("lineage_hint")),
    ofTheme.length ? list : h("p", { class: "hint" }, t("lineage_theme_empty")),
    others.length ? h("div", { class: "field" }, h("label", { for: "sheet-lineage-search" }, t("lineage_search")), search, more) : null)];
}

const SHEET_FIELDS = ["title", "description", "owner", "deadline", "partners", "indicators", "resources", "status"];

function formValue(name) {
  const v = $("sheet-" + name).value;
  return name === "partners" || name === "indicators" ? lines(v) : v.trim();
}
function shown(v) { return Array.isArray(v) ? v.join(", ") : String(v || ""); }

/** The sheet changed in another console while open here: say so, with its values where they differ from the form.
 *  ``refused``: this console's save was refused (conflict); saving again is then a deliberate overwrite. */
function showConflict(a, refused) {
  const box = $("sheet-conflict");
  if (!a) { box.hidden = true; replace(box, []); return; }
  const differs = SHEET_FIELDS.filter((f) => shown(f === "status" ? a.status : a[f]) !== shown(formValue(f)));
  box.hidden = false;
  replace(box, [
    h("p", { class: "conflict-title" }, refused ? t("sheet_conflict") : t("sheet_changed")),
    differs.length ? h("ul", null, differs.map((f) => h("li", null, t("sheet_theirs", { field: t("field_" + f), value: f === "status" ? t("astatus_" + a.status) : shown(a[f]) })))) : null,
    h("button", { type: "button", class: "small", onclick: () => { const id = ui.sheet; closeDialog($("sheet-dialog")); openSheet(id); } }, t("sheet_take_theirs"))
  ]);
}

/** An `action` broadcast: if it is the open sheet's and another console moved it, say so (the form keeps what was typed). */
export function sheetChanged(a) {
  if (!a || ui.sheet !== a.id || ui.sheetSaving || !$("sheet-dialog").open) return;
  if (a.version !== undefined && a.version !== ui.sheetVersion) showConflict(a, false);
}

/** What the sheet's fields hold now, to tell whether something typed would be lost. */
function sheetState() {
  return JSON.stringify(Array.from($("sheet-form").querySelectorAll("input:not([type=search]), textarea, select")).map((f) =>
    f.type === "checkbox" ? f.checked : f.value));
}

function pickedLineage() {
  return Array.from($("sheet-lineage").querySelectorAll("input[name=lineage]:checked")).map((c) => Number(c.value));
}

export function setupSheet() {
  formDialog("sheet", () => { ui.sheet = null; }, (d) => {
    const id = ui.sheet;
    if (!id) return;
    const title = $("sheet-title");
    if (!title.value.trim()) { title.focus(); return; }
    const btn = $("sheet-save");
    btn.disabled = true;
    ui.sheetSaving = true;
    send("action.update", {
      version: ui.sheetVersion,
      action_id: id,
      title: title.value.trim(),
      description: $("sheet-description").value.trim(),
      owner: $("sheet-owner").value.trim(),
      deadline: $("sheet-deadline").value.trim(),
      partners: lines($("sheet-partners").value),
      indicators: lines($("sheet-indicators").value),
      resources: $("sheet-resources").value.trim(),
      status: $("sheet-status").disabled ? undefined : $("sheet-status").value,
      idea_ids: pickedLineage()
    }).then(() => {
      btn.disabled = false;
      ui.sheetSaving = false;
      closeDialog(d);
      notify(t("sheet_saved"), "ok");
    }).catch((err) => {
      btn.disabled = false;
      ui.sheetSaving = false;
      // Saved first in another console: its values are shown beside the form; saving again overwrites them, knowingly.
      const r = viewedRound();
      const current = r && r.actions[id];
      if (err && err.code === "conflict" && current) {
        ui.sheetVersion = current.version;
        showConflict(current, true);
      }
    });
  }, () => !!ui.sheet && sheetState() !== ui.sheetSaved);
}
