/* console.js — the facilitator console (/f/<token>): wires the panels to the shared store.
 *
 * The store is filled by the snapshot and kept up to date by the broadcasts;
 * every change marks the panels it affects, which are rebuilt on the next tick.
 * Every action is a protocol event (docs/protocol.md) sent through the outbox;
 * refused writes come back as a toast. Panels: stepper.js (header, rounds, phase
 * controls, timer, reveal), preview.js (closing a phase), wall.js (ideas), board.js
 * (themes), actions.js (actions and sheets), plan.js (the draft), followup.js (restitution).
 */
import { h, t, plural, page, $, replace, ready } from "./lib/dom.js";
import { connect } from "./lib/connection.js";
import { statusBadge } from "./lib/widgets.js";
import { store, ui, setLive, live, setRenderers, invalidate, notify } from "./console/state.js";
import { renderHeader, renderRounds, renderControl, setupControls } from "./console/stepper.js";
import { setupPreview, roundMoved } from "./console/preview.js";
import { wallView, wallCount, cancelMerge } from "./console/wall.js";
import { boardView } from "./console/board.js";
import { convergeView, setupSheet, sheetChanged } from "./console/actions.js";
import { inboxView, queueView } from "./console/inbox.js";
import { renderTeam, setTeam } from "./console/team.js";
import { renderPlan } from "./console/plan.js";
import { renderRestitution, setupRestitution } from "./console/followup.js";
import { renderPolls, setupPolls } from "./console/polls.js";
import { viewedRound, can, may } from "./console/state.js";

const FRESH_MS = 2000;
// A moderator's console has no restitution, polls or team tab (page.may, from the server's own table).
const NEEDS = { restitution: "restitution.publish", polls: "poll.create", team: "team.link" };
const TABS = ["round", "plan", "restitution", "polls", "team"].filter((n) => !NEEDS[n] || may(NEEDS[n]));

// ------------------------------------------------------------------ work area

function renderWork() {
  const r = viewedRound();
  const body = $("work-body");
  if (!r) { replace(body, []); return; }
  if (ui.merging && (!r.ideas[ui.merging] || !can(r, "merge_ideas"))) ui.merging = null;
  let content;
  if (r.phase === "lobby" || r.phase === "diverge") content = wallView(r);
  else if (r.phase === "define") content = boardView(r, false);
  else {
    content = convergeView(r);
    if (r.phase === "closed") {
      content.unshift(h("p", { class: "closed-note" },
        h("button", { type: "button", class: "primary", onclick: () => selectTab("plan", true) }, t("open_plan"))));
    }
  }
  body.className = "phase-" + r.phase;
  // The define board hands back the same (patched) element: left in place, its 300 cards are not re-laid out.
  if (body.childNodes.length !== 1 || body.firstChild !== content) replace(body, content);
  announceCount(r);
}

/** The moderators' inbox above the work of the phase (its own slot: the board below is patched, not rebuilt). */
function renderInbox() {
  const r = viewedRound();
  const view = r ? inboxView(r) : null;
  replace($("inbox-slot"), view ? [view] : []);
  const queue = r ? queueView(r) : null;
  replace($("queue-slot"), queue ? [queue] : []);
}

/** Say how many ideas there are when it changes (the wall itself is rebuilt, so it cannot be the live region). */
function announceCount(r) {
  const text = r.phase === "lobby" ? "" : wallCount(r);
  const key = r.id + ":" + text;
  if (ui.lastCount === key) return;
  const first = ui.lastCount === undefined || ui.lastCount.split(":")[0] !== String(r.id);
  ui.lastCount = key;
  if (!first) $("live-count").textContent = text;
}

// ------------------------------------------------------------------ tabs

function selectTab(name, focus) {
  ui.tab = name;
  TABS.forEach((n) => {
    const tab = $("tab-" + n), on = n === name;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
    $("panel-" + n).hidden = !on;
  });
  if (focus) $("tab-" + name).focus();
}

