"""The registry of dimensions: every module in :mod:`socialcredit.features.dimensions`
that declares ``DIMENSION`` is picked up here, in the order the dimensions declare.

>>> list(DIMENSIONS)[:2]
['credit_history', 'fulfilment']
"""

from __future__ import annotations

import importlib
import pkgutil

from socialcredit.features import dimensions as _package
from socialcredit.features.base import Dimension, FeatureDef, State

__all__ = ["DIMENSIONS", "FEATURES", "STATES", "feature"]


def _discover() -> tuple[Dimension, ...]:
    found = []
    for info in pkgutil.iter_modules(_package.__path__):
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        declared = getattr(module, "DIMENSION", None)
        if isinstance(declared, Dimension):
            found.append(declared)
    ordered = tuple(sorted(found, key=lambda d: d.order))
    ids = [d.id for d in ordered]
    if len(set(ids)) != len(ids) or len({d.order for d in ordered}) != len(ordered):
        raise RuntimeError(f"dimensions must have distinct ids and orders: {ids}")
    return ordered


#: dimension id -> its declaration, in order
DIMENSIONS: dict[str, Dimension] = {d.id: d for d in _discover()}

#: feature name -> definition, every dimension's in order
FEATURES: dict[str, FeatureDef] = {f.name: f for d in DIMENSIONS.values() for f in d.features}

#: record category -> the per-person state its features are computed from
STATES: dict[str, State] = {s.category: s for d in DIMENSIONS.values() for s in d.states}


def feature(name: str) -> FeatureDef:
    return FEATURES[name]
