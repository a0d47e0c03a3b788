/* polls.js — what the console, the projector and the phone share about quick polls (docs/protocol.md, "Poll").
 *
 * The server counts (small stakeholder groups already merged into "autres"); this only draws: one row per
 * option, an inline SVG bar of the share of people who chose it, split by stakeholder group, and a legend.
 */
import { h, t, plural } from "./dom.js";
import { values } from "./store.js";

const SVG = "http://www.w3.org/2000/svg";
/** Group colours (each ≥ 3:1 against white), "autres" in grey. */
const COLOURS = ["#1d5aa6", "#0b7a54", "#a2336f", "#a35400", "#5b46c9", "#00707c", "#8a6d00", "#b0303a"];
export const OTHERS = "autres";

/** Polls in the order of the plan and the console. */
export function pollList(store) {
  return values(store.state.polls).sort((a, b) => a.position - b.position || a.id - b.id);
}

/** The option as people read it: a scale's number, agree/neutral/disagree in the page's language, or its label. */
export function optionLabel(poll, option) {
  return poll.kind === "agree" ? t("poll_opt_" + option.value) : option.label;
}

export function groupLabel(group) { return group === OTHERS ? t("poll_others") : group; }

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  Object.keys(attrs).forEach((k) => el.setAttribute(k, attrs[k]));
  return el;
}

function colourOf(groups) {
  const out = {};
  let n = 0;
  groups.forEach((g) => { out[g] = g === OTHERS ? "#5f6673" : COLOURS[n++ % COLOURS.length]; });
  return out;
}

function pct(count, total) { return total ? Math.round((100 * count) / total) : 0; }

/** Bars of a poll's results (or a word cloud list for word polls): a <figure>. `options.groups` adds the breakdown. */
export function pollChart(poll, options) {
  const res = poll.results;
  const withGroups = !options || options.groups !== false;
  const figure = h("figure", { class: "poll-chart", dataset: { kind: poll.kind } });
  if (!res) return figure;
  const total = res.answers || 0;
  if (poll.kind === "word") {
    figure.appendChild(wordList(res.words || []));
    return figure;
  }
  const groups = Object.keys(res.by_group || {});
  const colours = colourOf(groups);
  const rows = h("ol", { class: "pc-rows" });
  res.options.forEach((o, i) => {
    const bar = svg("svg", { class: "pc-bar", width: "100%", height: "100%", "aria-hidden": "true", focusable: "false" });
    bar.appendChild(svg("rect", { x: "0", y: "0", width: "100%", height: "100%", class: "pc-track" }));
    let x = 0;
    (withGroups && groups.length ? groups : [null]).forEach((g) => {
      const n = g === null ? o.count : res.by_group[g].counts[i];
      if (!n) return;
      const w = (100 * n) / Math.max(total, 1);
      bar.appendChild(svg("rect", { x: x + "%", y: "0", width: w + "%", height: "100%", fill: g === null ? "#1d5aa6" : colours[g], dataset: "" }));
      x += w;
    });
    const share = t("poll_share", { n: o.count, pct: pct(o.count, total) });
    const detail = withGroups ? groups.filter((g) => res.by_group[g].counts[i]).map((g) => groupLabel(g) + " " + res.by_group[g].counts[i]).join(", ") : "";
    rows.appendChild(h("li", { class: "pc-row", dataset: { value: o.value, count: String(o.count) } },
      h("div", { class: "pc-head" }, h("span", { class: "pc-label", dir: "auto" }, optionLabel(poll, o)), h("span", { class: "pc-count" }, share)),
      h("div", { class: "pc-track-box" }, bar),
      detail ? h("span", { class: "visually-hidden" }, " (" + detail + ")") : null));
  });
  figure.appendChild(rows);
  const foot = h("figcaption", { class: "pc-foot" }, h("span", { class: "pc-total" }, plural("poll_answers", total)));
  if (poll.kind === "scale" && res.mean !== null && res.mean !== undefined) foot.appendChild(h("span", { class: "pc-mean" }, t("poll_mean", { n: res.mean })));
  figure.appendChild(foot);
  if (withGroups && groups.length) {
    figure.appendChild(h("ul", { class: "pc-legend", "aria-label": t("poll_by_group") }, groups.map((g) => {
      const swatch = svg("svg", { class: "pc-swatch", width: "1em", height: "1em", "aria-hidden": "true", focusable: "false" });
      swatch.appendChild(svg("rect", { x: "0", y: "0", width: "100%", height: "100%", rx: "3", fill: colours[g] }));
      return h("li", null, swatch, " ", groupLabel(g) + " (" + res.by_group[g].answers + ")");
    })));
  }
  return figure;
}

/** A word poll's answers, most frequent first: the list the projector lays out as a cloud. */
export function wordList(words) {
  return h("ul", { class: "pc-words" }, words.map((w) => h("li", { dataset: { word: w.text, weight: String(w.count) } }, w.text, " ", h("span", { class: "pc-word-n" }, "× " + w.count))));
}
