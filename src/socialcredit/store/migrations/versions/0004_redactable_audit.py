"""A redactable audit chain: each entry's personal part (subject_key, purpose,
detail) is hashed with a random per-entry salt into ``personal_digest``, and the
chain covers the digest instead of the personal fields, so erasing a person can
null those fields (and the salt) without breaking verification.

Entries written before this migration keep the hash they were written with (the
personal fields inside the chained JSON) and are still verified that way. Which
formula applies is decided by position, not by the entry's own columns: this
migration records the head's seq in ``audit_head.legacy_seq``, and every entry
at or below it is an old-format entry; every later entry must carry a digest.
Deciding by position means nobody can make a new entry look old (and so escape
recomputation) by nulling its salt and digest.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("salt", sa.String(32)))
        batch.add_column(sa.Column("personal_digest", sa.String(64)))
        batch.add_column(sa.Column("erased_at", sa.DateTime()))
        batch.alter_column("detail", existing_type=sa.JSON(), nullable=True)
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(
            sa.Column("legacy_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute("UPDATE audit_head SET legacy_seq = seq")


def downgrade() -> None:
    # Redacted entries have no personal part to put back: refuse rather than
    # leave a chain the old code cannot verify.
    bind = op.get_bind()
    if bind.execute(
        sa.text("SELECT count(*) FROM audit_log WHERE seq > (SELECT legacy_seq FROM audit_head)")
    ).scalar():
        raise RuntimeError(
            "audit entries were written in the salted format (0004); the old format cannot "
            "verify them, so this migration cannot be undone"
        )
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("legacy_seq")
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("detail", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("erased_at")
        batch.drop_column("personal_digest")
        batch.drop_column("salt")
