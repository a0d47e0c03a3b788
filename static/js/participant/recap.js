/* recap.js — the lobby and the closed round on the phone: who I am, what the room decided, the restitution link. */
import { h, t, plural, page } from "../lib/dom.js";
import { store, S, view } from "./common.js";

function whoAmI() {
  if (!store.state.me) return "";
  var bits = [];
  if (store.state.me.pseudonym) bits.push(store.state.me.pseudonym);
  if (store.state.me.group) bits.push(store.state.me.group);
  return bits.length ? t("you_are", { who: bits.join(" · ") }) : t("you_are_anonymous");
}

export function buildLobby(r) {
  var prev = r.position > 1 ? store.rounds().filter(function (x) { return x.position === r.position - 1; })[0] : null;
  var people = h("p", { class: "people", "aria-live": "polite" });
  view.appendChild(h("div", { class: "card next" },
    h("p", { class: "big" }, t(prev ? "lobby_next_round" : "lobby_next")),
    h("p", { class: "hint" }, whoAmI()),
    people));
  if (prev) {
    view.appendChild(h("h3", {}, t("closed_round_title", { n: prev.position })));
    view.appendChild(recap(prev));
  }
  S.parts.update = function () { people.textContent = plural("people", store.state.presence.count || 0); };
}

export function buildClosed() {
  // Once the organiser publishes the restitution (workshop.published_at), the promised link is here.
  var published = !!store.state.workshop.published_at && page.restitution_url;
  view.appendChild(h("div", { class: "card next" + (published ? " published" : ""), id: "restitution" },
    h("p", { class: "big" }, t(published ? "closed_published" : "closed_next")),
    published ? h("a", { class: "button primary big", id: "restitution-link", href: page.restitution_url }, t("closed_link")) : null));
  var closed = store.rounds().filter(function (x) { return x.phase === "closed"; });
  view.appendChild(h("h3", {}, t("recap")));
  closed.forEach(function (r) {
    var block = h("section", { class: "recap-round", "aria-labelledby": "recap-" + r.id },
      h("h4", { id: "recap-" + r.id }, t("round_of", { n: r.position, total: store.rounds().length })),
      h("p", { class: "recap-question", dir: "auto" }, r.question));
    block.appendChild(recap(r, "h5"));
    view.appendChild(block);
  });
}

/** What a closed round decided: kept themes and ranked actions, from its frozen syntheses. */
export function recap(r, tag) {
  tag = tag || "h4";
  var define = r.syntheses && r.syntheses.define, converge = r.syntheses && r.syntheses.converge;
  var kept = define ? define.themes.filter(function (x) { return x.kept; }) : [];
  var actions = converge ? converge.actions.filter(function (a) { return a.status !== "abandoned"; }) : [];
  var box = h("div", { class: "card recap" });
  if (!kept.length && !actions.length) {
    box.appendChild(h("p", { class: "hint" }, t(define || converge ? "recap_none" : "recap_empty")));
    return box;
  }
  if (kept.length) {
    box.appendChild(h(tag, {}, t("recap_themes")));
    box.appendChild(h("ul", { class: "recap-list" }, kept.map(function (th) {
      return h("li", {}, h("strong", { dir: "auto" }, th.title), th.objective ? h("span", { class: "hint block" }, th.objective) : null);
    })));
  }
  if (actions.length) {
    box.appendChild(h(tag, {}, t("recap_actions")));
    box.appendChild(h("ol", { class: "recap-list" }, actions.slice(0, 10).map(function (a) {
      return h("li", {}, h("strong", { dir: "auto" }, a.title), " ", h("span", { class: "hint" }, "(" + plural("dots_total", a.dots || 0) + ")"));
    })));
  }
  return box;
}
