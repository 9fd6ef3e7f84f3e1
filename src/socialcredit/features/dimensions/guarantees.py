"""Guarantees signed: what a person took on for others' debts, and only that.

A guarantee counts as last reported (the latest counting record of a partner's
``contract_ref``): in force while active (up to what the principal debtor still
owes, at most the amount guaranteed) or called and unpaid. From the person's own
guarantees: how many are in force, the amount outstanding, how many principals are
overdue, and what was called and is unpaid. From the guarantee graph
(:mod:`socialcredit.graph`, one step over everyone's guarantees in each score run):
exposure through chains (calls further along the guarantors' chain that can reach
this person) and guarantee circles (whether some of the person's guarantees are
part of a ring of parties who guarantee each other). The other party is never
named: the features are numbers, the evidence the person's own records.

Nobody is scored lower for having signed nothing: without guarantee records every
feature is missing, worth 0 points (``missing_points`` 0 in the scorecard), as is
a guarantee that is in order.

The per-person state joins the graph step's results to the person's own
guarantees, so it is never merged from new records alone: an incremental run
rebuilds everyone the graph step names as changed (:mod:`socialcredit.scoring.runs`).
"""

from __future__ import annotations

from socialcredit.features.base import (
    RETENTION_YEARS,
    Dimension,
    FeatureDef,
    Part,
    State,
    Window,
    counting,
    date_literal,
    years_before,
)

__all__ = [
    "CATEGORY",
    "DIMENSION",
    "FEATURES",
    "GRAPH_TABLE",
    "STATE",
    "features",
    "graph_relation",
    "in_window",
    "latest_sql",
]

ID = "guarantees"
CATEGORY = "guarantee"
#: the graph step's results: per window (as-of date and notice cut-off) of the runs
#: that computed it, one row per guarantor it found something for
GRAPH_TABLE = "guarantee_graph"

#: Only the latest record of a guarantee is evidence (alias r, ``{as_of}``).
_LATEST = (
    "NOT EXISTS (SELECT 1 FROM rec_guarantee n WHERE n.subject_key = r.subject_key "
    "AND n.partner_id = r.partner_id AND n.contract_ref = r.contract_ref "
    "AND n.observed_date <= {as_of} AND (n.observed_date > r.observed_date "
    "OR (n.observed_date = r.observed_date AND n.record_id > r.record_id)))"
)
_IN_FORCE = (
    "(r.status = 'active' OR (r.status = 'called' "
    "AND coalesce(r.amount_paid, 0) < r.amount_called))"
)
#: the principal is in the guarantor's circle (alias r, ``{as_of}``)
_IN_MY_CIRCLE = (
    "r.principal_key IN (SELECT m.subject_key FROM guarantee_graph m WHERE m.as_of = {as_of} "
    "AND m.circle_key IN (SELECT me.circle_key FROM guarantee_graph me "
    "WHERE me.as_of = {as_of} AND me.subject_key = r.subject_key))"
)

