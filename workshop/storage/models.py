"""Database models (SQLAlchemy 2.x, typed).

The schema is owned by the Alembic migrations in ``migrations/``; these
classes must stay in step with them (a test compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Event(Base):
    """Workshops held together (parallel ateliers of one day) that meet in a plenary."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # public: the plenary screen's address
    organiser_token: Mapped[str] = mapped_column(String(64), unique=True)  # secret: manages the event
    title: Mapped[str] = mapped_column(String(200))
    territory: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Workshop(Base):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    facilitator_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: the team's secret links (null: revoked until the facilitator makes a new one)
    moderator_token: Mapped[str | None] = mapped_column(String(64))
    scribe_token: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    territory: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")  # the hall, the address
    facilitator: Mapped[str] = mapped_column(String(200), default="", server_default="")  # who ran it, for the cover
    date: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    plan: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the action-plan draft
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | archived
    show_qr: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # big QR on the projector
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # public restitution page (opt-in)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    rounds: Mapped[list[Round]] = relationship(back_populates="workshop", order_by="Round.position", passive_deletes=True)


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("workshop_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    phase: Mapped[str] = mapped_column(String(10), default="lobby")
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tallies_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    timer_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timer_seconds: Mapped[int | None] = mapped_column(Integer)
    #: the dot vote of define/converge: closed until the facilitator opens it, closed again at each phase change
    vote_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    vote_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # first opening in this phase
    vote_closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last closing in this phase

    workshop: Mapped[Workshop] = relationship(back_populates="rounds")


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    pseudonym: Mapped[str | None] = mapped_column(String(40))
    group: Mapped[str | None] = mapped_column(String(40))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Theme(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kept: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    round: Mapped[Round] = relationship()


class Idea(Base):
    __tablename__ = "ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    group: Mapped[str | None] = mapped_column(String(40))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    #: approved (shown) | pending (in the moderators' inbox) | rejected
    review: Mapped[str] = mapped_column(String(10), default="approved", server_default="approved")
    flags: Mapped[dict[str, Any] | None] = mapped_column()  # the abuse filter's matched spans, per field: {"text": [[start, end], …]}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    round: Mapped[Round] = relationship()
    author: Mapped[Participant | None] = relationship()


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    partners: Mapped[list[Any]] = mapped_column(default=list)
    deadline: Mapped[str] = mapped_column(String(40), default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    indicators: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    idea_ids: Mapped[list[Any]] = mapped_column(default=list)
    review: Mapped[str] = mapped_column(String(10), default="approved", server_default="approved")
    flags: Mapped[dict[str, Any] | None] = mapped_column()
    #: moved by every change of the sheet: a save naming an older version is a conflict
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    round: Mapped[Round] = relationship()
    theme: Mapped[Theme] = relationship()


class ActionUpdate(Base):
    """What became of an action after the workshop: one dated status change, with a comment."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # planned | in_progress | done | abandoned
    date: Mapped[str] = mapped_column(String(10))  # ISO day the change happened
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("participant_id", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # theme | action
    target_id: Mapped[int] = mapped_column(Integer)
    dots: Mapped[int] = mapped_column(Integer, default=0)


class Synthesis(Base):
    """The frozen record of a closed phase."""

    __tablename__ = "syntheses"
    __table_args__ = (UniqueConstraint("round_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(10))
    data: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Operation(Base):
    """A client operation id already applied, with the result it was answered.

    Written in the same transaction as the change it records, so a retried
    write gets the first answer back and never creates a second row.
    """

    __tablename__ = "operations"
    __table_args__ = (UniqueConstraint("workshop_id", "actor", "op_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(40))
    op_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[str | None] = mapped_column(String(40))  # the use case it answered (null: recorded before 0004)
    #: ``vote`` or ``join`` for the real-time writes; null for the ones that change what a snapshot shows
    lane: Mapped[str | None] = mapped_column(String(8))
    result: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Poll(Base):
    """A quick poll of the room (issue 15): asked alongside whatever phase the round is in."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))  # the round running when it was created
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # single | multiple | scale | agree | word
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(default=list)  # [{value, label}]
    max_choices: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="draft")  # draft | open | closed
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: where it comes from in the plan ("" for the console's; "evaluation" for the end-of-workshop questionnaire)
    section: Mapped[str] = mapped_column(String(20), default="", server_default="")
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PollAnswer(Base):
    """One participant's answer to a poll (changing it replaces it)."""

    __tablename__ = "poll_answers"
    __table_args__ = (UniqueConstraint("poll_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    choices: Mapped[list[Any]] = mapped_column(default=list)  # option values
    text: Mapped[str | None] = mapped_column(String(40))  # a word poll's answer
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AgreementRound(Base):
    """A round's agree/disagree round on its actions (issue 15, part 3): opened, closed and revealed by the facilitator."""

    __tablename__ = "agreement_rounds"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    open: Mapped[bool] = mapped_column(Boolean, default=False)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Stance(Base):
    """One participant's stance on one action: agree, neutral or disagree (changing it replaces it)."""

    __tablename__ = "stances"
    __table_args__ = (UniqueConstraint("action_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    stance: Mapped[str] = mapped_column(String(10))  # agree | neutral | disagree
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


Index("ix_ideas_theme", Idea.theme_id)
Index("uq_workshops_moderator_token", Workshop.moderator_token, unique=True)
Index("uq_workshops_scribe_token", Workshop.scribe_token, unique=True)
Index("ix_votes_round_kind", Vote.round_id, Vote.kind)
Index("ix_operations_lane", Operation.workshop_id, Operation.lane, Operation.id)
Index("ix_ideas_participant", Idea.participant_id)
