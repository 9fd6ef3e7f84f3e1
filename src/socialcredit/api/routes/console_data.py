"""What the web console reads: the population dashboard, a person's file as an
operator sees it (audited, with a stated purpose), the dispute queue and the
scorecard with its champion/challenger comparison.

Population figures come from the lake with the engine (one aggregate query
each, no per-person rows leave the engine except short ranked lists), so the
dashboard stays fast on a national population.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from socialcredit.api.auth import Caller, Operator, authenticated
from socialcredit.api.errors import ApiError, error_responses
from socialcredit.api.models.disputes import DisputeInQueue, DisputePublic, DisputeQueue
from socialcredit.api.models.files import FilePublic
from socialcredit.api.models.population import DisputeFigures, Population
from socialcredit.api.models.scorecards import ScorecardPublic
from socialcredit.api.models.service import CallerPublic
from socialcredit.api.routes.common import SubjectKey, full_file, service_state
from socialcredit.api.state import ServiceState
from socialcredit.console import population as figures
from socialcredit.console import scorecards
from socialcredit.decisions.policy import approval_cutoffs, default_policy
from socialcredit.decisions.store import live_policy
from socialcredit.features import DIMENSIONS
from socialcredit.monitoring.fairness import TIER_CUTOFFS
from socialcredit.scorecard import default_spec
from socialcredit.scoring.versions import live_scorecard, stored_scorecard
from socialcredit.store import audit
from socialcredit.store.models import Dispute, PublishedScore

__all__ = ["OPERATOR_PURPOSES", "router"]

router = APIRouter(prefix="/v1", tags=["console"], responses=error_responses(401, 403, 422, 429))

#: Why an operator may open a person's file; the person sees it in their report.
OPERATOR_PURPOSES = ("dispute_review", "data_quality_review", "complaint_handling")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@router.get("/console/whoami", summary="The kind of key in use (for the web console)")
def whoami(caller: Annotated[Caller, Depends(authenticated)]) -> CallerPublic:
    """Which pages the console shows: the key's kind, partner and scopes (never the key)."""
    return CallerPublic.model_validate(
        {"kind": caller.kind, "partner_id": caller.partner_id, "scopes": list(caller.scopes)}
    )


# -- population ------------------------------------------------------------------------------


def _published_run(state: ServiceState) -> str | None:
    with state.store.session() as session:
        found: str | None = session.execute(select(PublishedScore.run_id).limit(1)).scalar()
    return found


def _open_disputes(state: ServiceState) -> DisputeFigures:
    now = _now()
    with state.store.session() as session:
        rows = (
            session.execute(
                select(Dispute).where(Dispute.status == "open").order_by(Dispute.opened_at)
            )
            .scalars()
            .all()
        )
    ages: dict[int, dict[str, int]] = {}
    for d in rows:
        bucket = ages.setdefault((now - d.opened_at).days, {"open": 0, "overdue": 0})
        bucket["overdue" if d.deadline < now else "open"] += 1
    return DisputeFigures.model_validate(
        {
            "deadline_days": state.settings.dispute_deadline_days,
            "total": len(rows),
            "overdue": sum(1 for d in rows if d.deadline < now),
            "by_age": [{"age_days": age} | counts for age, counts in sorted(ages.items())],
            "oldest": [_queue_row(d, now) for d in rows[: figures.LIST_LENGTH]],
        }
    )


def _fairness_cutoffs(state: ServiceState) -> tuple[int, ...]:
    """The tier cut-offs and the live credit policy's approval cut-offs."""
    with state.store.session() as session:
        policy = live_policy(session) or default_policy()
    return (*TIER_CUTOFFS, *approval_cutoffs(policy).values())


@router.get("/operator/population", summary="The population dashboard's figures")
def population(request: Request, caller: Operator) -> Population:
    """Score distribution, tiers and their change since the previous run, mean score by
    province, the most common reasons, the biggest drops, ingestion health per partner,
    open disputes by age, and the four-fifths rule for the scorecard of the run shown on
    its newest run (flagged when a group falls significantly below it)."""
    state = service_state(request)
    published = _published_run(state)
    with state.lake_lock:
        lake = state.lake
        runs = figures.runs(lake, published)
        ingestion = figures.ingestion(lake)
        if not runs:
            scored: dict[str, Any] = {
                "run": None,
                "previous_run": None,
                "histogram": [],
                "tiers": [],
                "regions": [],
                "reasons": [],
                "biggest_drops": [],
                "fairness": None,
            }
        else:
            latest = runs[0]["run_id"]
            previous = runs[1]["run_id"] if len(runs) > 1 else None
            scored = {
                "run": runs[0],
                "previous_run": runs[1] if previous else None,
                "fairness": figures.fairness(
                    lake, runs[0]["scorecard_version"], _fairness_cutoffs(state)
                ),
            } | figures.run_figures(lake, latest, previous)
    return Population.model_validate(
        scored
        | {
            "ingestion": ingestion,
            "disputes": _open_disputes(state),
            "min_group": figures.MIN_GROUP,
        }
    )


