/* assist.js — the grouping assistant in the console: sure suggestions, themes to create, likely duplicates.
 *
 * The server computes everything (read events assist.suggest / assist.duplicates, docs/protocol.md);
 * this module only asks, caches the answers per round, and draws three things the board calls:
 *   assistPanel(r)              top of the unsorted pane (define) or of the wall (diverge), or null;
 *   assistIdeaChip(r, idea)     "Suggestion : Emploi et formation — Accepter / Ignorer" on an unsorted card (define);
 *   assistDuplicateChip(r, idea) "Doublon probable du n° X — Accepter la fusion" on a card (diverge).
 * Every one returns null when the snapshot says the assistant is not installed (features.assist).
 * Answers are fetched after store changes (debounced), again while the server says texts are pending,
 * and the board is redrawn with invalidate() once they arrive. The assistant suggests; the facilitator decides.
 */
import { h, t, plural } from "../lib/dom.js";
import { store, live, invalidate, send, ignore, notify, liveIdeas, disclosure } from "./state.js";

const DEBOUNCE_MS = 600;   // a burst of posted ideas costs one question, not one per idea
const PENDING_MS = 1500;   // the server is still embedding: ask again after this
const EVENTS = { define: "assist.suggest", diverge: "assist.duplicates" };

let features = {};
let version = 0;                 // bumped on every change of the store
const answers = {};              // "<event>:<round id>" -> {version, data}
const asking = {};               // same keys -> true while a question is out
const wanted = {};               // same keys -> round id, the rounds the board shows
const ignored = {};              // idea id -> true: the facilitator ignored its suggestion
let timer = null;

// The module's own look, as a constructed style sheet (the page's CSP allows no inline <style>).
const CSS = `
.assist-panel { border-left: 4px solid var(--accent); padding: .6rem .8rem; margin: 0 0 .6rem; display: grid; gap: .4rem; }
.assist-panel h4 { margin: 0; font-size: 1rem; }
.assist-panel p { margin: 0; }
.assist-sub { font-weight: 600; }
.assist-proposal-list { list-style: none; margin: 0; padding: 0; display: grid; gap: .4rem; }
.assist-proposal { display: grid; grid-template-columns: 1fr auto; gap: .1rem .5rem; align-items: center; }
.assist-proposal .assist-proposal-desc { grid-column: 1; font-size: .9rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.assist-proposal button { grid-column: 2; grid-row: 1 / span 2; }
.assist-chip { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem; margin-top: .4rem; padding: .3rem .45rem;
  border-radius: var(--radius); background: #e8f1ff; color: #123a6b; font-size: .92rem; }
.assist-chip span { flex: 1 1 10rem; min-width: 0; }
.assist-dup { background: #fff1d6; color: #5a3300; }
`;
if (typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in document) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  } catch (e) { /* an old browser: the assistant works unstyled */ }
}

// What the answers depend on: ideas and themes (tallies and presence, frequent in a voting room, do not count).
const RELEVANT = { snapshot: true, idea: true, "idea.removed": true, theme: true, "theme.removed": true, round: true };
store.subscribe((event, data) => {
  if (event === "snapshot") features = (data && data.features) || {};
  if (!RELEVANT[event]) return;
  version += 1;
  schedule(DEBOUNCE_MS);
});

function enabled() { return !!features.assist; }

function schedule(ms) {
  if (!enabled()) return;
  if (timer) clearTimeout(timer);
  timer = setTimeout(fetchAll, ms);
}

function fetchAll() {
  timer = null;
  const connection = live();
  if (!connection) return;
  Object.keys(wanted).forEach((key) => {
    const seen = answers[key];
    if (asking[key] || (seen && seen.version === version && !seen.data.pending)) return;
    const event = key.split(":")[0];
    const asked = version;
    asking[key] = true;
    connection.ask(event, { round_id: wanted[key] }).then((data) => {
      answers[key] = { version: asked, data: data };
      if (!data.available) features = Object.assign({}, features, { assist: false });
      if (data.pending) schedule(PENDING_MS);
      invalidate("work");
    }).catch(() => { /* a question lost with the connection is asked again on the next change */ })
      .then(() => { delete asking[key]; });
  });
}

/** The cached answer for the round in its phase (and a question scheduled if it is stale). */
function answer(r) {
  const event = EVENTS[r.phase];
  if (!event || !enabled()) return null;
  const key = event + ":" + r.id;
  if (!wanted[key]) { wanted[key] = r.id; schedule(0); }
  const seen = answers[key];
  if (!seen || seen.version !== version) schedule(DEBOUNCE_MS);
  return seen ? seen.data : null;
}

// ------------------------------------------------------------------ what is still true of an answer

function unsortedIdea(r, id) {
  const i = r.ideas[id];
  return i && !i.withdrawn && !i.merged_into && !i.hidden && !(i.theme_id && r.themes[i.theme_id]) ? i : null;
}

function sureSuggestions(r, data) {
  return (data.suggestions || []).filter((s) => s.confident && !ignored[s.idea_id] && unsortedIdea(r, s.idea_id) && r.themes[s.theme_id]);
}

function openProposals(r, data) {
  const titles = {};
  Object.keys(r.themes).forEach((id) => { titles[String(r.themes[id].title).toLowerCase()] = true; });
  return (data.proposals || [])
    .map((p) => Object.assign({}, p, { idea_ids: p.idea_ids.filter((id) => unsortedIdea(r, id)) }))
    .filter((p) => p.idea_ids.length >= 2 && !titles[p.title.toLowerCase()]);
}

