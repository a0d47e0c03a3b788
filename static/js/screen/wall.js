/* wall.js — diverge on the projector: the wall of ideas (bigger when few, pages when many) and the word cloud. */
import { h, t, plural } from "../lib/dom.js";
import { store, fresh, fits, fit, visibleIdeas } from "./common.js";
import { wordCloud } from "./words.js";

const PAGE_SECONDS = 12;
const noteCache = new Map(); // idea id -> note element (kept so animations never replay)

var wall = { pages: [], index: 0, timer: null, notes: [] };

function noteFor(idea) {
  var note = noteCache.get(idea.id);
  if (!note) {
    note = h("li", { class: "note" });
    noteCache.set(idea.id, note);
    if (fresh[idea.id]) {
      note.classList.add("note-new");
      var done = function () { note.classList.remove("note-new"); };
      note.addEventListener("animationend", done);
      setTimeout(done, 1500);
    }
  }
  delete fresh[idea.id];
  var arriving = note.classList.contains("note-new");
  note.className = "note note-c" + (idea.id % 4) + (String(idea.text).length > 90 ? " note-wide" : "") +
    (arriving ? " note-new" : "");
  note.dataset.ideaId = idea.id;
  note.hidden = false; // a page of the previous layout may have hidden it
  note.textContent = "";
  note.appendChild(h("span", { class: "note-text" }, idea.text));
  var meta = [];
  if (idea.count > 1) {
    meta.push(h("span", { class: "note-count" },
      h("span", { "aria-hidden": "true" }, "×" + idea.count),
      h("span", { class: "visually-hidden" }, t("stands_for", { n: idea.count }))));
  }
  if (idea.author) meta.push(h("span", { class: "note-author" }, idea.author));
  if (meta.length) note.appendChild(h("span", { class: "note-meta" }, meta));
  return note;
}


export function drawDiverge(root, round) {
  var ideas = visibleIdeas(round);
  var arrived = ideas.some(function (i) { return fresh[i.id]; });
  var countText = ideas.length ? plural("ideas", ideas.length) : t("ideas_none");
  var list = h("ol", { class: "wall", id: "sc-wall", "aria-label": t("ideas_heading") });
  var pager = h("p", { class: "wall-pager", id: "sc-pager", hidden: true });
  var cloud = h("ul", { class: "cloud", id: "sc-cloud", "aria-labelledby": "sc-cloud-h" });
  root.appendChild(h("section", { class: "diverge" },
    h("h1", { class: "question" }, round.question),
    h("div", { class: "diverge-body" },
      h("section", { class: "wall-box", "aria-labelledby": "sc-ideas-h" },
        h("div", { class: "box-head" },
          h("h2", { id: "sc-ideas-h", class: "box-title" }, h("span", { id: "sc-idea-count", "aria-live": "polite" }, countText)),
          pager),
        h("div", { class: "wall-frame" }, list)),
      h("section", { class: "cloud-box", "aria-labelledby": "sc-cloud-h" },
        h("h2", { id: "sc-cloud-h", class: "box-title" }, t("cloud_heading")),
        h("div", { class: "cloud-frame" }, cloud)))
  ));

  var notes = ideas.map(noteFor);
  notes.forEach(function (n) { list.appendChild(n); });
  // Forget notes of ideas gone for good (keeps the cache small on long days).
  if (noteCache.size > ideas.length + 200) {
    var keep = {};
    ideas.forEach(function (i) { keep[i.id] = true; });
    noteCache.forEach(function (_, id) { if (!keep[id]) noteCache.delete(id); });
  }
  layoutWall(list, notes, pager, arrived);
  drawCloud(cloud, wordCloud(ideas));
  return function () { clearInterval(wall.timer); wall.timer = null; };
}

/** Fit the notes on the wall: bigger when few, smaller when many, then pages that turn. */
function layoutWall(list, notes, pager, arrived) {
  var previous = wall.index;
  wall.notes = notes;
  wall.pages = [[0, notes.length]];
  var scales = [1.35, 1.2, 1.08, 1, 0.92, 0.85, 0.8];
  for (var i = 0; i < scales.length; i++) {
    list.style.fontSize = scales[i] + "em";
    if (fits(list)) break;
  }
  if (!fits(list)) wall.pages = paginate(list, notes);
  if (wall.pages.length > 1) {
    // a new idea: show the page it is on (the last); otherwise stay where we were
    wall.index = arrived ? wall.pages.length - 1 : Math.min(previous, wall.pages.length - 1);
    showPage(pager);
    clearInterval(wall.timer);
    wall.timer = setInterval(function () {
      wall.index = (wall.index + 1) % wall.pages.length;
      showPage(pager);
    }, PAGE_SECONDS * 1000);
  } else {
    wall.index = 0;
    notes.forEach(function (n) { n.hidden = false; });
    pager.hidden = true;
  }
}

function paginate(list, notes) {
  var pages = [];
  var start = 0;
  var limit = list.clientHeight;
  while (start < notes.length) {
    notes.forEach(function (n, k) { n.hidden = k < start; });
    var end = start + 1;
    while (end < notes.length && notes[end].offsetTop + notes[end].offsetHeight <= limit + 1) end++;
    pages.push([start, end]);
    start = end;
  }
  return pages;
}

function showPage(pager) {
  var p = wall.pages[wall.index];
  wall.notes.forEach(function (n, k) { n.hidden = k < p[0] || k >= p[1]; });
  pager.hidden = false;
  pager.textContent = t("page_of", { n: wall.index + 1, total: wall.pages.length });
}

export function drawCloud(cloud, top) {
  if (!top.length) {
    cloud.appendChild(h("li", { class: "cloud-empty" }, t("cloud_empty")));
    return;
  }
  var max = top[0].weight, min = top[top.length - 1].weight;
  // biggest words in the middle, smaller ones around
  var arranged = [];
  top.forEach(function (w, k) { if (k % 2) arranged.unshift(w); else arranged.push(w); });
  var items = arranged.map(function (w) {
    var ratio = max === min ? 0.5 : Math.sqrt((w.weight - min) / (max - min));
    var li = h("li", { class: "cloud-word cloud-c" + (w.word.length % 4), dataset: { word: w.word, weight: String(w.weight) } },
      w.word, h("span", { class: "visually-hidden" }, " (" + t("cloud_count", { n: w.weight }) + ")"));
    li.style.fontSize = (0.9 + 2.1 * ratio).toFixed(2) + "em";
    cloud.appendChild(li);
    return { li: li, weight: w.weight };
  });
  // Drop the rarest words until the cloud fits.
  var order = items.slice().sort(function (a, b) { return a.weight - b.weight; });
  fit(cloud, [1, 0.9, 0.8, 0.7, 0.62], function () {
    var gone = order.shift();
    if (!gone || order.length < 3) return false;
    gone.li.remove();
    return true;
  });
}
