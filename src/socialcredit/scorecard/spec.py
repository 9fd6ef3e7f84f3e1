"""The scorecard spec: a versioned, serialisable, engine-free description of
features -> bins -> points, grouped by dimension, with PDO scaling.

A numeric feature has ascending ``edges``; bin i holds edges[i-1] <= x < edges[i],
so there is one more point value than edges. A categorical feature has groups
of categories, each with points, and ``other_points`` for anything else. Every
feature has ``missing_points`` for no value. The score is
clip(base_points + sum of feature points). Specs round-trip through JSON exactly.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

from socialcredit.errors import SpecError
from socialcredit.records.forbidden import ensure_allowed
from socialcredit.scorecard.scaling import Scaling

__all__ = [
    "FORMAT",
    "PROTECTED",
    "CategoryGroup",
    "FairnessRecord",
    "FeatureSpec",
    "FrontierPoint",
    "ScoreBand",
    "ScorecardSpec",
    "Training",
    "load_spec",
    "protected_term",
]

FORMAT: Final = "socialcredit.scorecard/1"

#: Words naming protected attributes: kept (where derived from the resident ID) for
#: fairness monitoring only. A scorecard using them may be studied but never score people.
PROTECTED = (
    "birth",
    "birth_year",
    "age",
    "sex",
    "gender",
    "marital",
    "region",
    "province",
    "foreign",
    "citizenship",
)


def protected_term(name: str) -> str | None:
    """The protected attribute a feature or column name refers to, if any.

    >>> protected_term("age_in_years"), protected_term("mortgage_amount")
    ('age', None)
    """
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    terms = ["_".join(pair) for pair in itertools.pairwise(words)] + words
    return next((t for t in terms if t in PROTECTED), None)


class CategoryGroup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    values: tuple[str, ...]
    points: int


class FeatureSpec(BaseModel):
    """One feature's bins and points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    dimension: str
    kind: Literal["numeric", "categorical"] = "numeric"
    edges: tuple[float, ...] = ()
    points: tuple[int, ...] = ()
    groups: tuple[CategoryGroup, ...] = ()
    other_points: int = 0
    missing_points: int = 0
    label: str = ""
    #: column the feature reads when it differs from ``name`` (trained on outside data)
    source: str | None = None
    #: whether a person can change it (history length and tenure cannot)
    actionable: bool = True
    #: read from data the person chooses to share (cash flow): no value is worth 0
    #: points (``missing_points`` must be 0) and is never a reason or an advised
    #: change, so that not sharing costs nothing and explains nothing
    consented: bool = False

    @property
    def column(self) -> str:
        return self.source or self.name

    @model_serializer(mode="wrap")
    def _serialise(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``consented`` is written only when set, so that a spec saved before it
        existed serialises as it did (versions compare their JSON)."""
        data: dict[str, Any] = handler(self)
        if not self.consented:
            data.pop("consented", None)
        return data

    @model_validator(mode="after")
    def _shape(self) -> FeatureSpec:
        if self.kind == "numeric":
            if len(self.points) != len(self.edges) + 1:
                raise ValueError(
                    f"feature {self.name}: {len(self.edges)} edges need "
                    f"{len(self.edges) + 1} points, got {len(self.points)}"
                )
            if list(self.edges) != sorted(set(self.edges)):
                raise ValueError(f"feature {self.name}: edges must be strictly ascending")
        elif not self.groups:
            raise ValueError(f"categorical feature {self.name} needs at least one group")
        if self.consented and self.missing_points != 0:
            raise ValueError(
                f"feature {self.name} reads consented data, so no value must be worth 0 "
                f"points (not sharing costs nothing), not {self.missing_points}"
            )
        return self

    def all_points(self) -> list[int]:
        values = [self.missing_points]
        if self.kind == "numeric":
            values += list(self.points)
        else:
            values += [g.points for g in self.groups] + [self.other_points]
        return values

    @property
    def best(self) -> int:
        return max(self.all_points())

    @property
    def worst(self) -> int:
        return min(self.all_points())


class ScoreBand(BaseModel):
    """Share of a population in a score band (for population stability)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: int
    high: int
    share: float


class Training(BaseModel):
    """What a trained scorecard was fitted on, for monitoring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rows: int
    bad_rate: float
    target: str
    auc: float
    penalty: float
    bands: tuple[ScoreBand, ...]
    excluded: dict[str, str] = {}


class FrontierPoint(BaseModel):
    """One scorecard the search for a less discriminatory alternative measured."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    auc: float
    #: lowest adverse impact ratio whose gap is significant (1.0: no significant gap)
    worst_ratio: float
    passes: bool
    on_frontier: bool


class FairnessRecord(BaseModel):
    """How a scorecard was chosen from the frontier of accuracy against adverse impact
    (:mod:`socialcredit.scorecard.lda`): kept with it, for whoever reviews it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: str = Field(description="The scorecard searched from")
    attributes: tuple[str, ...]
    cutoffs: tuple[int, ...]
    min_air: float
    auc_measure: Literal["cross-validated", "all rows"]
    seed: int
    chosen: str
    frontier: tuple[FrontierPoint, ...]


class ScorecardSpec(BaseModel):
    """A whole scorecard."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["socialcredit.scorecard/1"] = FORMAT
    version: str = Field(min_length=1)
    description: str = ""
    scaling: Scaling = Scaling()
    base_points: int
    dimensions: tuple[str, ...]
    features: tuple[FeatureSpec, ...]
    training: Training | None = None
    fairness: FairnessRecord | None = None

    @model_serializer(mode="wrap")
    def _serialise(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``fairness`` is written only when set, so that a spec saved before it existed
        serialises as it did (versions compare their JSON)."""
        data: dict[str, Any] = handler(self)
        if self.fairness is None:
            data.pop("fairness", None)
        return data

    @model_validator(mode="after")
    def _consistent(self) -> ScorecardSpec:
        names = [f.name for f in self.features]
        if len(names) != len(set(names)):
            raise ValueError("feature names must be unique")
        for feature in self.features:
            ensure_allowed(feature.name, what="scorecard feature")
            if feature.source is not None:
                ensure_allowed(feature.source, what="scorecard feature column")
            if feature.dimension not in self.dimensions:
                raise ValueError(
                    f"feature {feature.name}: dimension {feature.dimension!r} is not one of "
                    f"{', '.join(self.dimensions)}"
                )
        return self

    def protected_features(self) -> dict[str, str]:
        """Features naming a protected attribute: feature -> attribute."""
        found = {}
        for feature in self.features:
            term = protected_term(feature.name) or protected_term(feature.column)
            if term is not None:
                found[feature.name] = term
        return found

    def ensure_fair(self) -> None:
        """Refuse to score people with a scorecard that uses protected attributes."""
        found = self.protected_features()
        if found:
            listed = ", ".join(f"{name} ({term})" for name, term in found.items())
            raise SpecError(
                f"scorecard {self.version} uses protected attribute(s) {listed}; age, sex, "
                "marital status, region and national origin are kept for fairness monitoring "
                "only and may not score people. Retrain without them."
            )

    def feature(self, name: str) -> FeatureSpec:
        for item in self.features:
            if item.name == name:
                return item
        raise KeyError(name)

    def dimension_range(self, dimension: str) -> tuple[int, int]:
        """(worst, best) total points of a dimension's features."""
        members = [f for f in self.features if f.dimension == dimension]
        return sum(f.worst for f in members), sum(f.best for f in members)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ScorecardSpec:
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'spec'}: {error['msg']}"
                for error in exc.errors()
            )
            raise SpecError(f"invalid scorecard spec: {problems}") from None


def load_spec(path: Path) -> ScorecardSpec:
    """Read a spec file, with the file named in any error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}: cannot read scorecard spec ({exc})") from exc
    try:
        json.loads(text)
    except ValueError as exc:
        raise SpecError(f"{path}: not JSON ({exc})") from exc
    try:
        return ScorecardSpec.from_json(text)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from exc
