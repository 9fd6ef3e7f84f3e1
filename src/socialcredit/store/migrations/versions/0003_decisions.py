"""Credit decisions: policy versions, decisions as answered, human reviews.

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
        "credit_policies",
        sa.Column("version", sa.String(100), primary_key=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(32), nullable=False),
    )
    op.create_index("ix_credit_policies_live", "credit_policies", ["live"])
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.String(32), primary_key=True),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(63), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("purpose", sa.String(50), nullable=False),
        sa.Column("legal_basis", sa.String(30)),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("adverse", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer()),
        sa.Column("tier", sa.String(20)),
        sa.Column("scorecard_version", sa.String(100)),
        sa.Column("run_id", sa.String(32)),
        sa.Column("policy_version", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_decisions_subject_key", "decisions", ["subject_key"])
    op.create_index("ix_decisions_partner_id", "decisions", ["partner_id"])
    op.create_table(
        "reviews",
        sa.Column("review_id", sa.String(32), primary_key=True),
        sa.Column(
            "decision_id", sa.String(32), sa.ForeignKey("decisions.decision_id"), nullable=False
        ),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(63), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime()),
        sa.Column("resolved_by", sa.String(32)),
        sa.Column("resolution", sa.Text()),
    )
    op.create_index("ix_reviews_decision_id", "reviews", ["decision_id"], unique=True)
    op.create_index("ix_reviews_subject_key", "reviews", ["subject_key"])
    op.create_index("ix_reviews_partner_id", "reviews", ["partner_id"])
    op.create_index("ix_reviews_status", "reviews", ["status"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("decisions")
    op.drop_table("credit_policies")