# -- a person's file, as an operator reads it -----------------------------------------------


@router.get(
    "/operator/people/{subject_key}/report",
    summary="A person's file (operator)",
    responses=error_responses(400, 404),
)
def person_report(
    subject_key: SubjectKey,
    request: Request,
    caller: Operator,
    purpose: Annotated[str | None, Query(description="Why the file is opened")] = None,
) -> FilePublic:
    """The person's whole file, as they see it. Every read is written to the audit log
    with the purpose, and the person sees who looked and why."""
    if purpose not in OPERATOR_PURPOSES:
        raise ApiError(
            400, f"state why the file is opened (?purpose=), one of {', '.join(OPERATOR_PURPOSES)}"
        )
    state = service_state(request)
    with state.store.session() as session, session.begin():
        published = session.get(PublishedScore, subject_key)
        audit.append(
            session,
            actor=caller.credential_id,
            actor_kind="operator",
            action="operator_access",
            subject_key=subject_key,
            purpose=purpose,
            detail={"found": published is not None},
        )
    if published is None:
        raise ApiError(404, f"no published score for subject {subject_key!r}")
    return full_file(state, subject_key, published)


# -- dispute queue ---------------------------------------------------------------------------


def _queue_row(dispute: Dispute, now: dt.datetime) -> DisputeInQueue:
    public = DisputePublic.model_validate(dispute, from_attributes=True)
    return DisputeInQueue.model_validate(
        public.model_dump()
        | {
            "subject_key": dispute.subject_key,
            "age_days": (now - dispute.opened_at).days,
            "overdue": dispute.status == "open" and dispute.deadline < now,
        }
    )


@router.get("/operator/disputes", summary="Every dispute, for the operators' queue")
def operator_disputes(
    request: Request, caller: Operator, status: str | None = "open"
) -> DisputeQueue:
    """Disputes by deadline (default: the open ones; ``status=`` for others, empty for all),
    each with the person's subject key, its age and whether it is overdue."""
    now = _now()
    with service_state(request).store.session() as session:
        query = select(Dispute)
        if status:
            query = query.where(Dispute.status == status)
        rows = session.execute(query.order_by(Dispute.deadline)).scalars().all()
    return DisputeQueue(now=now, disputes=[_queue_row(d, now) for d in rows])


# -- scorecard -------------------------------------------------------------------------------


@router.get("/operator/scorecard", summary="The live scorecard and its challenger")
def scorecard(request: Request, caller: Operator) -> ScorecardPublic:
    """The live scorecard (published, else the one the latest run used, else the
    default) as feature, bins and points; and, when another version has scored the
    population, the champion/challenger comparison of their latest runs."""
    state = service_state(request)
    published = _published_run(state)
    with state.lake_lock:
        lake = state.lake
        spec = live_scorecard(lake)
        source = "published"
        runs = figures.runs(lake, published)
        if spec is None:
            if runs:
                spec, source = stored_scorecard(lake, runs[0]["scorecard_version"]), "latest_run"
            else:
                spec, source = default_spec(), "default"
        comparison = None
        champion_run = (
            runs[0]
            if runs and runs[0]["scorecard_version"] == spec.version
            else scorecards.latest_run_of(lake, spec.version)
        )
        challenger_run = scorecards.latest_run_of(lake, spec.version, other=True)
        if champion_run and challenger_run:
            challenger = stored_scorecard(lake, challenger_run["scorecard_version"])
            comparison = scorecards.comparison(
                lake, (spec, champion_run["run_id"]), (challenger, challenger_run["run_id"])
            )
            comparison = comparison | {
                "champion_as_of": champion_run["as_of"],
                "challenger_as_of": challenger_run["as_of"],
            }
    return ScorecardPublic.model_validate(
        {
            "version": spec.version,
            "source": source,
            "scaling": spec.scaling,
            "dimensions": {d.id: {"en": d.name_en, "zh": d.name_zh} for d in DIMENSIONS.values()},
            "features": scorecards.feature_rows(spec),
            "comparison": comparison,
        }
    )
