"""the hot paths' indexes: operations by lane (votes, joins, the rest) and ideas by author

``operations.lane`` tells the real-time writes (``vote``, ``join``) from the
ones that change what a snapshot shows (null): the snapshot cache keys its
shared part on the latest of the latter, found by one index lookup.  Ideas
by author serve the flood check of every idea posted.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operations") as batch_op:
        batch_op.add_column(sa.Column("lane", sa.String(length=8), nullable=True))
    # Operations recorded before this revision: votes and joins are told by the use case they answered.
    op.execute(sa.text("UPDATE operations SET lane = event WHERE event IN ('vote', 'join')"))
    op.create_index("ix_operations_lane", "operations", ["workshop_id", "lane", "id"])
    op.create_index("ix_ideas_participant", "ideas", ["participant_id"])


def downgrade() -> None:
    op.drop_index("ix_ideas_participant", table_name="ideas")
    op.drop_index("ix_operations_lane", table_name="operations")
    with op.batch_alter_table("operations") as batch_op:
        batch_op.drop_column("lane")
