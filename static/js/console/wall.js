/* wall.js — the idea wall: cards, moderation (hide / show), merging duplicates, moving ideas,
 * and ideas typed on behalf of someone without a phone. */
import { h, t, plural, $ } from "../lib/dom.js";
import { assistPanel, assistIdeaChip, assistDuplicateChip } from "./assist.js";
import { ui, invalidate, settings, can, viewedRound, liveIdeas, themesOf, mergedInto, persistent, focusLater, send, ignore, notify } from "./state.js";

function authorLine(i) {
  const who = i.on_behalf ? null : (i.author || t("anonymous"));
  const bits = [];
  if (who) bits.push(who);
  if (i.group) bits.push(i.group);
  return bits.join(" · ");
}

export function ideaCard(r, idea, merged, opts) {
  const textId = "idea-text-" + idea.id;
  const source = ui.merging ? r.ideas[ui.merging] : null;
  const isSource = ui.merging === idea.id;
  const cls = "idea" + (idea.hidden ? " is-hidden" : "") + (isSource ? " is-merge-source" : "") + (ui.fresh[idea.id] ? " is-fresh" : "") + (opts.compact ? " compact" : "");
  const draggable = opts.movable && !ui.merging;
  const card = h("li", { class: cls, "data-idea-id": String(idea.id), draggable: draggable ? "true" : null },
    h("p", { class: "idea-text", id: textId }, idea.text),
    merged && merged.length
      ? h("p", { class: "idea-merged" }, h("span", { class: "im-label" }, t("merged_also")), " ", merged.map((m) => "« " + m.text + " »").join(" "))
      : null,
    h("p", { class: "idea-meta" },
      authorLine(idea) ? h("span", { class: "idea-author" }, authorLine(idea)) : null,
      idea.count > 1 ? h("span", { class: "badge count" }, plural("people", idea.count)) : null,
      idea.on_behalf ? h("span", { class: "badge behalf" }, "✎ " + t("on_behalf")) : null,
      idea.hidden ? h("span", { class: "badge hidden-badge" }, "⊘ " + t("hidden")) : null,
      isSource ? h("span", { class: "badge source-badge" }, t("merge_source")) : null),
    source ? null : assistIdeaChip(r, idea) || assistDuplicateChip(r, idea));
  const tools = h("div", { class: "idea-tools" });
  if (source) {
    if (!isSource && !idea.merged_into && !idea.withdrawn && idea.round_id === source.round_id) {
      tools.appendChild(h("button", { type: "button", class: "small primary", "data-key": "keep-" + idea.id, "aria-describedby": textId,
        onclick: () => mergeInto(idea.id) }, t("merge_keep")));
    }
  } else {
    if (opts.movable) tools.appendChild(moveSelect(r, idea, textId));
    if (can(r, "moderate_idea")) {
      tools.appendChild(h("button", { type: "button", class: "small", "data-key": "toggle-" + idea.id, "aria-describedby": textId,
        onclick: () => { send("idea.hide", { idea_id: idea.id, hidden: !idea.hidden }).catch(ignore); } },
        idea.hidden ? t("show") : t("hide")));
    }
    if (can(r, "merge_ideas")) {
      tools.appendChild(h("button", { type: "button", class: "small", "data-key": "merge-" + idea.id, "aria-describedby": textId,
        onclick: () => startMerge(idea.id) }, t("merge")));
    }
  }
  if (tools.firstChild) card.appendChild(tools);
  if (ui.fresh[idea.id]) card.style.animationDelay = (ui.fresh[idea.id] - Date.now()) + "ms"; // one highlight, across re-renders
  if (draggable) {
    // From the press to the drag's start, a re-render would pull the card from under the pointer
    // and the drag would never begin: the board waits until the button is released.
    card.addEventListener("pointerdown", () => { ui.holding = true; });
    card.addEventListener("dragstart", (e) => {
      ui.dragging = idea.id;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", String(idea.id));
      card.classList.add("is-dragging");
    });
    card.addEventListener("dragend", () => {
      ui.dragging = null;
      card.classList.remove("is-dragging");
      invalidate("work");
    });
  }
  return card;
}

