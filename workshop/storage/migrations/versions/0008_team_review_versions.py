"""a team runs the room: moderator and scribe links, the review of ideas and actions, sheet versions

- ``workshops.moderator_token`` and ``workshops.scribe_token``: each role's secret, revocable link
  (null: revoked); existing workshops get fresh ones;
- ``ideas.review`` / ``actions.review``: ``approved`` (shown), ``pending`` (in the moderators'
  inbox: the approval queue, or held by the abuse filter) or ``rejected``; ``flags``: the spans
  the abuse filter matched, for the moderators' highlight;
- ``actions.version`` / ``themes.version``: moved by every edit, so a console saving a sheet
  another console changed meanwhile is told instead of overwriting it (compare-and-set).

Revision ID: 0008
Revises: 0007
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (a batch would copy the table and cascade the drop of the old one); the
    # tokens' uniqueness is an index (SQLite cannot add a UNIQUE column).
    op.add_column("workshops", sa.Column("moderator_token", sa.String(64), nullable=True))
    op.add_column("workshops", sa.Column("scribe_token", sa.String(64), nullable=True))
    conn = op.get_bind()
    for (wid,) in conn.execute(sa.text("SELECT id FROM workshops")).all():
        conn.execute(
            sa.text("UPDATE workshops SET moderator_token = :m, scribe_token = :e WHERE id = :w"),
            {"m": secrets.token_urlsafe(24), "e": secrets.token_urlsafe(24), "w": wid},
        )
    op.create_index("uq_workshops_moderator_token", "workshops", ["moderator_token"], unique=True)
    op.create_index("uq_workshops_scribe_token", "workshops", ["scribe_token"], unique=True)
    for table in ("ideas", "actions"):
        op.add_column(table, sa.Column("review", sa.String(10), nullable=False, server_default="approved"))
        op.add_column(table, sa.Column("flags", sa.JSON(), nullable=True))
    op.add_column("actions", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("themes", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    # SQLite ≥ 3.35 drops a plain column in place, as PostgreSQL does (no copy, no cascade).
    op.execute(sa.text("ALTER TABLE themes DROP COLUMN version"))
    op.execute(sa.text("ALTER TABLE actions DROP COLUMN version"))
    for table in ("actions", "ideas"):
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN flags"))
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN review"))
    op.drop_index("uq_workshops_scribe_token", table_name="workshops")
    op.drop_index("uq_workshops_moderator_token", table_name="workshops")
    op.execute(sa.text("ALTER TABLE workshops DROP COLUMN scribe_token"))
    op.execute(sa.text("ALTER TABLE workshops DROP COLUMN moderator_token"))
