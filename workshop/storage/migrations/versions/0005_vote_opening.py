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
    with op.batch_alter_table("rounds") as batch_op:
        batch_op.add_column(sa.Column("vote_open", sa.Boolean(), nullable=False, server_default=sa.text("false")))
        batch_op.add_column(sa.Column("vote_opened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("vote_closed_at", sa.DateTime(timezone=True), nullable=True))
    # A workshop upgraded in the middle of a vote keeps voting: before this
    # revision a define or converge phase was always open to votes.
    op.execute(sa.text("UPDATE rounds SET vote_open = true WHERE phase IN ('define', 'converge')"))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch_op:
        batch_op.drop_column("vote_closed_at")
        batch_op.drop_column("vote_opened_at")
        batch_op.drop_column("vote_open")
