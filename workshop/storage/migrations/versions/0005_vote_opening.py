"""rounds remember whether the facilitator has opened the dot vote, and when it was opened and closed

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: on SQLite a batch copies the table and drops the old one,
    # and the drop cascades to every idea, theme and vote of the rounds (lost on upgrade).
    op.add_column("rounds", sa.Column("vote_open", sa.Boolean(), nullable=False, server_default=sa.text("false")))
    op.add_column("rounds", sa.Column("vote_opened_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("rounds", sa.Column("vote_closed_at", sa.DateTime(timezone=True), nullable=True))
    # A workshop upgraded in the middle of a vote keeps voting: before this
    # revision a define or converge phase was always open to votes.
    op.execute(sa.text("UPDATE rounds SET vote_open = true WHERE phase IN ('define', 'converge')"))


def downgrade() -> None:
    # In place, not as a batch: on SQLite a batch copies the table and drops the old one, which
    # cascades to every idea, theme and vote of the rounds (SQLite ≥ 3.35 drops a column in place).
    for column in ("vote_closed_at", "vote_opened_at", "vote_open"):
        op.execute(sa.text(f"ALTER TABLE rounds DROP COLUMN {column}"))
