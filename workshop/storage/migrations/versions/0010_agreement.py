"""agreement across groups: ``agreement_rounds`` (one per round) and one stance per participant per action in ``stances``

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement_rounds",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_agreement_rounds_round_id_rounds", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], name="fk_agreement_rounds_workshop_id_workshops", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", name="pk_agreement_rounds"),
    )
    op.create_index("ix_agreement_rounds_workshop_id", "agreement_rounds", ["workshop_id"])
    op.create_table(
        "stances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_stances_round_id_rounds", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], name="fk_stances_action_id_actions", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], name="fk_stances_participant_id_participants", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_stances"),
        sa.UniqueConstraint("action_id", "participant_id", name="uq_stances_action_id_participant_id"),
    )
    op.create_index("ix_stances_round_id", "stances", ["round_id"])
    op.create_index("ix_stances_participant_id", "stances", ["participant_id"])


def downgrade() -> None:
    op.drop_index("ix_stances_participant_id", table_name="stances")
    op.drop_index("ix_stances_round_id", table_name="stances")
    op.drop_table("stances")
    op.drop_index("ix_agreement_rounds_workshop_id", table_name="agreement_rounds")
    op.drop_table("agreement_rounds")
