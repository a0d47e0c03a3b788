"""What participants and the projector may see.

The facilitator sees everything; everyone else gets views built by these
functions, both in snapshots and in broadcasts, so there is one definition
of "visible": no hidden, withdrawn or merged-away idea, no participant ids,
no tallies before they are revealed, nobody's token.
"""

from __future__ import annotations

from typing import Any

from . import phases
from .review import is_approved
from .voting import ranked_tally, round_ballots

#: what only the team sees: who wrote it, and what the abuse filter matched
PRIVATE_KEYS = ("participant_id", "flags")
ROUND_HEADER_KEYS = (
    "id",
    "position",
    "question",
    "phase",
    "timings",
    "tallies_revealed",
    "vote_open",
    "timer",
    "can",
    "tallies_visible",
)
#: the workshop facts anyone in the room may read (a whitelist: a new secret column stays private)
PUBLIC_WORKSHOP_KEYS = (
    "id",
    "code",
    "title",
    "territory",
    "date",
    "language",
    "description",
    "tags",
    "settings",
    "status",
    "show_qr",
    "published_at",
    "created_at",
)


def public_workshop(workshop: dict) -> dict:
    """The workshop facts anyone in the room may read (not the abuse filter's extra words: the team's business)."""
    out = {k: workshop[k] for k in PUBLIC_WORKSHOP_KEYS if k in workshop}
    if "settings" in out:
        out["settings"] = {k: v for k, v in out["settings"].items() if k != "abuse_words"}
    return out


def idea_is_public(idea: dict) -> bool:
    """Shown to the room: approved, not hidden, not withdrawn, not merged into another (the one definition)."""
    return not (idea["hidden"] or idea["withdrawn"] or idea["merged_into"]) and is_approved(idea)


def idea_counts(idea: dict) -> bool:
    """An idea that counts where it stands (lineage, participation): shown, merged or not."""
    return not (idea["hidden"] or idea["withdrawn"]) and is_approved(idea)


def public_idea(idea: dict) -> dict | None:
    """The idea as the room sees it, or None when it must not be shown."""
    if not idea_is_public(idea):
        return None
    return {k: v for k, v in idea.items() if k not in PRIVATE_KEYS}


def own_idea(idea: dict) -> dict:
    """The idea as its author sees it (even hidden: they are told it was hidden)."""
    return {**{k: v for k, v in idea.items() if k not in PRIVATE_KEYS}, "mine": True}


def phone_synthesis(phase: str, data: dict | None) -> dict | None:
    """A frozen synthesis as a phone needs it: what was decided, without every idea's text.

    The projector and the console get the whole synthesis; a phone shows the
    kept themes and the ranked actions, so it is not sent hundreds of ideas
    again each time it reconnects over the venue's Wi-Fi.
    """
    if data is None:
        return None
    if phase == "diverge":
        return {k: data.get(k) for k in ("question", "total_ideas", "contributions")}
    if phase == "define":
        keys = ("id", "rank", "title", "objective", "criteria", "kept", "dots", "voters")
        return {"question": data.get("question"), "themes": [{k: t.get(k) for k in keys} for t in data.get("themes", [])]}
    if phase == "converge":
        keys = ("id", "rank", "title", "status", "owner", "deadline", "dots", "voters")
        return {
            "question": data.get("question"),
            "actions": [
                {**{k: a.get(k) for k in keys}, "theme": {"id": a["theme"]["id"], "title": a["theme"]["title"]} if a.get("theme") else None}
                for a in data.get("actions", [])
            ],
        }
    return data


def public_action(action: dict) -> dict:
    """An action without what only the team sees (its author's id, the filter's flags)."""
    return {k: v for k, v in action.items() if k not in PRIVATE_KEYS}


def action_is_public(action: dict) -> bool:
    """Shown to the room: approved by the team (or never held)."""
    return is_approved(action)


def scribe_idea(idea: dict) -> dict:
    """A note typed for someone without a phone, as the team's scribe page lists it (with its review state)."""
    return {k: v for k, v in idea.items() if k not in PRIVATE_KEYS}


