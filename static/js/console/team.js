/* team.js — the "Team" tab (facilitator only): the moderator's and scribe's secret links, each with its QR code to
 * hand to a helper's phone, made anew or revoked (`team.link`). The links come from the server (page.team, then the
 * `team` broadcast); the page never builds a link itself. */
import { h, t, page, $, replace } from "../lib/dom.js";
import { send, ignore, notify } from "./state.js";
import { confirmDialog } from "./dialogs.js";

const ROLES = ["moderator", "scribe"];
let links = {};

/** The links as the server last said (snapshot.team or a `team` broadcast: tokens, or null when revoked). */
export function setTeam(tokens) {
  if (!tokens) return;
  const next = {};
  ROLES.forEach((role) => {
    const token = tokens[role];
    next[role] = token ? {
      url: page.team_url[role] + token,
      qr_url: page.team_qr[role] + "?v=" + encodeURIComponent(token.slice(0, 6))
    } : null;
  });
  links = next;
  renderTeam();
}

function change(role, revoke) {
  const title = revoke ? t("team_revoke_title_" + role) : t("team_new_title_" + role);
  confirmDialog(title, t("team_change_text"), revoke ? t("team_revoke") : t("team_new")).then((ok) => {
    if (!ok) return;
    send("team.link", { role: role, revoke: revoke }).then((data) => {
      setTeam(data.links);
      notify(revoke ? t("team_revoked") : t("team_made"), "ok");
    }).catch(ignore);
  });
}

function card(role) {
  const link = links[role];
  const headId = "team-" + role + "-heading";
  const urlId = "team-" + role + "-url";
  const body = link
    ? [
        h("img", { class: "team-qr", src: link.qr_url, alt: t("team_qr_alt_" + role), width: "160", height: "160" }),
        h("div", { class: "team-link" },
          h("label", { for: urlId, class: "label" }, t("team_link_label")),
          h("input", { id: urlId, class: "team-url", readonly: true, value: link.url, "data-key": urlId }),
          h("div", { class: "form-buttons" },
            h("button", { type: "button", class: "small", "data-key": "team-copy-" + role, onclick: () => copy(urlId) }, t("team_copy")),
            h("button", { type: "button", class: "small", "data-key": "team-new-" + role, onclick: () => change(role, false) }, t("team_new")),
            h("button", { type: "button", class: "small danger", "data-key": "team-revoke-" + role, onclick: () => change(role, true) }, t("team_revoke"))))
      ]
    : [h("p", { class: "team-off" }, t("team_none")),
       h("button", { type: "button", class: "primary", "data-key": "team-new-" + role, onclick: () => change(role, false) }, t("team_new"))];
  return h("section", { class: "card team-card", "data-team-role": role, "aria-labelledby": headId },
    h("h3", { id: headId }, t("team_title_" + role)),
    h("p", { class: "hint" }, t("team_does_" + role)),
    h("div", { class: "team-body" }, body));
}

function copy(id) {
  const field = $(id);
  field.select();
  const done = () => notify(t("team_copied"), "ok");
  if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
  else { document.execCommand("copy"); done(); }
}

setTeam(page.team);

export function renderTeam() {
  const body = $("team-body");
  if (body) replace(body, ROLES.map(card));
}
