"""Features: what each scored dimension computes from a person's records, as of a date.

- :mod:`~socialcredit.features.dimensions`: one module per dimension (its features,
  their sentences, the per-person state they are computed from);
- :mod:`~socialcredit.features.registry`: picks every dimension up;
- :mod:`~socialcredit.features.query`: the engine query giving one row per subject.
"""

from __future__ import annotations

from socialcredit.features.base import Dimension, FeatureDef, State, Window
from socialcredit.features.query import (
    features_from_states_sql,
    features_sql,
    subjects_filter,
    window_for,
)
from socialcredit.features.registry import DIMENSIONS, FEATURES, STATES, feature

__all__ = [
    "DIMENSIONS",
    "FEATURES",
    "STATES",
    "Dimension",
    "FeatureDef",
    "State",
    "Window",
    "feature",
    "features_from_states_sql",
    "features_sql",
    "subjects_filter",
    "window_for",
]
