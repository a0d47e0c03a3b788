/* dom.js — page data, translations (with plurals) and a tiny DOM builder, for every page. */

function readJSON(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : {};
}

/** What the template put in <script id="page-data">: strings, lang, codes, urls. */
export const page = readJSON("page-data");
const STRINGS = page.strings || {};
let rules = null;
try { rules = new Intl.PluralRules(page.lang_tag || page.lang || "fr"); } catch (e) { rules = null; }

/** Translated string by key; %(name)s placeholders filled from params. */
export function t(key, params) {
  let s = STRINGS[key];
  if (typeof s !== "string") s = key;
  return fill(s, params);
}

function fill(s, params) {
  if (!params) return s;
  return s.replace(/%\((\w+)\)s/g, (_, name) => (params[name] === undefined ? "" : String(params[name])));
}

/** The CLDR plural category of n in the page's language (fr: 0 and 1 are "one"; ar: zero, one, two, few, many, other). */
export function pluralCategory(n) {
  if (rules) return rules.select(n);
  return n === 0 || n === 1 ? "one" : "other";
}

/** A plural string: the template gives `{one: "%(n)s idée", other: "%(n)s idées", …}` (web/i18n.py plural_forms, one
 *  sentence per category of the language, from the catalogue's ngettext); Intl.PluralRules picks one. */
export function plural(base, n, params) {
  const forms = STRINGS[base];
  const values = Object.assign({ n: n }, params || {});
  if (!forms || typeof forms !== "object") return fill(base, values);
  const s = forms[pluralCategory(n)] || forms.other || forms.one || base;
  return fill(s, values);
}

/** h("button", {class: "x", onclick: fn}, "text", child). Text is never parsed as HTML. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach((k) => {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.slice(0, 2) === "on" && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k === "dataset") Object.keys(v).forEach((d) => { el.dataset[d] = v[d]; });
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, v);
    });
  }
  children.forEach((c) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach((x) => { if (x) el.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
    else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  });
  return el;
}

export function $(id) { return document.getElementById(id); }

/** Empty el and put children in. */
export function replace(el, children) {
  while (el.firstChild) el.removeChild(el.firstChild);
  (Array.isArray(children) ? children : [children]).forEach((c) => { if (c) el.appendChild(c); });
}

/** Run fn once the document is parsed (modules are deferred: usually at once). */
export function ready(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

export function storage() {
  try { return window.localStorage; } catch (e) { return null; }
}