function moveSelect(r, idea, textId) {
  const id = "move-" + idea.id;
  const sel = h("select", { id: id, class: "move-select", "data-key": id, "aria-label": t("move_label"), "aria-describedby": textId },
    h("option", { value: "" }, t("move_to")),
    idea.theme_id && r.themes[idea.theme_id] ? h("option", { value: "none" }, t("unsorted")) : null,
    themesOf(r).filter((th) => th.id !== idea.theme_id).map((th) => h("option", { value: String(th.id) }, th.title)));
  sel.addEventListener("change", () => {
    if (!sel.value) return;
    const themeId = sel.value === "none" ? null : Number(sel.value);
    sel.value = "";
    moveIdea(idea.id, themeId);
  });
  return sel;
}

export function moveIdea(ideaId, themeId) {
  send("idea.move", { idea_id: ideaId, theme_id: themeId }).catch(ignore);
}

function startMerge(id) {
  ui.merging = id;
  invalidate("work");
  setTimeout(() => { const b = $("merge-banner-text"); if (b) b.focus(); }, 0);
}
export function cancelMerge() {
  const id = ui.merging;
  ui.merging = null;
  invalidate("work");
  setTimeout(() => { const b = document.querySelector('[data-key="merge-' + id + '"]'); if (b) b.focus(); }, 0);
}
function mergeInto(intoId) {
  const source = ui.merging;
  ui.merging = null;
  invalidate("work");
  send("idea.merge", { idea_id: source, into_id: intoId })
    .then(() => focusLater('[data-key="merge-' + intoId + '"]'))
    .catch(() => focusLater('[data-key="merge-' + source + '"]'));
}

export function mergeBanner(r) {
  if (!ui.merging || !r.ideas[ui.merging]) return null;
  return h("div", { class: "merge-banner" },
    h("p", { id: "merge-banner-text", tabindex: "-1" }, t("merge_banner", { text: r.ideas[ui.merging].text })),
    h("button", { type: "button", class: "small", "data-key": "merge-cancel", onclick: cancelMerge }, t("merge_cancel")));
}

export function wallCount(r) {
  const all = liveIdeas(r);
  const hidden = all.filter((i) => i.hidden).length;
  return t("ideas_count", { n: all.length - hidden, h: hidden });
}

export function wallView(r) {
  const ideas = liveIdeas(r);
  const merged = mergedInto(r);
  const wall = ideas.length
    ? h("ol", { class: "wall", "aria-labelledby": "wall-heading" }, ideas.map((i) => ideaCard(r, i, merged[i.id], {})))
    : h("p", { class: "empty" }, t("wall_empty"));
  return h("div", { class: "wall-area" },
    can(r, "post_idea") ? behalfForm() : null,
    h("section", { class: "wall-main", "aria-labelledby": "wall-heading" },
      h("div", { class: "section-head" },
        h("h3", { id: "wall-heading" }, t("ideas_title")),
        h("p", { class: "count-line" }, wallCount(r))),
      mergeBanner(r),
      assistPanel(r),
      wall));
}

function behalfForm() {
  return persistent("behalf", () => {
    const max = settings().max_idea_length || 200;
    const text = h("textarea", { id: "behalf-text", name: "text", rows: "2", maxlength: String(max), required: true });
    const group = h("select", { id: "behalf-group", name: "group" },
      h("option", { value: "" }, t("behalf_no_group")),
      (settings().groups || []).map((g) => h("option", { value: g }, g)));
    const form = h("form", { class: "behalf-form card", "aria-labelledby": "behalf-heading" },
      h("div", { class: "behalf-head" },
        h("h3", { id: "behalf-heading" }, t("behalf_title")),
        h("p", { class: "hint" }, t("behalf_hint"))),
      h("div", { class: "behalf-row" },
        h("div", { class: "field behalf-text" }, h("label", { for: "behalf-text" }, t("behalf_text")), text),
        h("div", { class: "field behalf-group" }, h("label", { for: "behalf-group" }, t("behalf_group")), group),
        h("button", { type: "submit", class: "primary" }, t("behalf_submit"))));
    text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } // one idea = one line
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = text.value.trim();
      if (!value) { text.focus(); return; }
      const payload = { text: value, round_id: viewedRound().id };
      if (group.value) payload.group = group.value;
      send("idea.post", payload).then(() => {
        text.value = "";
        notify(t("behalf_done"), "ok");
        text.focus();
      }).catch(ignore);
    });
    return form;
  });
}