function livePairs(r, data) {
  const standing = (id) => { const i = r.ideas[id]; return i && !i.withdrawn && !i.merged_into && !i.hidden; };
  return (data.pairs || []).filter((p) => standing(p.idea_id) && standing(p.duplicate_of));
}

// ------------------------------------------------------------------ actions

function file(ideaIds, themeId) {
  return Promise.all(ideaIds.map((id) => send("idea.move", { idea_id: id, theme_id: themeId })));
}

function acceptAll(r, list) {
  Promise.all(list.map((s) => send("idea.move", { idea_id: s.idea_id, theme_id: s.theme_id })))
    .then(() => notify(plural("assist_filed", list.length), "ok")).catch(ignore);
}

function createTheme(r, p) {
  send("theme.create", { round_id: r.id, title: p.title }).then((data) => {
    const theme = data && data.theme;
    if (!theme) return null;
    return file(p.idea_ids, theme.id).then(() => notify(plural("assist_created", p.idea_ids.length, { title: theme.title }), "ok"));
  }).catch(ignore);
}

// ------------------------------------------------------------------ the three pieces the board calls

/** The assistant's block at the top of the unsorted pane (define) or the wall (diverge); null when there is nothing to say. */
export function assistPanel(r) {
  if (!r || !enabled()) return null;
  const data = answer(r);
  if (!data || !data.available) return null;
  const pending = data.pending ? h("p", { class: "hint assist-pending", role: "status" }, plural("assist_pending", data.pending)) : null;
  if (r.phase === "diverge") {
    const pairs = livePairs(r, data);
    if (!pairs.length && !pending) return null;
    return h("section", { class: "assist-panel card", "aria-labelledby": "assist-heading" },
      h("h4", { id: "assist-heading" }, t("assist_heading")),
      pairs.length ? h("p", { class: "assist-dups" }, h("strong", null, plural("assist_duplicates", pairs.length)), " ", t("assist_duplicates_hint")) : null,
      pending);
  }
  const sure = sureSuggestions(r, data);
  const proposals = openProposals(r, data);
  if (!sure.length && !proposals.length && !pending) return null;
  return h("section", { class: "assist-panel card", "aria-labelledby": "assist-heading" },
    h("h4", { id: "assist-heading" }, t("assist_heading")),
    sure.length
      ? h("button", { type: "button", class: "primary assist-accept-all", "data-key": "assist-accept-all", onclick: () => acceptAll(r, sure) },
          plural("assist_accept_all", sure.length))
      : null,
    proposals.length
      // Folded by default: with 300 ideas the list of proposals would push the ideas out of the pane.
      ? disclosure("assist-proposals-" + r.id, t("assist_proposals") + " (" + proposals.length + ")",
          h("ul", { class: "assist-proposal-list" }, proposals.map((p, n) => {
            const id = "assist-proposal-" + n;
            return h("li", { class: "assist-proposal" },
              h("p", { class: "assist-proposal-title", id: id }, h("strong", null, p.title), " · ", plural("ideas", p.idea_ids.length)),
              p.description ? h("p", { class: "hint assist-proposal-desc" }, p.source === "ideas" ? "« " + p.description + " »" : p.description) : null,
              h("button", { type: "button", class: "small", "aria-describedby": id, "data-key": "assist-create-" + p.title,
                onclick: () => createTheme(r, p) }, t("assist_create")));
          })), "disclosure small-disclosure assist-proposals")
      : null,
    pending);
}

/** "Suggestion : <theme> — Accepter / Ignorer" on an unsorted idea's card in define, when the assistant is sure. */
export function assistIdeaChip(r, idea) {
  if (!r || !idea || r.phase !== "define" || !enabled() || !unsortedIdea(r, idea.id) || ignored[idea.id]) return null;
  const data = answer(r);
  if (!data || !data.available) return null;
  const s = sureSuggestions(r, data).find((x) => x.idea_id === idea.id);
  if (!s) return null;
  const theme = r.themes[s.theme_id];
  const label = "assist-chip-" + idea.id;
  return h("div", { class: "assist-chip" },
    h("span", { id: label }, t("assist_suggestion", { theme: theme.title })),
    h("button", { type: "button", class: "small primary", "aria-describedby": label, "data-key": "assist-accept-" + idea.id,
      onclick: () => { send("idea.move", { idea_id: idea.id, theme_id: theme.id }).catch(ignore); } }, t("assist_accept")),
    h("button", { type: "button", class: "small", "aria-describedby": label, "data-key": "assist-ignore-" + idea.id,
      onclick: () => { ignored[idea.id] = true; invalidate("work"); } }, t("assist_ignore")));
}

/** "Doublon probable du n° X — Accepter la fusion" on a diverge card: one click sends idea.merge into the older idea. */
export function assistDuplicateChip(r, idea) {
  if (!r || !idea || r.phase !== "diverge" || !enabled()) return null;
  const data = answer(r);
  if (!data || !data.available) return null;
  const pair = livePairs(r, data).find((p) => p.idea_id === idea.id);
  if (!pair) return null;
  const kept = r.ideas[pair.duplicate_of];
  const number = liveIdeas(r).findIndex((i) => i.id === kept.id) + 1;
  const label = "assist-dup-" + idea.id;
  return h("div", { class: "assist-chip assist-dup" },
    h("span", { id: label, title: kept.text }, t("assist_duplicate_of", { n: number, text: kept.text })),
    h("button", { type: "button", class: "small primary", "aria-describedby": label, "data-key": "assist-merge-" + idea.id,
      onclick: () => { send("idea.merge", { idea_id: idea.id, into_id: kept.id }).catch(ignore); } }, t("assist_merge")));
}
