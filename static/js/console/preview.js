/* preview.js — closing a phase: the synthesis preview dialog (and the themes to keep), reopening one. */
import { h, t, plural, $, replace } from "../lib/dom.js";
import { store, ui, live, settings, phaseName, groupName, send, ignore, notify } from "./state.js";
import { openDialog, closeDialog, confirmDialog, formDialog } from "./dialogs.js";

export function advance(r) {
  if (!r || r.phase === "closed") return;
  if (r.phase === "lobby") {
    send("phase.advance", { round_id: r.id, expected_phase: "lobby" }).catch(ignore);
    return;
  }
  const d = $("preview-dialog");
  ui.preview = { roundId: r.id, phase: r.phase };
  $("preview-title").textContent = t("preview_title_" + r.phase);
  replace($("preview-body"), h("p", { class: "hint" }, t("preview_loading")));
  $("preview-confirm").disabled = true;
  openDialog(d);
  live().ask("phase.preview", { round_id: r.id }).then((answer) => {
    if (!ui.preview || ui.preview.roundId !== r.id) return;
    if (answer.phase !== r.phase) { closeDialog(d); return; }
    replace($("preview-body"), previewContent(answer.phase, answer.data || {}));
    $("preview-confirm").disabled = false;
  }).catch((err) => {
    closeDialog(d);
    notify(err.message || t("error_generic"));
  });
}

export function groupLine(byGroup) {
  const keys = Object.keys(byGroup || {});
  if (!keys.length) return null;
  return h("span", { class: "pv-groups" }, keys.map((g) => groupName(g) + " " + byGroup[g]).join(" · "));
}

function previewContent(phase, data) {
  if (phase === "diverge") {
    const ideas = data.ideas || [];
    return [
      h("p", { class: "preview-stat" }, t("preview_ideas", { n: data.total_ideas || 0, c: data.contributions || 0 })),
      ideas.length
        ? h("ol", { class: "preview-list" }, ideas.map((i) => h("li", null, h("span", { class: "pv-text" }, i.text),
            i.count > 1 ? h("span", { class: "badge" }, plural("people", i.count)) : null,
            i.group ? h("span", { class: "pv-meta" }, groupName(i.group)) : null)))
        : h("p", null, t("preview_no_ideas"))
    ];
  }
  if (phase === "define") {
    const themes = data.themes || [];
    const k = settings().keep_top_k || 0;
    const out = [];
    if (!themes.length) {
      out.push(h("p", null, t("preview_no_themes")));
    } else {
      out.push(h("fieldset", { class: "keep-fieldset" },
        h("legend", null, t("preview_keep_legend")),
        h("p", { class: "hint" }, t("preview_keep_hint", { k: k })),
        h("ol", { class: "preview-list keep-list" }, themes.map((th, i) => {
          const id = "keep-" + th.id;
          return h("li", null,
            h("input", { type: "checkbox", id: id, name: "kept", value: String(th.id), checked: i < k }),
            h("label", { for: id },
              h("span", { class: "pv-text" }, th.title),
              h("span", { class: "badge dots" }, plural("dots", th.dots)),
              h("span", { class: "pv-meta" }, plural("ideas", (th.ideas || []).length)),
              groupLine(th.by_group)));
        }))));
    }
    if ((data.unsorted || []).length) out.push(h("p", { class: "hint" }, t("preview_unsorted", { n: data.unsorted.length })));
    return out;
  }
  const actions = data.actions || [];
  return actions.length
    ? h("ol", { class: "preview-list" }, actions.map((a) => h("li", null, h("span", { class: "pv-text" }, a.title),
        h("span", { class: "badge dots" }, plural("dots", a.dots)),
        a.theme ? h("span", { class: "pv-meta" }, a.theme.title) : null,
        groupLine(a.by_group))))
    : h("p", null, t("preview_no_actions"));
}

export function setupPreview() {
  formDialog("preview", () => { ui.preview = null; }, (d) => {
    const p = ui.preview;
    if (!p) return;
    const payload = { round_id: p.roundId, expected_phase: p.phase };
    const boxes = d.querySelectorAll('input[name="kept"]');
    if (boxes.length) {
      const kept = [];
      boxes.forEach((b) => { if (b.checked) kept.push(Number(b.value)); });
      if (!kept.length) { notify(t("keep_at_least_one")); return; }
      payload.kept_theme_ids = kept;
    }
    const btn = $("preview-confirm");
    btn.disabled = true;
    send("phase.advance", payload).then(() => closeDialog(d)).catch(() => { btn.disabled = false; });
  });
}

/** Another console moved this round: the open preview no longer says what closing would freeze. */
export function roundMoved(header) {
  if (ui.preview && ui.preview.roundId === header.id && ui.preview.phase !== header.phase) closeDialog($("preview-dialog"));
}

export function reopen(r) {
  if (!r) return;
  const phases = store.state.rules.phases;
  const prev = phases[phases.indexOf(r.phase) - 1];
  confirmDialog(t("reopen_title"), t("reopen_text", { phase: phaseName(prev) }), t("reopen_confirm", { phase: phaseName(prev) })).then((ok) => {
    if (!ok) return;
    send("phase.reopen", { round_id: r.id, expected_phase: r.phase }).catch(ignore);
  });
}
