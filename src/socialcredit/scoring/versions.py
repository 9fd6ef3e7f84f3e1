"""The registry of scorecard versions a lake has used, and the live one.

A version, once used, never changes content: a changed scorecard gets a new
version. Publishing a scorecard makes it what ``score`` uses by default.
"""

from __future__ import annotations

from typing import Any

from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError, SpecError
from socialcredit.features import DIMENSIONS, FEATURES
from socialcredit.records import CATEGORIES
from socialcredit.scorecard import ScorecardSpec
from socialcredit.settings import utc_now

__all__ = [
    "ensure_consented",
    "live_scorecard",
    "publish_scorecard",
    "register_scorecard",
    "stored_scorecard",
]


def ensure_consented(spec: ScorecardSpec) -> None:
    """Refuse a scorecard that reads data a person shares only with consent (cash flow)
    without marking the feature ``consented``: not sharing would then move the score."""
    unmarked = [
        f.name
        for f in spec.features
        if f.column in FEATURES
        and CATEGORIES[FEATURES[f.column].category].consent
        and not f.consented
    ]
    if unmarked:
        raise SpecError(
            f"scorecard {spec.version} reads data shared only with consent "
            f"({', '.join(unmarked)}) without marking it consented; not sharing would move "
            "the score. Mark those features consented (missing_points 0) or leave them out"
        )


def register_scorecard(engine: Engine, spec: ScorecardSpec) -> None:
    """Keep every scorecard version used, once; a version never changes content."""
    text = spec.to_json()
    known = engine.scalar(
        "scorecard", "SELECT spec_json FROM scorecards WHERE version = ?", [spec.version]
    )
    if known is None:
        engine.execute(
            "scorecard",
            "INSERT INTO scorecards VALUES (?, ?, ?)",
            [spec.version, text, utc_now()],
        )
    elif known != text:
        raise SpecError(
            f"scorecard version {spec.version!r} was already used with different content; "
            "published versions are immutable, give the changed scorecard a new version"
        )


def stored_scorecard(engine: Engine, version: str) -> ScorecardSpec:
    """The scorecard a run used, as it was then."""
    text = engine.scalar(
        "scorecard", "SELECT spec_json FROM scorecards WHERE version = ?", [version]
    )
    if text is None:
        raise NotFoundError(f"scorecard version {version!r} is not in this workspace")
    return ScorecardSpec.from_json(text)


def publish_scorecard(engine: Engine, spec: ScorecardSpec) -> dict[str, Any]:
    """Make ``spec`` the live scorecard of this lake (what ``score`` uses by default)."""
    spec.ensure_fair()
    ensure_consented(spec)
    unreadable = [f.column for f in spec.features if f.column not in FEATURES]
    if unreadable:
        raise SpecError(
            f"scorecard {spec.version} reads column(s) {', '.join(unreadable)} that the "
            "platform does not compute; train on `socialcredit model dataset` output to get "
            f"a scorecard over the platform's features ({', '.join(FEATURES)})"
        )
    unknown = [d for d in spec.dimensions if d not in DIMENSIONS]
    if unknown:
        raise SpecError(
            f"scorecard {spec.version} uses dimension(s) {', '.join(unknown)}; known: "
            f"{', '.join(DIMENSIONS)} (map columns with --dimension-map when training)"
        )
    published = utc_now()
    with engine.transaction():
        register_scorecard(engine, spec)
        engine.execute(
            "publish", "INSERT INTO scorecard_live VALUES (?, ?)", [spec.version, published]
        )
    return {
        "version": spec.version,
        "published_at": published.isoformat(),
        "features": [f.name for f in spec.features],
    }


def live_scorecard(engine: Engine) -> ScorecardSpec | None:
    """The most recently published scorecard, if any was published."""
    version = engine.scalar(
        "live scorecard", "SELECT version FROM scorecard_live ORDER BY published_at DESC LIMIT 1"
    )
    return None if version is None else stored_scorecard(engine, str(version))