def tallies_visible(settings: dict, round_header: dict, kind: str) -> bool:
    """Tallies are public when live, once revealed, or once their vote has closed."""
    if settings["tallies"] == "live" or round_header["tallies_revealed"]:
        return True
    return phases.ORDER.index(round_header["phase"]) > phases.ORDER.index(phases.VOTE_KIND_PHASE[kind])


def hidden_tally(tally: dict) -> dict:
    """A tally as the room gets it while its results are hidden: no figures, no ranking."""
    return {**tally, "items": None, "ranking": None, "visible": False}


def round_rules(settings: dict, round_header: dict) -> dict:
    """What a round's pages must know to decide: what its phase allows and whether the room sees tallies."""
    return {
        "can": phases.capabilities(round_header["phase"], round_header.get("vote_open", False)),
        "tallies_visible": {kind: tallies_visible(settings, round_header, kind) for kind in phases.VOTE_KIND_PHASE},
    }


def round_tallies(round_full: dict, kind: str) -> tuple[list[dict], list[int]]:
    """A round's tally of one vote and its ranking (themes tie-break on the facilitator's order)."""
    order = {t["id"]: t["position"] for t in round_full["themes"]} if kind == "theme" else None
    return ranked_tally(round_ballots(round_full, kind), order)


def room_tallies(round_full: dict, visible: dict[str, bool]) -> dict[str, dict]:
    """``tallies`` and ``ranking`` of a round's votes, ``None`` where the viewer may not see them."""
    out: dict[str, dict] = {"tallies": {}, "ranking": {}}
    for kind in phases.VOTE_KIND_PHASE:
        items, ranking = round_tallies(round_full, kind) if visible[kind] else (None, None)
        out["tallies"][kind], out["ranking"][kind] = items, ranking
    return out


def public_snapshot(full: dict, role: str, participant_id: int | None) -> dict[str, Any]:
    """Reduce a full snapshot to what ``role`` (participant, screen, guest) may see."""
    settings = full["workshop"]["settings"]
    rounds = []
    me_votes: dict[int, dict] = {}
    for r in full["rounds"]:
        header = {k: r[k] for k in ROUND_HEADER_KEYS if k in r}
        if role == "guest":
            rounds.append(header)
            continue
        # A phone gets its own ideas only (the wall is on the projector): its
        # snapshot stays small however many ideas the room has written.
        ideas = []
        for idea in r["ideas"]:
            if participant_id is not None:
                if idea["participant_id"] == participant_id and not idea["merged_into"]:
                    ideas.append(own_idea(idea))
            elif role == "scribe":
                if idea["on_behalf"] and idea["participant_id"] is None:
                    ideas.append(scribe_idea(idea))
            elif (view := public_idea(idea)) is not None:
                ideas.append(view)
        header.update(
            ideas=ideas,
            themes=r["themes"],
            actions=[public_action(a) for a in r["actions"] if action_is_public(a)]
            + [
                public_action(a)
                for a in r["actions"]
                if not action_is_public(a)
                and (
                    (participant_id is not None and a["participant_id"] == participant_id)
                    or (role == "scribe" and a["participant_id"] is None)
                )
            ],
            **room_tallies(r, {kind: tallies_visible(settings, header, kind) for kind in phases.VOTE_KIND_PHASE}),
            syntheses=(
                {phase: phone_synthesis(phase, data) for phase, data in r["syntheses"].items()}
                if participant_id is not None
                else r["syntheses"]
            ),
        )
        rounds.append(header)
        if participant_id is not None:
            mine = [v for v in r["votes"] if v["participant_id"] == participant_id]
            me_votes[r["id"]] = {kind: {str(v["target_id"]): v["dots"] for v in mine if v["kind"] == kind} for kind in ("theme", "action")}
    out: dict[str, Any] = {
        "schema": full["schema"],
        "role": role,
        "workshop": public_workshop(full["workshop"]),
        "presence": full["presence"],
        "rounds": rounds,
    }
    if role == "screen":
        out["plan"] = full["plan"]
    if participant_id is not None:
        me = next((p for p in full["participants"] if p["id"] == participant_id), None)
        out["me"] = {
            "id": participant_id,
            "pseudonym": me["pseudonym"] if me else None,
            "group": me["group"] if me else None,
            "votes": me_votes,
            "budget": settings["dot_budget"],
            "cap": settings["dot_cap"],
        }
    return out
