/* followup.js — after the workshop: publishing the restitution page, and recording what became
 * of each action (statuses from the server's rules); the exports menu. */
import { h, t, page, $, replace } from "../lib/dom.js";
import { store, invalidate, persistent, focusLater, send, ignore, notify } from "./state.js";
import { rankedActions, statusBadge } from "./actions.js";
import { confirmDialog } from "./dialogs.js";

/** UI default of the status form: the step after the current one (the statuses themselves come from the server). */
const NEXT_STATUS = { proposed: "planned", planned: "in_progress", in_progress: "done" };
function nextStatus(status) {
  const allowed = store.state.rules.follow_up_statuses;
  const next = NEXT_STATUS[status] || status;
  return allowed.indexOf(next) >= 0 ? next : allowed[0];
}

/** Today in the facilitator's own calendar, as YYYY-MM-DD (what <input type=date> speaks). */
function localToday() {
  const d = new Date();
  return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
}

/** "2027-03-12" → "12 mars 2027" in the console's language (an ISO timestamp works too). */
function dayLabel(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
  if (!m) return String(iso || "");
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  try { return new Intl.DateTimeFormat(page.lang, { day: "numeric", month: "long", year: "numeric" }).format(d); }
  catch (e) { return m[0]; }
}

export function renderRestitution() {
  const workshop = store.state.workshop;
  const published = !!workshop.published_at;
  $("publish-state").textContent = published ? t("publish_on", { date: dayLabel(workshop.published_at) }) : t("publish_off");
  $("publish-state").className = "publish-state " + (published ? "is-on" : "is-off");
  const btn = $("publish-btn");
  btn.textContent = published ? t("publish_undo") : t("publish_do");
  btn.className = published ? "" : "primary";
  $("publish-link").hidden = !published;

  const closed = store.rounds().filter((r) => r.phase === "closed");
  const body = $("followup-body");
  if (!closed.length) { replace(body, h("p", { class: "empty card" }, t("followup_none"))); return; }
  replace(body, closed.map((r) => {
    const headId = "followup-round-" + r.id;
    const actions = rankedActions(r);
    return h("article", { class: "followup-round card", "aria-labelledby": headId },
      h("p", { class: "round-kicker" }, t("round_n", { n: r.position })),
      h("h3", { id: headId }, r.question),
      actions.length
        ? h("ol", { class: "followup-actions" }, actions.map((a, i) => followupAction(r, a, i + 1)))
        : h("p", { class: "empty" }, t("followup_no_actions")));
  }));
}

function followupAction(r, a, rank) {
  const titleId = "fa-title-" + a.id;
  const theme = r.themes[a.theme_id];
  const updates = a.updates || [];
  const date = store.state.workshop.date;
  const meta = [];
  if (theme) meta.push(t("sheet_theme", { title: theme.title }));
  if (a.owner) meta.push(t("owner_v", { v: a.owner }));
  if (a.deadline) meta.push(t("deadline_v", { v: a.deadline }));
  return h("li", { class: "followup-action", "data-action-id": String(a.id) },
    h("div", { class: "fa-head" },
      h("span", { class: "rank", "aria-hidden": "true" }, String(rank)),
      h("h4", { id: titleId }, a.title),
      statusBadge(a.status)),
    meta.length ? h("p", { class: "hint" }, meta.join(" · ")) : null,
    h("div", { class: "fa-grid" },
      h("div", { class: "fa-history" },
        h("p", { class: "label" }, t("history_label")),
        h("ol", { class: "history" },
          h("li", { class: "history-step" },
            date ? h("time", { datetime: date }, dayLabel(date)) : null,
            h("span", { class: "history-decided" }, t("decided"))),
          updates.map((u) => h("li", { class: "history-step" },
            h("time", { datetime: u.date }, dayLabel(u.date)), statusBadge(u.status),
            u.comment ? h("p", { class: "history-comment" }, u.comment) : null))),
        updates.length ? null : h("p", { class: "hint" }, t("history_none"))),
      statusForm(a, titleId)));
}

function statusForm(a, titleId) {
  return persistent("status-" + a.id, () => {
    const id = a.id;
    const status = h("select", { id: "fs-status-" + id, name: "status" },
      store.state.rules.follow_up_statuses.map((st) => h("option", { value: st }, t("astatus_" + st))));
    status.value = nextStatus(a.status);
    const today = localToday();
    const date = h("input", { type: "date", id: "fs-date-" + id, name: "date", value: today, max: today, required: true });
    const comment = h("textarea", { id: "fs-comment-" + id, name: "comment", rows: "2", maxlength: "500", "aria-describedby": "fs-comment-hint-" + id });
    const form = h("form", { class: "status-form", "data-key": "status-form-" + id },
      h("fieldset", null,
        h("legend", null, t("update_legend", { title: a.title })),
        h("div", { class: "status-fields" },
          h("div", { class: "field" }, h("label", { for: "fs-status-" + id }, t("update_status")), status),
          h("div", { class: "field" }, h("label", { for: "fs-date-" + id }, t("update_date")), date)),
        h("div", { class: "field" },
          h("label", { for: "fs-comment-" + id }, t("update_comment")), comment,
          h("span", { class: "hint", id: "fs-comment-hint-" + id }, t("update_comment_hint"))),
        h("button", { type: "submit", class: "primary", "aria-describedby": titleId }, t("update_submit"))));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!date.value || date.value > localToday()) { notify(t("update_date_invalid")); date.focus(); return; }
      const btn = form.querySelector("button[type=submit]");
      btn.disabled = true;
      send("action.status", { action_id: id, status: status.value, date: date.value, comment: comment.value.trim() }).then((data) => {
        btn.disabled = false;
        if (data && data.action) status.value = nextStatus(data.action.status);
        comment.value = "";
        notify(t("update_done"), "ok");
      }).catch(() => { btn.disabled = false; });
    });
    return form;
  });
}

export function setupRestitution() {
  $("publish-btn").addEventListener("click", () => {
    const publish = !store.state.workshop.published_at;
    confirmDialog(t(publish ? "publish_title" : "unpublish_title"), t(publish ? "publish_text" : "unpublish_text"),
      t(publish ? "publish_do" : "publish_undo")).then((ok) => {
      if (!ok) return;
      send("restitution.publish", { published: publish }).then(() => {
        invalidate("restitution");
        notify(t(publish ? "published_done" : "unpublished_done"), "ok");
        focusLater("#publish-btn");
      }).catch(ignore);
    });
  });
  // The exports menu closes like a menu: Escape, or a click elsewhere.
  const menu = $("exports-menu");
  document.addEventListener("click", (e) => { if (menu.open && !menu.contains(e.target)) menu.open = false; });
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
  });
}
