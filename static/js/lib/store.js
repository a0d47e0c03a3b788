/* store.js — one store for every page: a snapshot, then the server's broadcasts folded in.
 *
 * The state is what the server says, as it says it (docs/protocol.md): rules,
 * what each round's phase allows (`can`), whether the room sees its tallies
 * (`tallies_visible`), the tallies and their `ranking`. Pages render from it and
 * never re-derive a rule. Broadcasts that arrive between a (re)connection and
 * its snapshot are held, then replayed on top of the snapshot.
 */

const CONTENT = ["ideas", "themes", "actions", "votes", "tallies", "ranking", "syntheses"];
const KINDS = ["theme", "action"];

export function values(obj) { return Object.keys(obj || {}).map((k) => obj[k]); }
function byId(list) { const out = {}; (list || []).forEach((x) => { out[x.id] = x; }); return out; }

function emptyRound(id) {
  return { id: id, ideas: {}, themes: {}, actions: {}, votes: [], tallies: { theme: null, action: null },
    ranking: { theme: null, action: null }, syntheses: {}, can: {}, tallies_visible: {} };
}

function setHeader(r, header) {
  Object.keys(header).forEach((k) => { if (CONTENT.indexOf(k) < 0 && header[k] !== undefined) r[k] = header[k]; });
  return r;
}

function roundFrom(rv) {
  const r = setHeader(emptyRound(rv.id), rv);
  r.ideas = byId(rv.ideas);
  r.themes = byId(rv.themes);
  r.actions = byId(rv.actions);
  r.votes = rv.votes || [];
  KINDS.forEach((kind) => {
    const items = rv.tallies && rv.tallies[kind];
    r.tallies[kind] = items ? byId(items) : null;
    r.ranking[kind] = (rv.ranking && rv.ranking[kind]) || (items ? [] : null);
  });
  r.syntheses = Object.assign({}, rv.syntheses || {});
  return r;
}

const UPSERTS = { idea: true, theme: true, action: true };
const same = (a, b) => JSON.stringify(a) === JSON.stringify(Object.assign({}, b, a.mine ? { mine: true } : {}));

