"""A person's own copy of their file as one self-contained HTML page, in English
or Chinese: score (with a gauge), subscores, reasons, how to reach the next tier,
pending records, every record with its source, past scores, and, when served by
the API, every access, dispute and consent. No asset is fetched from anywhere.
"""

from __future__ import annotations

import html
import math
from typing import Any, Literal

from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE

__all__ = ["LABELS", "report_html"]

Lang = Literal["en", "zh"]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("Your credit file", "您的信用档案"),
    "as_of": ("as of", "截至"),
    "scorecard": ("scorecard", "评分卡"),
    "dimensions": ("Dimensions", "维度"),
    "reasons": ("What lowers your score", "影响您分数的主要原因"),
    "points": ("points", "分"),
    "next": ("How to reach the next tier", "如何提升到下一档"),
    "only_time": (
        "Nothing you can change now lifts you to the next tier; late payments "
        "stop counting as they age.",
        "目前没有可立即改变的因素；逾期记录会随时间推移不再计入。",
    ),
    "top": ("You are in the highest tier.", "您已处于最高档。"),
    "pending": (
        "Reported but not counting yet (you can object until then)",
        "已报送但尚未计入的记录（在此之前您可提出异议）",
    ),
    "counts_from": ("counts from", "计入日期"),
    "records": ("Every record on file", "全部信用记录"),
    "source": ("source", "来源"),
    "history": ("Your scores over time", "历史分数"),
    "accesses": ("Who looked at your file, and why", "查询记录（谁、为何查询）"),
    "disputes": ("Your disputes", "您的异议"),
    "consents": ("Your consents", "您的授权"),
    "decisions": (
        "Credit decisions about you (ask for a human review of an adverse one)",
        "关于您的信贷决定（对不利决定可要求人工复核）",
    ),
    "fairness": (
        "Kept for fairness monitoring only, never scored",
        "仅用于公平性监测，从不用于评分",
    ),
    "none": ("none", "无"),
}


def _t(key: str, lang: Lang) -> str:
    en, zh = LABELS[key]
    return zh if lang == "zh" else en


def _gauge(score: int) -> str:
    """A half-circle gauge over the score range with the score's needle."""
    angle = math.pi * (1 - (score - MIN_SCORE) / (MAX_SCORE - MIN_SCORE))
    x, y = 110 + 90 * math.cos(angle), 110 - 90 * math.sin(angle)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="130" role="img" '
        f'aria-label="score {score} of {MIN_SCORE} to {MAX_SCORE}">'
        '<path d="M20 110 A90 90 0 0 1 200 110" fill="none" stroke="#ddd" stroke-width="14"/>'
        f'<line x1="110" y1="110" x2="{x:.1f}" y2="{y:.1f}" stroke="#1f6feb" stroke-width="4"/>'
        f'<text x="110" y="100" text-anchor="middle" font-size="28">{score}</text>'
        f'<text x="20" y="128" font-size="11">{MIN_SCORE}</text>'
        f'<text x="200" y="128" font-size="11" text-anchor="end">{MAX_SCORE}</text></svg>'
    )


def _table(rows: list[dict[str, Any]], lang: Lang) -> str:
    if not rows:
        return f"<p>{_t('none', lang)}</p>"
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape('' if r.get(c) is None else str(r.get(c)))}</td>" for c in columns
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _decision_row(decision: dict[str, Any]) -> dict[str, Any]:
    review = decision.get("review") or {}
    return {
        "decided_at": decision["decided_at"],
        "partner_id": decision["partner_id"],
        "action": decision["action"],
        "decision": decision["decision"],
        "terms": ", ".join(f"{k} {v:g}" for k, v in decision["terms"].items()),
        "reasons": "; ".join(r.get("label", r["feature"]) for r in decision["reasons"]),
        "review": " ".join(filter(None, (review.get("status"), review.get("resolution")))),
    }


def report_html(report: dict[str, Any], lang: Lang = "en") -> str:
    """The page for a report as built by :func:`socialcredit.rights.report.report_for`."""
    zh = lang == "zh"
    tier = report["tier_zh"] if zh else report["tier_en"]
    names = report["dimension_names"]
    subscores = "".join(
        f"<tr><td>{html.escape(names[d]['zh' if zh else 'en'])}</td><td>{v}</td></tr>"
        for d, v in report["subscores"].items()
    )
    reasons = (
        "".join(
            f"<li><b>-{r['points_lost']} {_t('points', lang)}</b> "
            f"{html.escape(r['zh'] if zh else r['en'])}</li>"
            for r in report["reasons"]
        )
        or f"<li>{_t('none', lang)}</li>"
    )
    plan = report.get("improvement", {})
    if plan.get("next_tier") is None:
        steps = f"<p>{_t('top', lang)}</p>"
    elif not plan.get("changes"):
        steps = f"<p>{_t('only_time', lang)}</p>"
    else:
        steps = (
            "<ol>"
            + "".join(
                f"<li>{html.escape(c['zh'] if zh else c['en'])}</li>" for c in plan["changes"]
            )
            + "</ol>"
        )
    sections = [
        ("pending", _table(report.get("pending", []), lang)),
        (
            "records",
            "".join(
                f"<h3>{html.escape(category)}</h3>{_table(rows, lang)}"
                for category, rows in report["records"].items()
            ),
        ),
        ("history", _table(report.get("history", []), lang)),
    ]
    for key in ("accesses", "disputes", "consents"):
        if key in report:
            sections.append((key, _table(report[key], lang)))
    if "decisions" in report:
        sections.append(
            ("decisions", _table([_decision_row(d) for d in report["decisions"]], lang))
        )
    sections.append(("fairness", _table([report["held_for_fairness_monitoring_only"]], lang)))
    body = "".join(f"<h2>{_t(k, lang)}</h2>{v}" for k, v in sections)
    return (
        f"<!doctype html><html lang='{'zh-CN' if zh else 'en'}'><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_t('title', lang)}</title>"
        "<style>body{font-family:sans-serif;max-width:960px;margin:1em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px;display:block;overflow-x:auto}"
        "td,th{border:1px solid #ddd;padding:2px 6px}</style>"
        f"<h1>{_t('title', lang)}</h1>{_gauge(int(report['score']))}"
        f"<p><b>{report['score']}</b> {html.escape(tier)} · {_t('as_of', lang)} "
        f"{report['as_of']} · {_t('scorecard', lang)} "
        f"{html.escape(report['scorecard_version'])}</p>"
        f"<h2>{_t('dimensions', lang)}</h2><table>{subscores}</table>"
        f"<h2>{_t('reasons', lang)}</h2><ul>{reasons}</ul>"
        f"<h2>{_t('next', lang)}</h2>{steps}{body}</html>"
    )
