"""workshops say where they took place and who facilitated them (shown on the documents' cover)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (a batch would copy the table and cascade the drop of the old one to every round).
    op.add_column("workshops", sa.Column("place", sa.String(200), nullable=False, server_default=""))
    op.add_column("workshops", sa.Column("facilitator", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    # Not a batch (copy-and-move) on SQLite: dropping the old workshops table would cascade to
    # every round, idea and vote.  SQLite ≥ 3.35 drops a plain column in place, as PostgreSQL does.
    op.execute(sa.text("ALTER TABLE workshops DROP COLUMN facilitator"))
    op.execute(sa.text("ALTER TABLE workshops DROP COLUMN place"))