export function createStore() {
  const listeners = [];
  let held = null;
  const state = {
    loaded: false, role: null, workshop: {}, presence: { count: 0, by_group: {} }, plan: null,
    participants: [], me: null, rules: { phases: [], capabilities: {}, vote_phase: {}, action_statuses: [], follow_up_statuses: [] },
    rounds: {}, polls: {}, agreement: {}
  };
  const seesAll = () => state.role === "facilitator" || state.role === "moderator";

  function notify(event, data, before) { listeners.forEach((fn) => fn(event, data, before)); }

  /** A round the store does not know yet is dropped: the next snapshot brings it. */
  const APPLY = {
    idea(idea, r) {
      if (!r) return undefined;
      const old = r.ideas[idea.id];
      const mine = idea.mine || (old && old.mine);
      // Phones and the projector only keep what the room may see (their own ideas excepted).
      if (!seesAll() && !mine && (idea.hidden || idea.withdrawn || idea.merged_into)) delete r.ideas[idea.id];
      else r.ideas[idea.id] = mine ? Object.assign({}, idea, { mine: true }) : idea;
      return old;
    },
    "idea.removed"(d, r) {
      const old = r && r.ideas[d.id];
      if (old && !old.mine) delete r.ideas[d.id]; // my own copy follows from my private broadcast
      return old;
    },
    theme(theme, r) { if (!r) return undefined; const old = r.themes[theme.id]; r.themes[theme.id] = theme; return old; },
    "theme.removed"(d, r) {
      if (!r) return undefined;
      const old = r.themes[d.id];
      delete r.themes[d.id];
      if (r.tallies.theme) delete r.tallies.theme[d.id];
      if (r.ranking.theme) r.ranking.theme = r.ranking.theme.filter((id) => id !== d.id);
      return old;
    },
    action(action, r) { if (!r) return undefined; const old = r.actions[action.id]; r.actions[action.id] = action; return old; },
    round(header) {
      const known = state.rounds[header.id];
      const before = known ? Object.assign({}, known) : undefined;
      const r = setHeader(known || (state.rounds[header.id] = emptyRound(header.id)), header);
      // Hidden again (the facilitator hid them): forget the numbers; a fresh tally comes with the next reveal.
      if (!seesAll()) KINDS.forEach((kind) => { if (r.tallies_visible && r.tallies_visible[kind] === false) r.tallies[kind] = r.ranking[kind] = null; });
      return before;
    },
    tally(tl, r) {
      if (!r || !tl.kind) return undefined;
      const hidden = tl.visible === false && !seesAll();
      r.tallies[tl.kind] = hidden ? null : byId(tl.items);
      r.ranking[tl.kind] = hidden ? null : (tl.ranking || []);
      return undefined;
    },
    presence(p) { state.presence = p; },
    synthesis(s, r) {
      if (!r) return;
      if (s.data) r.syntheses[s.phase] = s.data;
      else delete r.syntheses[s.phase];
    },
    plan(plan) { state.plan = plan; },
    workshop(w) { state.workshop = Object.assign({}, state.workshop, w); },
    // Quick polls (docs/protocol.md, "Poll"): a phone keeps its own answer (`mine`), never broadcast.
    poll(p) {
      const old = state.polls[p.id];
      state.polls[p.id] = Object.assign({}, p, old && old.mine !== undefined && p.mine === undefined ? { mine: old.mine } : {});
      return old;
    },
    "poll.results"(d) {
      const p = state.polls[d.poll_id];
      if (!p) return;
      if (p.answers !== undefined) p.answers = d.answers;
      if (d.results || p.revealed || seesAll()) p.results = d.results;
    },
    // Agreement across groups (docs/protocol.md, "Agreement"), by round id: a phone keeps its own stances (`mine`).
    agreement(a) {
      const old = state.agreement[a.round_id];
      state.agreement[a.round_id] = Object.assign({}, a, old && old.mine && !a.mine ? { mine: old.mine } : {});
      return old;
    },
    "agreement.results"(d) {
      const a = state.agreement[d.round_id];
      if (!a) return;
      if (a.answers !== undefined || seesAll()) a.answers = d.answers;
      if (d.results || a.revealed || seesAll()) a.results = d.results;
    }
  };

  function apply(event, data) {
    if (held) { held.push([event, data]); return; }
    if (!state.loaded || !APPLY[event]) return;
    const r = data && data.round_id !== undefined ? state.rounds[data.round_id] : null;
    const before = APPLY[event](data, r);
    // The ack already folded in what the broadcast repeats: nothing changed, nothing to redraw
    // (a redraw under the pointer can cost the facilitator a drag).
    if (UPSERTS[event] && before && same(before, data)) return;
    notify(event, data, before);
  }

  function snapshot(data) {
    state.role = data.role || null;
    state.workshop = data.workshop || state.workshop;
    state.presence = data.presence || state.presence;
    state.plan = data.plan || null;
    state.participants = data.participants || [];
    state.me = data.me || null;
    if (data.rules) state.rules = data.rules;
    const rounds = {};
    (data.rounds || []).forEach((rv) => { rounds[rv.id] = roundFrom(rv); });
    state.rounds = rounds;
    state.polls = byId(data.polls);
    state.agreement = {};
    (data.agreement || []).forEach((a) => { state.agreement[a.round_id] = a; });
    state.loaded = true;
    const replay = held || [];
    held = null;
    notify("snapshot", data);
    replay.forEach((ev) => apply(ev[0], ev[1]));
  }

  const store = {
    state: state,
    snapshot: snapshot,
    apply: apply,
    /** Hold the broadcasts until the snapshot is in (called on every connection). */
    hold() { held = []; },
    subscribe(fn) { listeners.push(fn); },
    /** {event: handler} for every server broadcast, to give to connect(). */
    handlers() {
      const out = {};
      Object.keys(APPLY).forEach((name) => { out[name] = (data) => apply(name, data); });
      return out;
    },
    rounds() { return values(state.rounds).sort((a, b) => a.position - b.position); },
    /** The round the room is on: the first one not closed, else the last. */
    currentRound() {
      const list = store.rounds();
      for (let i = 0; i < list.length; i++) if (list[i].phase !== "closed") return list[i];
      return list[list.length - 1] || null;
    },
    settings() { return state.workshop.settings || {}; },
    /** The vote a phase holds ("theme", "action") or null, from the server's rules. */
    voteOf(phase) {
      const vp = state.rules.vote_phase || {};
      return Object.keys(vp).filter((kind) => vp[kind] === phase)[0] || null;
    },
    /** Where a phase stands in the server's order (for "has define started?"). */
    phaseIndex(phase) { return (state.rules.phases || []).indexOf(phase); }
  };
  return store;
}

/** A round's tally of one item: {dots, voters, by_group} (zeros when unvoted or unseen). */
export function tallyOf(r, kind, id) {
  return (r.tallies[kind] && r.tallies[kind][id]) || { dots: 0, voters: 0, by_group: {} };
}

/** items in the server's ranking of that vote (most dots first); items it does not rank follow, by `rest`. */
export function ranked(r, kind, items, rest) {
  const pos = {};
  ((r.ranking && r.ranking[kind]) || []).forEach((id, i) => { pos[id] = i; });
  const at = (x) => (pos[x.id] === undefined ? Infinity : pos[x.id]);
  return items.slice().sort((a, b) => (at(a) - at(b)) || (rest ? rest(a, b) : a.id - b.id));
}