FEATURES = (
    FeatureDef(
        name="gu_in_force",
        dimension=ID,
        label="Guarantees in force",
        label_zh="在保担保笔数",
        en="You have {value:.0f} guarantees in force.",
        zh="您有{value:.0f}笔担保在保。",
        category=CATEGORY,
        evidence=f"{_IN_FORCE} AND {_LATEST}",
    ),
    FeatureDef(
        name="gu_outstanding",
        dimension=ID,
        label="Amount outstanding under your guarantees",
        label_zh="担保余额",
        en="You guarantee {gu_in_force:.0f} loans with {value:,.0f} yuan outstanding; "
        "{gu_overdue:.0f} of them are overdue.",
        zh="您为{gu_in_force:.0f}笔贷款提供担保，担保余额{value:,.0f}元，"
        "其中{gu_overdue:.0f}笔逾期。",
        category=CATEGORY,
        evidence=f"r.status = 'active' AND {_LATEST}",
    ),
    FeatureDef(
        name="gu_overdue",
        dimension=ID,
        label="Guaranteed loans overdue",
        label_zh="所担保贷款逾期笔数",
        en="{value:.0f} of the loans you guarantee are overdue: the lender may call on you.",
        zh="您担保的贷款中有{value:.0f}笔逾期，贷款机构可能要求您代偿。",
        category=CATEGORY,
        evidence=f"r.status = 'active' AND r.principal_standing = 'overdue' AND {_LATEST}",
    ),
    FeatureDef(
        name="gu_called_unpaid",
        dimension=ID,
        label="Called under your guarantees and unpaid",
        label_zh="担保代偿未还金额",
        en="Lenders called {value:,.0f} yuan under guarantees you signed, and it is unpaid.",
        zh="您签署的担保被要求代偿{value:,.0f}元，尚未偿还。",
        category=CATEGORY,
        evidence="r.status = 'called' AND coalesce(r.amount_paid, 0) < r.amount_called "
        f"AND {_LATEST}",
    ),
    FeatureDef(
        name="gu_chain_exposure",
        dimension=ID,
        label="Exposure through guarantee chains",
        label_zh="担保链风险敞口",
        en="Guarantees called further along the chain of debts you guarantee put "
        "{value:,.0f} yuan of your guarantees at risk.",
        zh="您所担保的债务链条上已有担保被代偿，您的担保中有{value:,.0f}元面临风险。",
        category=CATEGORY,
        evidence=f"{_IN_FORCE} AND {_LATEST} AND r.principal_key IN (SELECT x.subject_key "
        "FROM guarantee_graph x WHERE x.as_of = {as_of} "
        "AND (x.called_unpaid > 0 OR x.chain_exposure > 0))",
    ),
    FeatureDef(
        name="gu_circle_size",
        dimension=ID,
        label="Size of the guarantee circle you are part of",
        label_zh="所在担保圈的规模",
        en="{gu_circle_guarantees:.0f} of your guarantees are part of a circle of {value:.0f} "
        "parties who guarantee each other's debts.",
        zh="您有{gu_circle_guarantees:.0f}笔担保处于由{value:.0f}方相互担保形成的担保圈中。",
        category=CATEGORY,
        evidence=f"{_IN_FORCE} AND {_LATEST} AND {_IN_MY_CIRCLE}",
    ),
    FeatureDef(
        name="gu_circle_guarantees",
        dimension=ID,
        label="Your guarantees inside a guarantee circle",
        label_zh="处于担保圈中的担保笔数",
        en="{value:.0f} of your guarantees are part of a guarantee circle.",
        zh="您有{value:.0f}笔担保处于担保圈中。",
        category=CATEGORY,
        evidence=f"{_IN_FORCE} AND {_LATEST} AND {_IN_MY_CIRCLE}",
    ),
)


def latest_sql(window: Window) -> str:
    """Every guarantee of every guarantor as last reported among the counting records:
    ``subject_key``, ``principal_key``, ``exposure`` (what the guarantor can still be
    called for while it is active: what the principal owes, at most the amount
    guaranteed), ``called_unpaid`` (called and not paid; a call older than the
    retention period no longer counts) and ``overdue``. The graph step reads the same
    rows (:mod:`socialcredit.graph.step`)."""
    day = window.day
    since = date_literal(years_before(window.as_of, RETENTION_YEARS))
    source, predicate = counting(CATEGORY, "g", window)
    exposure = (
        f"CASE WHEN g.status = 'active' AND (g.end_date IS NULL OR g.end_date >= {day}) "
        "THEN least(coalesce(g.principal_outstanding, g.amount), g.amount) ELSE 0 END"
    )
    called = (
        f"CASE WHEN g.status = 'called' AND g.called_date > {since} "
        "THEN greatest(g.amount_called - coalesce(g.amount_paid, 0), 0) ELSE 0 END"
    )
    ranked = (
        f"SELECT g.subject_key, g.principal_key, {exposure} AS exposure, {called} AS "
        "called_unpaid, coalesce(g.principal_standing, 'current') = 'overdue' AS behind, "
        "row_number() OVER (PARTITION BY g.subject_key, g.partner_id, g.contract_ref "
        "ORDER BY g.observed_date DESC, g.record_id DESC) AS nth "
        f"FROM {source} WHERE {predicate}"
    )
    return (
        "SELECT subject_key, principal_key, exposure, called_unpaid, "
        f"behind AND exposure > 0 AS overdue FROM ({ranked}) l WHERE nth = 1"
    )