function setupTabs() {
  TABS.forEach((n, i, all) => {
    const tab = $("tab-" + n);
    tab.addEventListener("click", () => selectTab(n));
    tab.addEventListener("keydown", (e) => {
      const k = e.key;
      if (k !== "ArrowRight" && k !== "ArrowLeft" && k !== "Home" && k !== "End") return;
      e.preventDefault();
      const j = k === "Home" ? 0 : k === "End" ? all.length - 1 : (i + (k === "ArrowRight" ? 1 : -1) + all.length) % all.length;
      selectTab(all[j], true);
    });
  });
}

// ------------------------------------------------------------------ what each change redraws

const REDRAW = {
  snapshot: ["header", "rounds", "control", "work", "plan", "restitution", "inbox", "polls"],
  idea: ["work", "inbox"], theme: ["work"], "theme.removed": ["work"],
  action: ["work", "plan", "restitution", "inbox"],
  round: ["rounds", "control", "work", "restitution", "inbox"],
  presence: ["header"], plan: ["plan"], workshop: ["header", "restitution", "inbox"],
  poll: ["polls"], "poll.results": ["polls"],
  agreement: ["work"], "agreement.results": ["work"]
};

store.subscribe((event, data, before) => {
  if (event === "snapshot") {
    if (ui.pinned && !store.state.rounds[ui.pinned]) ui.pinned = null;
    ui.timerRef = null;
  } else if (event === "idea") {
    if (!before && store.state.rounds[data.round_id]) {
      ui.fresh[data.id] = Date.now();
      setTimeout(() => { delete ui.fresh[data.id]; }, FRESH_MS);
    }
    if (ui.merging === data.id && (data.merged_into || data.withdrawn)) ui.merging = null;
  } else if (event === "action") {
    sheetChanged(data);
  } else if (event === "theme.removed") {
    delete ui.editing[data.id];
  } else if (event === "round") {
    if (before && before.phase !== data.phase) {
      ui.merging = null;
      roundMoved(data);
    }
  } else if (event === "tally") {
    invalidate(...(data.kind === "action" ? ["work", "restitution"] : ["work"]));
  }
  if (REDRAW[event]) invalidate(...REDRAW[event]);
});

/** This console's link was revoked: say so where the work was, and stop (every later event would be refused). */
function revoked() {
  const main = document.querySelector("main") || document.body;
  replace(main, [h("section", { class: "card revoked", role: "alert" }, h("h2", null, t("link_revoked")))]);
  if (live()) live().close && live().close();
}

// ------------------------------------------------------------------ start

ready(() => {
  // Controls the server would refuse this role are not shown (data-needs="<event>").
  document.querySelectorAll("[data-needs]").forEach((el) => { if (!may(el.getAttribute("data-needs"))) el.classList.add("not-allowed"); });
  setRenderers({ header: renderHeader, rounds: renderRounds, control: renderControl, inbox: renderInbox, work: renderWork, plan: renderPlan,
    restitution: renderRestitution, polls: renderPolls });
  if (may("team.link")) renderTeam();
  setupTabs();
  setupControls();
  setupPreview();
  setupSheet();
  setupRestitution();
  setupPolls();
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && ui.merging && !document.querySelector("dialog[open]")) cancelMerge();
  });
  const badge = statusBadge($("status"));
  let pendingCount = 0;
  function showPending() {
    const el = $("pending");
    const show = pendingCount > 0 && live() && live().state() !== "connected";
    el.hidden = !show;
    el.textContent = show ? plural("pending", pendingCount) : "";
  }
  function onStatus(state) { badge(state); showPending(); }
  setLive(connect({
    auth: () => (page.role === "moderator" ? { moderator_token: page.token, lang: page.lang } : { facilitator_token: page.token, lang: page.lang }),
    outboxKey: "workshop:console:" + page.code,
    onConnect: store.hold,
    onSnapshot: (data) => { store.snapshot(data); if (data.team) setTeam(data.team); },
    onStatus: onStatus,
    onRefused: (err) => {
      onStatus("offline");
      notify((err && err.message) || t("refused"));
    },
    onOutbox: (items) => { pendingCount = items.length; showPending(); },
    onDelivered: (item, answer) => {
      if (!answer || !answer.ok) notify((answer && answer.error && answer.error.message) || t("error_generic"));
    },
    events: Object.assign(store.handlers(), {
      team: (data) => setTeam(data.links),
      "link.revoked": () => revoked()
    })
  }));
  window.workshopConsole = { store: store, live: live() };
});
