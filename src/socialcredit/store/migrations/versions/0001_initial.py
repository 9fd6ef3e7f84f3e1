"""Initial store: partners, credentials, published scores, disputes, audit log, API batches.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("partner_id", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("credential_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("partner_id", sa.String(63), sa.ForeignKey("partners.partner_id")),
        sa.Column("subject_key", sa.String(64)),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime()),
    )
    op.create_index("ix_credentials_key_hash", "credentials", ["key_hash"], unique=True)
    op.create_index("ix_credentials_subject_key", "credentials", ["subject_key"])
    op.create_table(
        "published_scores",
        sa.Column("subject_key", sa.String(64), primary_key=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("subscores", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("scorecard_version", sa.String(100), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "disputes",
        sa.Column("dispute_id", sa.String(32), primary_key=True),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(63), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime()),
        sa.Column("resolution", sa.Text()),
    )
    op.create_index("ix_disputes_subject_key", "disputes", ["subject_key"])
    op.create_index("ix_disputes_partner_id", "disputes", ["partner_id"])
    op.create_index("ix_disputes_status", "disputes", ["status"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("actor_kind", sa.String(10), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("subject_key", sa.String(64)),
        sa.Column("purpose", sa.String(50)),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_subject_key", "audit_log", ["subject_key"])
    op.create_table(
        "audit_head",
        sa.Column("head_id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.execute(
        "INSERT INTO audit_head (head_id, seq, entry_hash) VALUES (1, 0, '" + "0" * 64 + "')"
    )
    op.create_table(
        "api_batches",
        sa.Column("partner_id", sa.String(63), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_api_batches_batch_id", "api_batches", ["batch_id"])


def downgrade() -> None:
    for table in (
        "api_batches",
        "audit_head",
        "audit_log",
        "disputes",
        "published_scores",
        "credentials",
        "partners",
    ):
        op.drop_table(table)