def in_window(window: Window, alias: str = "x") -> str:
    """Predicate: a row of ``GRAPH_TABLE`` (alias ``alias``) is of ``window``."""
    cutoff = date_literal(window.negative_cutoff)
    return f"{alias}.as_of = {window.day} AND {alias}.negative_cutoff = {cutoff}"


def graph_relation(window: Window) -> str:
    """The graph step's results for ``window``: a relation the window names (a run's
    own, before it is saved), else the lake's rows of this window."""
    named = dict(window.tables).get(GRAPH_TABLE)
    if named is not None:
        return named
    return f"(SELECT x.* FROM {GRAPH_TABLE} x WHERE {in_window(window)})"


def _rows(window: Window) -> str:
    return (
        "SELECT l.subject_key, l.exposure, l.called_unpaid, l.overdue, "
        "l.exposure > 0 OR l.called_unpaid > 0 AS in_force, x.chain_exposure AS chain, "
        "x.circle_size AS circle, x.circle_guarantees AS in_circle "
        f"FROM ({latest_sql(window)}) l LEFT JOIN {graph_relation(window)} x "
        "ON x.subject_key = l.subject_key"
    )


#: Per person: their guarantees and what the graph step found (see ``State``).
STATE = State(
    category=CATEGORY,
    alias="gu",
    rows=_rows,
    parts=(
        Part(
            name="gua_in_force",
            type="BIGINT",
            agg="count(CASE WHEN in_force THEN 1 END)",
            merge="sum",
        ),
        Part(name="gua_outstanding", type="DECIMAL(38,2)", agg="sum(exposure)", merge="sum"),
        Part(
            name="gua_overdue",
            type="BIGINT",
            agg="count(CASE WHEN overdue THEN 1 END)",
            merge="sum",
        ),
        Part(name="gua_called_unpaid", type="DECIMAL(38,2)", agg="sum(called_unpaid)", merge="sum"),
        Part(name="gua_chain", type="DOUBLE", agg="max(chain)", merge="max"),
        Part(name="gua_circle", type="BIGINT", agg="max(circle)", merge="max"),
        Part(name="gua_circle_in", type="BIGINT", agg="max(in_circle)", merge="max"),
        Part(name="gua_records", type="BIGINT", agg="count(*)", merge="sum"),
    ),
)


def features(window: Window) -> dict[str, str]:
    """Each feature from the state (alias ``gu``); NULL for someone without guarantees."""

    def value(column: str) -> str:
        return (
            f"CASE WHEN gu.subject_key IS NOT NULL THEN CAST(coalesce({column}, 0) AS DOUBLE) END"
        )

    return {
        "gu_in_force": value("gu.gua_in_force"),
        "gu_outstanding": value("gu.gua_outstanding"),
        "gu_overdue": value("gu.gua_overdue"),
        "gu_called_unpaid": value("gu.gua_called_unpaid"),
        "gu_chain_exposure": value("gu.gua_chain"),
        "gu_circle_size": value("gu.gua_circle"),
        "gu_circle_guarantees": value("gu.gua_circle_in"),
    }


DIMENSION = Dimension(
    id=ID,
    name_en="Guarantees signed",
    name_zh="对外担保",
    order=5,
    features=FEATURES,
    states=(STATE,),
    expressions=features,
)
