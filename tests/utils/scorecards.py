"""Scorecards for tests: random valid specs, and feature values for the default one."""

from __future__ import annotations

from hypothesis import strategies as st

from socialcredit.scorecard import CategoryGroup, FeatureSpec, ScorecardSpec, default_spec

SPEC = default_spec()


@st.composite
def specs(draw: st.DrawFn) -> ScorecardSpec:
    """A random valid spec: two dimensions, one to six numeric or categorical features."""
    dims = ("a", "b")
    features = []
    for i in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            edges = sorted(set(draw(st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=5))))
            # consented data (cash flow): no value is worth 0 and is never a reason
            consented = draw(st.booleans())
            features.append(
                FeatureSpec(
                    name=f"f{i}",
                    dimension=draw(st.sampled_from(dims)),
                    edges=tuple(edges),
                    points=tuple(
                        draw(
                            st.lists(
                                st.integers(-200, 200),
                                min_size=len(edges) + 1,
                                max_size=len(edges) + 1,
                            )
                        )
                    ),
                    missing_points=0 if consented else draw(st.integers(-200, 200)),
                    consented=consented,
                )
            )
        else:
            features.append(
                FeatureSpec(
                    name=f"f{i}",
                    dimension=draw(st.sampled_from(dims)),
                    kind="categorical",
                    groups=(
                        CategoryGroup(values=("x", "y"), points=draw(st.integers(-50, 50))),
                        CategoryGroup(values=("z",), points=draw(st.integers(-50, 50))),
                    ),
                    other_points=draw(st.integers(-50, 50)),
                )
            )
    return ScorecardSpec(
        version=draw(st.text("abc123.-", min_size=1, max_size=12)),
        base_points=draw(st.integers(0, 900)),
        dimensions=dims,
        features=tuple(features),
    )


def _feature_value(feature: str) -> st.SearchStrategy[float | None]:
    edges = SPEC.feature(feature).edges
    near_edges = st.sampled_from([e + d for e in edges for d in (-1e-9, 0.0, 1e-9)])
    return st.one_of(st.none(), near_edges, st.floats(-10, 1e5, allow_nan=False))


#: one subject's feature values for the default scorecard, edges included
rows = st.fixed_dictionaries({f.name: _feature_value(f.name) for f in SPEC.features})
