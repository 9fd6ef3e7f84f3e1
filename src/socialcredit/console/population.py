"""The population dashboard's figures, computed by the engine from the lake: one
aggregate query each, so that only short ranked lists leave the engine (fast on
a national population).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from socialcredit.console.runcache import RunCache
from socialcredit.engines import Engine
from socialcredit.features import FEATURES
from socialcredit.identity import province_name
from socialcredit.monitoring.drift import fairness_drift, runs_of
from socialcredit.scorecard import MAX_REASONS, MAX_SCORE, MIN_SCORE, TIERS

__all__ = [
    "BIN_WIDTH",
    "LIST_LENGTH",
    "MIN_GROUP",
    "biggest_drops",
    "fairness",
    "histogram",
    "ingestion",
    "query_rows",
    "reasons",
    "regions",
    "run_figures",
    "runs",
    "tiers",
]

#: Histogram bins of the score distribution (the score range in steps of 20).
BIN_WIDTH = 20
#: A province with fewer people than this is not shown (its mean would say too much).
MIN_GROUP = 5
LIST_LENGTH = 10

#: English names of the provinces (first two digits of a region code, GB/T 2260).
PROVINCES_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong",
    "41": "Henan", "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi",
    "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou", "53": "Yunnan",
    "54": "Tibet", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang", "71": "Taiwan", "81": "Hong Kong", "82": "Macao",
}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def query_rows(
    lake: Engine, step: str, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    """The rows of an engine query as JSON-ready dictionaries (dates as ISO text)."""
    return [
        {k: _plain(v) for k, v in row.items()}
        for row in lake.query(step, sql, params or []).to_pylist()
    ]


_RUN_COLUMNS = "run_id, as_of, scorecard_version, subjects, created_at"


def runs(lake: Engine, published: str | None) -> list[dict[str, Any]]:
    """The run people see (the published one, else the newest) and the one before it:
    the newest run of an earlier as-of date, of the same scorecard if there is one
    (a challenger scored on the same day is a comparison, not a previous run)."""
    latest = query_rows(
        lake,
        "latest run",
        f"SELECT {_RUN_COLUMNS} FROM score_runs WHERE run_id = ? OR ? IS NULL "
        "ORDER BY as_of DESC, created_at DESC LIMIT 1",
        [published, published],
    )
    if not latest:
        return []
    previous = query_rows(
        lake,
        "previous run",
        f"SELECT {_RUN_COLUMNS} FROM score_runs WHERE as_of < ? "
        "ORDER BY as_of DESC, CASE WHEN scorecard_version = ? THEN 0 ELSE 1 END, "
        "created_at DESC LIMIT 1",
        [latest[0]["as_of"], latest[0]["scorecard_version"]],
    )
    return latest + previous


def histogram(lake: Engine, run_id: str) -> list[dict[str, Any]]:
    bins = math.ceil((MAX_SCORE - MIN_SCORE) / BIN_WIDTH)
    counts = dict.fromkeys(range(bins), 0)
    for row in query_rows(
        lake,
        "histogram",
        f"SELECT least(CAST(floor((score - {MIN_SCORE}) / {BIN_WIDTH}) AS INTEGER), {bins - 1}) "
        "AS bin, "
        "count(*) AS n FROM score_history WHERE run_id = ? GROUP BY 1",
        [run_id],
    ):
        counts[int(row["bin"])] = int(row["n"])
    return [
        {"low": MIN_SCORE + b * BIN_WIDTH, "high": MIN_SCORE + (b + 1) * BIN_WIDTH, "count": n}
        for b, n in counts.items()
    ]


def tiers(lake: Engine, latest: str, previous: str | None) -> list[dict[str, Any]]:
    runs = [latest] if previous is None else [latest, previous]
    found = {
        (row["run_id"], row["tier"]): int(row["n"])
        for row in query_rows(
            lake,
            "tier counts",
            f"SELECT run_id, tier, count(*) AS n FROM score_history "
            f"WHERE run_id IN ({', '.join('?' for _ in runs)}) GROUP BY run_id, tier",
            runs,
        )
    }
    tiers = []
    for tier in TIERS:
        count = found.get((latest, tier.id), 0)
        before = None if previous is None else found.get((previous, tier.id), 0)
        tiers.append(
            {
                "tier": tier.id,
                "low": tier.low,
                "high": tier.high,
                "en": tier.name_en,
                "zh": tier.name_zh,
                "count": count,
                "previous": before,
                "change": None if before is None else count - before,
            }
        )
    return tiers


def regions(lake: Engine, run_id: str) -> list[dict[str, Any]]:
    rows = query_rows(
        lake,
        "scores by region",
        "SELECT substr(s.region, 1, 2) AS province, count(*) AS people, "
        "avg(h.score) AS mean_score FROM score_history h "
        "JOIN subjects s ON s.subject_key = h.subject_key "
        "WHERE h.run_id = ? AND s.region IS NOT NULL GROUP BY 1 "
        f"HAVING count(*) >= {MIN_GROUP} ORDER BY mean_score DESC",
        [run_id],
    )
    return [
        {
            "province": row["province"],
            "zh": province_name(row["province"]),
            "en": PROVINCES_EN.get(row["province"], row["province"]),
            "people": int(row["people"]),
            "mean_score": round(float(row["mean_score"]), 1),
        }
        for row in rows
    ]


def reasons(lake: Engine, run_id: str) -> list[dict[str, Any]]:
    # One branch per reason slot (portable SQL: no engine-specific unnest).
    slots = " UNION ALL ".join(
        f"SELECT reason_{i} AS feature, lost_{i} AS lost FROM score_history WHERE run_id = ?"
        for i in range(1, MAX_REASONS + 1)
    )
    rows = query_rows(
        lake,
        "common reasons",
        f"SELECT feature, count(*) AS people, avg(lost) AS mean_lost FROM ({slots}) r "
        f"WHERE feature IS NOT NULL GROUP BY feature ORDER BY people DESC, feature "
        f"LIMIT {LIST_LENGTH}",
        [run_id] * MAX_REASONS,
    )
    return [
        {
            "feature": row["feature"],
            "en": FEATURES[row["feature"]].label if row["feature"] in FEATURES else row["feature"],
            "zh": FEATURES[row["feature"]].label_zh
            if row["feature"] in FEATURES
            else row["feature"],
            "people": int(row["people"]),
            "mean_points_lost": round(float(row["mean_lost"]), 1),
        }
        for row in rows
    ]


def biggest_drops(lake: Engine, latest: str, previous: str) -> list[dict[str, Any]]:
    return query_rows(
        lake,
        "biggest drops",
        "SELECT c.subject_key, c.score, c.tier, p.score AS previous_score, "
        "c.score - p.score AS change FROM score_history c "
        "JOIN score_history p ON p.subject_key = c.subject_key "
        "WHERE c.run_id = ? AND p.run_id = ? AND c.score < p.score "
        f"ORDER BY change, c.subject_key LIMIT {LIST_LENGTH}",
        [latest, previous],
    )


def ingestion(lake: Engine) -> list[dict[str, Any]]:
    rows = query_rows(
        lake,
        "ingestion health",
        "SELECT partner_id, count(*) AS batches, CAST(sum(rows_in) AS BIGINT) AS rows_in, "
        "CAST(sum(accepted) AS BIGINT) AS accepted, CAST(sum(rejected) AS BIGINT) AS rejected, "
        "CAST(sum(duplicates) AS BIGINT) AS duplicates, "
        "max(finished_at) AS last_batch FROM batches GROUP BY partner_id ORDER BY partner_id",
    )
    for row in rows:
        rows_in = int(row["rows_in"] or 0)
        row["rejection_rate"] = round(int(row["rejected"] or 0) / rows_in, 4) if rows_in else 0.0
    return rows


_figures = RunCache()


def run_figures(lake: Engine, latest: str, previous: str | None) -> dict[str, Any]:
    """Everything the dashboard shows about the latest run and the one before (kept
    per pair of runs: the costly joins run once per new run, not once per visit)."""

    def compute() -> dict[str, Any]:
        return {
            "histogram": histogram(lake, latest),
            "tiers": tiers(lake, latest, previous),
            "regions": regions(lake, latest),
            "reasons": reasons(lake, latest),
            "biggest_drops": biggest_drops(lake, latest, previous) if previous else [],
        }

    return _figures.get(lake, ("population", latest, previous or ""), compute)


_fairness = RunCache()


def fairness(lake: Engine, version: str, cutoffs: tuple[int, ...]) -> dict[str, Any] | None:
    """The four-fifths rule for scorecard ``version`` on its newest run and the one before
    (:func:`socialcredit.monitoring.drift.fairness_drift`), kept per pair of runs."""
    runs = tuple(r["run_id"] for r in runs_of(lake, version))
    key = ("fairness", version, *runs, ",".join(map(str, sorted(set(cutoffs)))))
    return _fairness.get(lake, key, lambda: fairness_drift(lake, version, cutoffs))
