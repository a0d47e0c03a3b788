/* wall.js — the idea wall: cards (kept between renders, keyed by idea), moderation (hide / show), merging
 * duplicates, and ideas typed on behalf of someone without a phone. Filing ideas under themes is board.js. */
import { h, t, plural, $, replace } from "../lib/dom.js";
import { assistPanel, assistDuplicateChip } from "./assist.js";
import { ui, invalidate, settings, can, may, viewedRound, liveIdeas, mergedInto, persistent, focusLater, send, ignore, notify } from "./state.js";

function authorLine(i) {
  const who = i.on_behalf ? null : (i.author || t("anonymous"));
  const bits = [];
  if (who) bits.push(who);
  if (i.group) bits.push(i.group);
  return bits.join(" · ");
}

/** The idea's number in its round (1, 2, … in the order posted, merged and hidden ones included, so it never
 *  shifts): what the facilitator reads out and filters by. */
export function ideaNumbers(r) {
  const out = {};
  Object.keys(r.ideas).map(Number).sort((a, b) => a - b).forEach((id, i) => { out[id] = i + 1; });
  return out;
}

// Cards are kept between renders, keyed by idea: a tally tick over 300 ideas reuses them instead of
// rebuilding every one. A card is rebuilt only when what it shows has changed (its signature).
const cards = new Map();

function signature(r, idea, merged, opts) {
  return JSON.stringify([idea, (merged || []).map((m) => m.text), !!opts.compact, !!opts.movable, !!opts.selectable, opts.number || 0,
    ui.merging, ui.merging ? (r.ideas[ui.merging] || {}).round_id : null, !!ui.fresh[idea.id], can(r, "moderate_idea"), can(r, "merge_ideas"),
    !!opts.selected, opts.choosing || null]);
}

/** A card for the idea, reused when nothing it shows has changed; opts.chip(r, idea) fills its assistant slot on every render. */
export function ideaCard(r, idea, merged, opts) {
  const sig = signature(r, idea, merged, opts);
  let entry = cards.get(idea.id);
  if (!entry || entry.sig !== sig) {
    entry = { sig: sig, el: buildCard(r, idea, merged, opts) };
    cards.set(idea.id, entry);
  }
  const slot = entry.el.querySelector(".assist-slot");
  if (slot) {
    const chip = opts.chip ? opts.chip(r, idea) : null;
    if (chip ? slot.firstChild !== chip || slot.childNodes.length !== 1 : slot.firstChild) replace(slot, chip ? [chip] : []);
    slot.hidden = !chip;
  }
  return entry.el;
}

/** Forget the cards of ideas no longer shown anywhere (keep: {idea id: true}). */
export function pruneCards(keep) {
  cards.forEach((_, id) => { if (!keep[id]) cards.delete(id); });
}

