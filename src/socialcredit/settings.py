"""Typed settings, one place. Every setting can be overridden by an environment
variable ``SOCIALCREDIT_<NAME>`` (for example ``SOCIALCREDIT_WORKSPACE``).

>>> Settings(workspace="w").workspace.name
'w'
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from socialcredit.records.schema import FUTURE_ALLOWANCE_DAYS
from socialcredit.rights.profiles import PROFILES, ProfileName

__all__ = ["MIN_SECRET_BYTES", "Settings", "utc_now", "utc_today"]

#: The shortest subject-key secret accepted (256 bits, SHA-256's own strength).
MIN_SECRET_BYTES = 32


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
        "workspace (duckdb://). duckdb:///path/to/file.duckdb picks another file; "
        "spark://local[*] or spark://spark://host:7077 runs the batch pipeline on Apache "
        "Spark (pip install 'socialcredit[spark]', Java 17).",
    )
    subject_key_secret: SecretStr | None = Field(
        default=None,
        description="Secret for the keyed HMAC-SHA256 that turns resident identity "
        "numbers into pseudonymous subject keys, at least 32 bytes (UTF-8). Required "
        "outside demo workspaces; keep it in a secret store, never in the workspace.",
    )

    @field_validator("subject_key_secret")
    @classmethod
    def _long_enough(cls, secret: SecretStr | None) -> SecretStr | None:
        # Resident IDs are few and structured (about 10^11 plausible numbers): a short
        # secret is all that stands between a subject key and the person it keys.
        size = len(secret.get_secret_value().encode("utf-8")) if secret is not None else None
        if size is not None and size < MIN_SECRET_BYTES:
            raise ValueError(
                f"SOCIALCREDIT_SUBJECT_KEY_SECRET is {size} bytes; it must be at least "
                f"{MIN_SECRET_BYTES} bytes of randomness, for example the output of "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return secret

    store: str | None = Field(
        default=None,
        description="Operational store URL: sqlite:///path (default: store.sqlite in the "
        "workspace) or postgresql://user@host/db for production.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="The address where verifiers reach this service (scheme, host, port, "
        "path prefix). Certificates name their issuer and status list by it "
        "({public_url}/v1/certificates/issuer, .../status/N), so set it before issuing "
        "any: certificates issued under another address keep pointing there.",
    )
    profile: ProfileName = Field(
        default="cn",
        description="Jurisdiction profile: cn, eu or us. Sets the defaults of consent_required, "
        "legal_basis_required, dispute_deadline_days, notice_working_days and "
        "review_deadline_days (docs: socialcredit.rights.profiles); each can still be set.",
    )
    legal_basis_required: bool = Field(
        default=False,
        description="Partners state the legal basis of each query (GDPR Art. 6), which is "
        "recorded with it; a query on the basis of consent needs a recorded consent.",
    )
    notice_working_days: int = Field(
        default=7,
        ge=0,
        description="Working days a negative record waits after it is reported before it "
        "counts, so that the person can see it and object first; 0 lets records count at "
        "once. Profile default: cn 7, eu 0, us 0.",
    )
    consent_required: bool = Field(
        default=True,
        description="Partners may read a person's score only with that person's recorded "
        "consent for that partner and purpose (China's 2013 credit-reporting regulation, "
        "PIPL); false where a permissible purpose alone suffices (US FCRA). Profile "
        "default: cn true, eu false (a legal basis instead), us false.",
    )
    dispute_deadline_days: int = Field(
        default=20,
        ge=1,
        description="Days a partner has to answer a dispute; unanswered disputes are then "
        "resolved in the person's favour. Profile default: cn 20 (2013 credit-reporting "
        "regulation), eu 30 (GDPR Art. 12(3)), us 30 (FCRA 611).",
    )
    review_deadline_days: int = Field(
        default=30,
        ge=1,
        description="Days an operator has to answer a person's request for a human review "
        "of an adverse automated decision. Profile default: cn 15, eu 30, us 30.",
    )
    withdrawn_retention_days: int = Field(
        default=30,
        ge=0,
        description="Days records shared with consent (cash flow) are kept once the person "
        "withdraws the consent or it expires, before socialcredit erase --expired erases "
        "them; they stop counting at once. Profile default: 30 everywhere.",
    )

    @model_validator(mode="before")
    @classmethod
    def _profile_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        name = data.get("profile", "cn")
        profile = PROFILES.get(str(name))
        if profile is None:
            return data  # the field's own validation names the choices
        return profile.defaults() | data

    audit_key: Path | None = Field(
        default=None,
        description="The operator's Ed25519 private key (PEM) that signs anchors of the "
        "audit chain (socialcredit audit anchor); kept outside the workspace and the store, "
        "e.g. on the operator's machine or in a secret store. Make one with "
        "socialcredit audit keygen.",
    )
    audit_anchors: Path | None = Field(
        default=None,
        description="The append-only file of signed anchors of the audit chain (one JSON "
        "line each), best on other storage than the store; socialcredit audit verify "
        "checks the log against it.",
    )
    clock_allowance_days: int = Field(
        default=FUTURE_ALLOWANCE_DAYS,
        ge=0,
        description="Days a record's observed_date may be after the day its batch is "
        "received (a partner's clock or time zone ahead of ours); a record observed later "
        "is rejected by the rule observed_in_future.",
    )
    max_upload_bytes: int = Field(
        default=1 << 30,
        ge=1,
        description="Largest batch file, in bytes, a partner may POST to /v1/records/{category} "
        "(default 1 GiB). Uploads stream to the workspace's tmp/uploads as they arrive, never "
        "whole in memory; one that grows past this is refused (413) and its file removed.",
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Engine worker threads. Default: all cores.",
    )
    memory_limit: str | None = Field(
        default=None,
        description="Engine memory limit, e.g. '4GB'. Default: 40% of the machine's memory; "
        "beyond it the engine spills to the workspace's tmp folder.",
    )


def utc_now(*, whole_seconds: bool = False) -> dt.datetime:
    """The time now, in UTC without a time zone: how the lake and the store keep every
    time they record. ``whole_seconds`` drops the microseconds, for times a person reads
    (publication, disputes, audit entries); ordering within a second needs them.

    Every "now" of the platform comes from here; a test that needs another moment
    passes it explicitly where the function takes one.
    """
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0) if whole_seconds else moment


def utc_today() -> dt.date:
    """Today's date in UTC (the date of :func:`utc_now`)."""
    return utc_now().date()
