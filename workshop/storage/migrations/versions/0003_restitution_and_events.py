"""public restitution (publication, action status history) and events (parallel ateliers, plenary)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("organiser_token", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("territory", sa.String(length=200), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("code", name=op.f("uq_events_code")),
        sa.UniqueConstraint("organiser_token", name=op.f("uq_events_organiser_token")),
    )
    with op.batch_alter_table("workshops") as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_workshops_event_id"), ["event_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_workshops_event_id_events"), "events", ["event_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], name=op.f("fk_action_updates_action_id_actions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates") as batch_op:
        batch_op.create_index(batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_updates") as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))
    op.drop_table("action_updates")
    with op.batch_alter_table("workshops") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_workshops_event_id_events"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_workshops_event_id"))
        batch_op.drop_column("event_id")
        batch_op.drop_column("published_at")
    op.drop_table("events")