function buildCard(r, idea, merged, opts) {
  const textId = "idea-text-" + idea.id;
  const source = ui.merging ? r.ideas[ui.merging] : null;
  const isSource = ui.merging === idea.id;
  const movable = opts.movable && !ui.merging;
  const cls = "idea" + (idea.hidden ? " is-hidden" : "") + (isSource ? " is-merge-source" : "") + (ui.fresh[idea.id] ? " is-fresh" : "") +
    (opts.compact ? " compact" : "") + (opts.selected ? " is-selected" : "") + (movable ? " is-movable" : "");
  const card = h("li", { class: cls, "data-idea-id": String(idea.id) });
  if (opts.selectable && !ui.merging) {
    const boxId = "pick-" + idea.id;
    card.appendChild(h("label", { class: "idea-pick" },
      h("input", { type: "checkbox", id: boxId, class: "pick", "data-key": boxId, "data-idea-id": String(idea.id), checked: !!opts.selected,
        "aria-describedby": textId }),
      h("span", { class: "visually-hidden" }, t("select_idea") + " "),
      h("span", { class: "pick-label" }, opts.number ? t("idea_number", { n: opts.number }) : "")));
  } else if (opts.number) {
    card.appendChild(h("p", { class: "idea-number" }, t("idea_number", { n: opts.number })));
  }
  const tools = h("div", { class: "idea-tools" });
  if (source) {
    if (!isSource && !idea.merged_into && !idea.withdrawn && idea.round_id === source.round_id) {
      tools.appendChild(h("button", { type: "button", class: "small primary", "data-key": "keep-" + idea.id, "aria-describedby": textId,
        onclick: () => mergeInto(idea.id) }, t("merge_keep")));
    }
  } else {
    if (movable && opts.onChoose) {
      tools.appendChild(h("button", { type: "button", class: "small classify", "data-key": "classify-" + idea.id, "aria-describedby": textId,
        "aria-expanded": opts.choosing ? "true" : "false", onclick: () => opts.onChoose(idea) }, t("classify")));
    }
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
  const meta = h("p", { class: "idea-meta" },
      authorLine(idea) ? h("span", { class: "idea-author" }, authorLine(idea)) : null,
      idea.count > 1 ? h("span", { class: "badge count" }, plural("people", idea.count)) : null,
      idea.on_behalf
        ? (opts.compact
            ? h("span", { class: "badge behalf", title: t("on_behalf") }, "✎", h("span", { class: "visually-hidden" }, " " + t("on_behalf")))
            : h("span", { class: "badge behalf" }, "✎ " + t("on_behalf")))
        : null,
      idea.hidden ? h("span", { class: "badge hidden-badge" }, "⊘ " + t("hidden")) : null,
      isSource ? h("span", { class: "badge source-badge" }, t("merge_source")) : null);
  // On the board (compact), the buttons share the meta line: a card stays two lines high.
  const foot = opts.compact && tools.firstChild ? h("div", { class: "idea-foot" }, meta, tools) : meta;
  card.appendChild(h("div", { class: "idea-body" },
    h("p", { class: "idea-text", id: textId }, idea.text),
    merged && merged.length
      ? h("p", { class: "idea-merged" }, h("span", { class: "im-label" }, t("merged_also")), " ", merged.map((m) => h("span", { class: "im-item" },
          "« " + m.text + " » ",
          // A merge can be undone: the duplicate stands on its own again, its author's phone lists it again.
          can(r, "merge_ideas") ? h("button", { type: "button", class: "small link-button", "data-key": "unmerge-" + m.id,
            "aria-label": t("unmerge_label", { text: m.text }),
            onclick: () => { send("idea.unmerge", { idea_id: m.id }).then(() => notify(t("unmerge_done"), "ok")).catch(ignore); } }, t("unmerge")) : null,
          " ")))
      : null,
    foot,
    h("div", { class: "assist-slot", hidden: true })));
  if (foot === meta && tools.firstChild) card.appendChild(tools);
  if (opts.choosing && opts.chooser && !source) card.appendChild(opts.chooser(idea, textId));
  if (movable && opts.onPointerDown) {
    card.appendChild(h("span", { class: "drag-handle", "aria-hidden": "true" }, "⠿"));
    card.addEventListener("pointerdown", (e) => opts.onPointerDown(e, card, idea));
  }
  return card;
}

function startMerge(id) {
  ui.merging = id;
  ui.mergeQuery = "";
  const box = document.getElementById("merge-search");
  if (box) box.value = "";
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

/** Folded for comparison: case, accents and spacing do not count. */
function fold(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** While merging, the wall keeps the duplicate and the ideas matching the search (text or number). */
export function mergeCandidates(r, ideas) {
  const q = ui.merging ? fold(ui.mergeQuery) : "";
  if (!q) return ideas;
  const n = q.replace(/^n°\s*/, "");
  const numbers = ideaNumbers(r);
  return ideas.filter((i) => i.id === ui.merging || fold(i.text).includes(q) || String(numbers[i.id]) === n);
}

function mergeSearch() {
  return persistent("merge-search", () => {
    const input = h("input", { type: "search", id: "merge-search", autocomplete: "off" });
    input.addEventListener("input", () => { ui.mergeQuery = input.value; invalidate("work"); });
    return h("div", { class: "field merge-search" }, h("label", { for: "merge-search" }, t("merge_search")), input);
  });
}

export function mergeBanner(r) {
  if (!ui.merging || !r.ideas[ui.merging]) return null;
  return h("div", { class: "merge-banner" },
    h("p", { id: "merge-banner-text", tabindex: "-1" }, t("merge_banner", { text: r.ideas[ui.merging].text })),
    r.phase === "diverge" ? mergeSearch() : null, // on the board, its own filter box narrows the cards
    h("button", { type: "button", class: "small", "data-key": "merge-cancel", onclick: cancelMerge }, t("merge_cancel")));
}

export function wallCount(r) {
  const all = liveIdeas(r);
  const hidden = all.filter((i) => i.hidden).length;
  return plural("ideas_count", all.length) + (hidden ? plural("ideas_count_hidden", hidden) : "");
}

export function wallView(r) {
  const ideas = liveIdeas(r);
  const merged = mergedInto(r);
  const keep = {};
  const opts = { chip: assistDuplicateChip };
  const shown = mergeCandidates(r, ideas);
  const wall = ideas.length
    ? h("ol", { class: "wall", "aria-labelledby": "wall-heading" }, shown.map((i) => { keep[i.id] = true; return ideaCard(r, i, merged[i.id], opts); }))
    : h("p", { class: "empty" }, t("wall_empty"));
  pruneCards(keep);
  return h("div", { class: "wall-area" },
    can(r, "post_idea") && may("idea.post") ? behalfForm() : null,
    assistPanel(r),
    h("section", { class: "wall-main", "aria-labelledby": "wall-heading" },
      h("div", { class: "section-head" },
        h("h3", { id: "wall-heading" }, t("ideas_title")),
        h("p", { class: "count-line" }, wallCount(r))),
      mergeBanner(r),
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
        // Each paper note says its own group: the choice never carries over to the next one.
        const chosen = group.value;
        group.value = "";
        notify(chosen ? t("behalf_done_group", { group: chosen }) : t("behalf_done"), "ok");
        text.focus();
      }).catch(ignore);
    });
    return form;
  });
}
