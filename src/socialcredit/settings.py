"""Typed settings, one place. Every setting can be overridden by an environment
variable ``SOCIALCREDIT_<NAME>`` (for example ``SOCIALCREDIT_WORKSPACE``).

>>> Settings(workspace="w").workspace.name
'w'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Settings of one run. Help text doubles as documentation (see README)."""

    model_config = SettingsConfigDict(env_prefix="SOCIALCREDIT_", extra="forbid")

    workspace: Path = Field(
        default=Path("socialcredit-workspace"),
        description="Folder holding everything a run writes: the records lake, "
        "rejection files, score history and summaries.",
    )
    engine: str | None = Field(
        default=None,
        description="Engine URL. Default: the embedded DuckDB file lake.duckdb in the "
        "workspace (duckdb://). duckdb:///path/to/file.duckdb picks another file.",
    )
    subject_key_secret: SecretStr | None = Field(
        default=None,
        description="Secret for the keyed HMAC-SHA256 that turns resident identity "
        "numbers into pseudonymous subject keys. Required outside demo workspaces; "
        "keep it in a secret store, never in the workspace.",
    )
    store: str | None = Field(
        default=None,
        description="Operational store URL: sqlite:///path (default: store.sqlite in the "
        "workspace) or postgresql://user@host/db for production.",
    )
    notice_working_days: int = Field(
        default=7,
        ge=0,
        description="Working days a negative record waits after it is reported before it "
        "counts, so that the person can see it and object first (7 in China for "
        "conduct-based restrictions); 0 lets records count at once.",
    )
    consent_required: bool = Field(
        default=True,
        description="Partners may read a person's score only with that person's recorded "
        "consent for that partner and purpose (China's 2013 credit-reporting regulation, "
        "PIPL); false where a permissible purpose alone suffices (US FCRA).",
    )
    dispute_deadline_days: int = Field(
        default=20,
        ge=1,
        description="Days a partner has to answer a dispute; unanswered disputes are then "
        "resolved in the person's favour (20 under China's 2013 credit-reporting "
        "regulation, 30 under the US FCRA).",
    )
    review_deadline_days: int = Field(
        default=30,
        ge=1,
        description="Days an operator has to answer a person's request for a human review "
        "of an adverse automated decision (one month, as for GDPR requests).",
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Engine worker threads. Default: all cores.",
    )
    memory_limit: str | None = Field(
        default=None,
        description="Engine memory limit, e.g. '4GB'. Default: the engine's own (80% of RAM).",
    )
