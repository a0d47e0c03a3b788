"""Recreate a workshop from its JSON export (``workshop-export/1``).

The import is the other half of the archive: moving a workshop to another
server, restoring one, or replaying a past workshop as a demonstration.  It
recreates the same content — rounds and their phases, participants (with
their stakeholder group, and pseudonym when the file has them), ideas with
their moderation state, merges and themes, themes with objectives and
criteria, actions with their sheets, lineage and status history, votes, the
frozen syntheses and whether the public restitution is published — under new ids, a new join code, a new facilitator link and fresh
participant tokens (the old links never open the copy).  The action-plan
draft is rebuilt from the syntheses.

Everything happens in one transaction: a file that fails any check leaves
nothing behind and raises ``ValidationError("invalid_import", detail=…)``.
A raw ``workshop-snapshot/1`` (what ``/f/<token>/export.json`` served before
the export formats existed) is accepted too.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from datetime import date as dt_date
from typing import Any

from sqlalchemy import select

from .domain.settings import normalize_settings
from .domain.synthesis import build_action_plan
from .errors import ValidationError, WorkshopError
from .exports.json_export import SCHEMA_ID, SNAPSHOT_SCHEMA_ID, remap_synthesis, to_export, validate
from .services import new_code, workshop_view
from .storage.db import Database
from .storage.models import Action, ActionUpdate, Idea, Participant, Round, Synthesis, Theme, Vote, Workshop, utcnow


def _fail(detail: str) -> ValidationError:
    return ValidationError("invalid_import", detail=detail)


def _when(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        stamp = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise _fail(f"bad timestamp {value!r}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _unique_refs(items: list[dict], what: str) -> dict[int, dict]:
    by_ref: dict[int, dict] = {}
    for item in items:
        if item["ref"] in by_ref:
            raise _fail(f"duplicate {what} ref {item['ref']}")
        by_ref[item["ref"]] = item
    return by_ref


def check_references(data: dict) -> None:
    """Every ref points at an item of the right kind, in the same round, and merges are flat."""
    participants = _unique_refs(data["participants"], "participant")
    positions = [r["position"] for r in data["rounds"]]
    if len(set(positions)) != len(positions):
        raise _fail("duplicate round position")
    all_ideas: dict[int, dict] = {}
    all_themes: dict[int, dict] = {}
    all_actions: dict[int, dict] = {}
    for r in data["rounds"]:
        where = f"round {r['position']}"
        ideas = _unique_refs(r["ideas"], "idea")
        themes = _unique_refs(r["themes"], "theme")
        actions = _unique_refs(r["actions"], "action")
        for mine, everything, what in ((ideas, all_ideas, "idea"), (themes, all_themes, "theme"), (actions, all_actions, "action")):
            clash = mine.keys() & everything.keys()
            if clash:
                raise _fail(f"duplicate {what} ref {min(clash)}")
            everything.update(mine)
        for i in r["ideas"]:
            if i["participant"] is not None and i["participant"] not in participants:
                raise _fail(f"{where}: idea {i['ref']} refers to unknown participant {i['participant']}")
            if i["theme"] is not None and i["theme"] not in themes:
                raise _fail(f"{where}: idea {i['ref']} refers to theme {i['theme']} of no such round")
            target = i["merged_into"]
            if target is not None:
                if target not in ideas or target == i["ref"]:
                    raise _fail(f"{where}: idea {i['ref']} merged into unknown idea {target}")
                if ideas[target]["merged_into"] is not None:
                    raise _fail(f"{where}: idea {i['ref']} merged into idea {target}, itself merged")
        for a in r["actions"]:
            if a["theme"] not in themes:
                raise _fail(f"{where}: action {a['ref']} refers to theme {a['theme']} of no such round")
            if a["participant"] is not None and a["participant"] not in participants:
                raise _fail(f"{where}: action {a['ref']} refers to unknown participant {a['participant']}")
            unknown = [x for x in a["ideas"] if x not in ideas]
            if unknown:
                raise _fail(f"{where}: action {a['ref']} refers to unknown idea {unknown[0]}")
            for u in a.get("updates") or []:
                try:
                    dt_date.fromisoformat(u["date"])
                except ValueError:
                    raise _fail(f"{where}: action {a['ref']} has an update with a bad date {u['date']!r}") from None
        seen = set()
        for v in r["votes"]:
            targets = themes if v["kind"] == "theme" else actions
            if v["target"] not in targets:
                raise _fail(f"{where}: vote for unknown {v['kind']} {v['target']}")
            if v["participant"] not in participants:
                raise _fail(f"{where}: vote by unknown participant {v['participant']}")
            key = (v["participant"], v["kind"], v["target"])
            if key in seen:
                raise _fail(f"{where}: duplicate vote of participant {v['participant']} on {v['kind']} {v['target']}")
            seen.add(key)


def prepare(data: object) -> dict:
    """Check an uploaded document and return it as a valid ``workshop-export/1`` dict."""
    if not isinstance(data, dict):
        raise _fail("not a JSON object")
    schema = data.get("schema")
    if schema == SNAPSHOT_SCHEMA_ID:
        try:
            data = to_export(data, personal_data=True)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise _fail(f"malformed snapshot ({error.__class__.__name__}: {error})") from None
    elif schema != SCHEMA_ID:
        raise _fail(f"unsupported schema {schema!r} (expected {SCHEMA_ID!r})")
    errors = validate(data)
    if errors:
        raise _fail("; ".join(errors[:5]))
    if data["workshop"]["date"] is not None:
        try:
            dt_date.fromisoformat(data["workshop"]["date"])
        except ValueError:
            raise _fail(f"bad date {data['workshop']['date']!r}") from None
    try:
        settings = normalize_settings(data["workshop"]["settings"])
    except WorkshopError as error:
        raise _fail(f"bad settings ({error})") from None
    data = {**data, "workshop": {**data["workshop"], "settings": settings}}
    check_references(data)
    return data


def import_snapshot(db: Database, data: dict) -> dict[str, Any]:
    """Recreate the workshop described by ``data``; returns its view and new facilitator token."""
    data = prepare(data)
    src = data["workshop"]
    with db.transaction() as s:
        taken = set(s.scalars(select(Workshop.code)).all())
        w = Workshop(
            code=new_code(taken),
            facilitator_token=secrets.token_urlsafe(24),
            moderator_token=secrets.token_urlsafe(24),
            scribe_token=secrets.token_urlsafe(24),
            title=src["title"],
            territory=src["territory"],
            place=src.get("place") or "",
            facilitator=src.get("facilitator") or "",
            date=src["date"],
            language=src["language"],
            description=src["description"],
            tags=list(src["tags"]),
            settings=src["settings"],
            plan={},
            status=src["status"],
            published_at=_when(src["published_at"]) if src.get("published_at") else None,
            created_at=_when(src["created_at"]),
        )
        s.add(w)
        s.flush()

        rows = {
            p["ref"]: Participant(
                workshop_id=w.id,
                token=secrets.token_urlsafe(24),
                pseudonym=p["pseudonym"],
                group=p["group"],
                joined_at=_when(p["joined_at"]),
            )
            for p in data["participants"]
        }
        s.add_all(rows.values())
        s.flush()
        people = {ref: row.id for ref, row in rows.items()}

        ideas: dict[int, int] = {}
        themes: dict[int, int] = {}
        actions: dict[int, int] = {}
        round_rows: list[tuple[dict, Round]] = []
        for r in sorted(data["rounds"], key=lambda r: r["position"]):
            rr = Round(
                workshop_id=w.id,
                position=r["position"],
                question=r["question"],
                phase=r["phase"],
                timings=dict(r["timings"]),
                tallies_revealed=r["tallies_revealed"],
                vote_open=bool(r.get("vote_open", False)),
            )
            s.add(rr)
            s.flush()
            round_rows.append((r, rr))
            theme_rows = {
                t["ref"]: Theme(
                    round_id=rr.id,
                    title=t["title"],
                    objective=t["objective"],
                    criteria=list(t["criteria"]),
                    position=t["position"],
                    kept=t["kept"],
                )
                for t in r["themes"]
            }
            s.add_all(theme_rows.values())
            s.flush()
            themes.update({ref: row.id for ref, row in theme_rows.items()})
            idea_rows = {
                i["ref"]: Idea(
                    round_id=rr.id,
                    participant_id=people.get(i["participant"]) if i["participant"] is not None else None,
                    text=i["text"],
                    group=i["group"],
                    on_behalf=i["on_behalf"],
                    hidden=i["hidden"],
                    withdrawn=i["withdrawn"],
                    review=i.get("review", "approved"),
                    theme_id=themes[i["theme"]] if i["theme"] is not None else None,
                    created_at=_when(i["created_at"]),
                    updated_at=_when(i["updated_at"]),
                )
                for i in r["ideas"]
            }
            s.add_all(idea_rows.values())
            s.flush()
            ideas.update({ref: row.id for ref, row in idea_rows.items()})
            for i in r["ideas"]:  # merges point at ideas that now exist
                if i["merged_into"] is not None:
                    idea_rows[i["ref"]].merged_into_id = ideas[i["merged_into"]]
            s.flush()
            action_rows = {
                a["ref"]: Action(
                    round_id=rr.id,
                    theme_id=themes[a["theme"]],
                    participant_id=people.get(a["participant"]) if a["participant"] is not None else None,
                    title=a["title"],
                    description=a["description"],
                    owner=a["owner"],
                    partners=list(a["partners"]),
                    deadline=a["deadline"],
                    resources=a["resources"],
                    indicators=list(a["indicators"]),
                    status=a["status"],
                    idea_ids=[ideas[x] for x in a["ideas"]],
                    review=a.get("review", "approved"),
                    created_at=_when(a["created_at"]),
                )
                for a in r["actions"]
            }
            s.add_all(action_rows.values())
            s.flush()
            actions.update({ref: row.id for ref, row in action_rows.items()})
            for a in r["actions"]:
                for u in a.get("updates") or []:
                    s.add(
                        ActionUpdate(
                            action_id=action_rows[a["ref"]].id,
                            status=u["status"],
                            date=u["date"],
                            comment=u["comment"],
                            created_at=_when(u.get("created_at")),
                        )
                    )
            for v in r["votes"]:
                target = themes[v["target"]] if v["kind"] == "theme" else actions[v["target"]]
                s.add(Vote(round_id=rr.id, participant_id=people[v["participant"]], kind=v["kind"], target_id=target, dots=v["dots"]))
            s.flush()

        syntheses: dict[int, dict] = {}
        for r, rr in round_rows:
            for phase, frozen in r["syntheses"].items():
                remapped = remap_synthesis(phase, frozen, ideas, themes, actions)
                s.add(Synthesis(round_id=rr.id, phase=phase, data=remapped))
                syntheses.setdefault(rr.id, {})[phase] = remapped
        s.flush()
        w.plan = build_action_plan(
            workshop_view(w),
            [
                {"position": rr.position, "question": rr.question, "phase": rr.phase, "syntheses": syntheses.get(rr.id, {})}
                for _, rr in round_rows
            ],
        )
        s.flush()
        return {"workshop": workshop_view(w), "facilitator_token": w.facilitator_token}


__all__ = ["import_snapshot", "prepare", "check_references"]
