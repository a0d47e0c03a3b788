/* plan.js — the action-plan draft, as the server rebuilds it when a phase closes. */
import { h, t, plural, page, $, replace } from "../lib/dom.js";
import { store, phaseName, groupName } from "./state.js";
import { statusBadge } from "./actions.js";

export function renderPlan() {
  const plan = store.state.plan;
  const body = $("plan-body");
  $("plan-updated").textContent = t("plan_updated");
  const rs = (plan && plan.rounds) || [];
  if (!rs.some((r) => (r.closed_phases || []).length)) { replace(body, h("p", { class: "empty card" }, t("plan_empty"))); return; }
  replace(body, rs.map((pr) => {
    const headId = "plan-round-" + pr.position;
    return h("article", { class: "plan-round card", "aria-labelledby": headId },
      h("p", { class: "round-kicker" }, t("round_n", { n: pr.position }) + " · " + phaseName(pr.phase)),
      h("h3", { id: headId }, pr.question),
      (pr.closed_phases || []).length ? h("p", { class: "hint" }, plural("ideas", pr.ideas_total) + ", " + plural("contributions", pr.contributions)) : null,
      h("h4", null, t("plan_themes")),
      pr.themes.length
        ? h("div", { class: "plan-themes" }, pr.themes.map(planTheme))
        : h("p", { class: "empty" }, t("plan_no_themes")),
      h("h4", null, t("plan_actions")),
      pr.actions.length
        ? h("ol", { class: "plan-actions" }, pr.actions.map(planAction))
        : h("p", { class: "empty" }, t("plan_no_actions")));
  }));
}

function planTheme(th) {
  return h("section", { class: "plan-theme" },
    h("h5", null, th.title, " ", h("span", { class: "badge dots" }, plural("dots", th.dots || 0))),
    th.objective ? h("p", null, h("span", { class: "label" }, t("objective")), " ", th.objective) : null,
    th.criteria && th.criteria.length
      ? h("div", null, h("span", { class: "label" }, t("criteria")), h("ul", null, th.criteria.map((c) => h("li", null, c))))
      : null,
    th.ideas && th.ideas.length
      ? h("div", null, h("span", { class: "label" }, t("ideas_title")), h("ul", { class: "plan-ideas" }, th.ideas.map((i) =>
          h("li", null, i.text, i.count > 1 ? h("span", { class: "badge count" }, plural("people", i.count)) : null))))
      : null);
}

/** The action as the store has it now (its status moves on after the workshop; the plan's copy is frozen). */
function liveAction(id) {
  const list = store.rounds();
  for (let i = 0; i < list.length; i++) if (list[i].actions[id]) return list[i].actions[id];
  return null;
}

function empty(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length); }

function planAction(a) {
  const current = liveAction(a.id);
  const status = current ? current.status : a.status;
  const fields = [["field_owner", a.owner], ["partners", a.partners], ["field_deadline", a.deadline],
    ["field_resources", a.resources], ["indicators", a.indicators]];
  const filled = fields.filter((f) => !empty(f[1]));
  const missing = fields.filter((f) => empty(f[1])).map((f) => t(f[0]));
  const groups = Object.keys(a.by_group || {});
  return h("li", { class: "plan-action" },
    h("div", { class: "pa-head" },
      h("span", { class: "rank" }, t("plan_rank", { n: a.rank })),
      h("h5", null, a.title),
      h("span", { class: "badge dots" }, plural("dots", a.dots || 0)),
      statusBadge(status)),
    a.theme ? h("p", { class: "hint" }, t("plan_theme_of", { t: a.theme.title }) + (a.theme.objective ? " — " + a.theme.objective : "")) : null,
    a.description ? h("p", null, a.description) : null,
    filled.length ? h("dl", { class: "sheet-dl" }, filled.reduce((out, f) =>
      out.concat([h("dt", null, t(f[0])), h("dd", null, Array.isArray(f[1]) ? f[1].join(", ") : f[1])]), [])) : null,
    missing.length ? h("p", { class: "to-complete" }, t("to_complete", { list: missing.join(", ") })) : null,
    typeof a.equal_weight_rank === "number" && a.voters
      ? h("p", { class: "hint" }, t("equal_weight_rank", { n: a.equal_weight_rank, s: String(a.equal_weight).replace(".", page.lang === "fr" ? "," : ".") }))
      : null,
    groups.length ? h("p", { class: "pv-groups" }, h("span", { class: "label" }, t("by_group")), " ",
      groups.map((g) => groupName(g) + " " + a.by_group[g]).join(" · ")) : null,
    a.ideas && a.ideas.length
      ? h("div", { class: "lineage-block" }, h("span", { class: "label" }, t("lineage")),
          h("ul", { class: "lineage" }, a.ideas.map((i) => h("li", null, i.text))))
      : null);
}
