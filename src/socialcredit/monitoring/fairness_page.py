"""The fairness report as one self-contained HTML page (no script, no external
asset), in English or Chinese: the headline, approval rates and adverse impact
ratios by group at every cut-off (flags in red), the shift since the last run, and
what each dimension asked for does to each group.
"""

from __future__ import annotations

import html
from typing import Any, Literal

from socialcredit.monitoring.fairness import FOUR_FIFTHS, MIN_GROUP, FairnessReport

__all__ = ["fairness_html"]

Lang = Literal["en", "zh"]
TEXT = {
    "title": ("Fairness report", "公平性报告"),
    "intro": (
        "Share of each group scoring at or above each cut-off, and the adverse impact "
        "ratio against the best-treated group of the same attribute. Ratios below "
        f"{FOUR_FIFTHS} are flagged (groups of at least {MIN_GROUP} people). Sex, age band "
        "and province are kept for this monitoring only and are never scored.",
        f"各群体在每个分数线及以上的比例，以及相对同一属性中比例最高群体的不利影响比。"
        f"低于 {FOUR_FIFTHS} 的比值被标出（仅限不少于 {MIN_GROUP} 人的群体）。性别、年龄段和"
        "省份仅用于此项监测，从不用于评分。",
    ),
    "lowest": ("Lowest ratio", "最低比值"),
    "none": ("No ratio below the threshold.", "没有低于阈值的比值。"),
    "psi": ("Score shift since the previous run (PSI)", "与上一批次相比的分数偏移（PSI）"),
    "policy": ("Credit policy cut-offs", "信贷政策分数线"),
    "attribute": ("attribute", "属性"),
    "group": ("group", "群体"),
    "people": ("people", "人数"),
    "mean": ("mean score", "平均分"),
    "significant": ("significant after correction", "校正后显著"),
    "effect": (
        "Score change it makes by group ({share} of people have data in it)",
        "该维度对各群体分数的影响（{share} 的人有此维度数据）",
    ),
    "with_data": ("with data", "有数据"),
    "change": ("mean change", "平均变化"),
    "among": ("among those with data", "有数据者平均变化"),
    "worst_with": ("Worst significant ratio with it", "计入该维度时最低的显著比值"),
    "worst_without": ("without it", "不计入时"),
    "no_gap": ("no significant gap", "无显著差距"),
}


def _t(key: str, lang: Lang) -> str:
    return TEXT[key][1 if lang == "zh" else 0]


def _worst(found: dict[str, Any] | None, lang: Lang) -> str:
    if found is None:
        return _t("no_gap", lang)
    return (
        f"{found['ratio']:.2f} ({html.escape(found['attribute'])} "
        f"{html.escape(str(found['group']))} &ge; {found['cutoff']})"
    )


def _change(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


def _effect(found: dict[str, Any], lang: Lang) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(g['attribute'])}</td><td>{html.escape(str(g['name']))}</td>"
        f"<td>{g['n']:,}</td><td>{g['with_data']:.0%}</td><td>{_change(g['mean_change'])}</td>"
        f"<td>{_change(g['mean_change_with_data'])}</td></tr>"
        for g in found["groups"]
        if g["n"] >= MIN_GROUP or g["attribute"] != "province"
    )
    name = found["name_zh"] if lang == "zh" else found["name_en"]
    share = format(found["with_data"], ".0%")
    return (
        f"<h2 class='effect'>{html.escape(name)}</h2>"
        f"<p>{_t('effect', lang).format(share=share)}. "
        f"{_t('worst_with', lang)}: {_worst(found['worst_with'], lang)}; "
        f"{_t('worst_without', lang)}: {_worst(found['worst_without'], lang)}.</p>"
        f"<table><tr><th>{_t('attribute', lang)}</th><th>{_t('group', lang)}</th>"
        f"<th>{_t('people', lang)}</th><th>{_t('with_data', lang)}</th>"
        f"<th>{_t('change', lang)}</th><th>{_t('among', lang)}</th></tr>{rows}</table>"
    )


def fairness_html(report: FairnessReport, lang: Lang = "en") -> str:
    cuts = report.cutoffs
    policy_at = {cut: [a for a, c in report.policy_cutoffs.items() if c == cut] for cut in cuts}
    head = "".join(
        f"<th>&ge; {cut}"
        + (f"<br><small>{html.escape(', '.join(policy_at[cut]))}</small>" if policy_at[cut] else "")
        + "</th>"
        for cut in cuts
    )
    rows = []
    for group in report.groups:
        cells = []
        for cut in cuts:
            ratio = group["adverse_impact_ratio"][str(cut)]
            rate = group["approval"][str(cut)]
            flagged = ratio is not None and ratio < FOUR_FIFTHS and group["n"] >= MIN_GROUP
            text = "–" if ratio is None else f"{ratio:.2f}"
            style = " class='flag'" if flagged else ""
            cells.append(f"<td{style}>{text}<br><small>{rate:.0%}</small></td>")
        rows.append(
            f"<tr><td>{html.escape(group['attribute'])}</td><td>{html.escape(str(group['name']))}"
            f"</td><td>{group['n']:,}</td><td>{group['mean_score']:.0f}</td>{''.join(cells)}</tr>"
        )
    low = report.lowest
    headline = (
        f"<p class='headline'>{_t('lowest', lang)}: <b>{low['ratio']:.2f}</b> — "
        f"{html.escape(low['attribute'])} {html.escape(str(low['group']))} &ge; {low['cutoff']} "
        f"(p = {low['p_value']:.3g}{', ' + _t('significant', lang) if low['significant'] else ''})"
        "</p>"
        if low
        else f"<p>{_t('none', lang)}</p>"
    )
    psi = (
        f"<p>{_t('psi', lang)}: {report.psi_vs_previous:.4f} "
        f"({html.escape(str(report.previous_run))})</p>"
        if report.psi_vs_previous is not None
        else ""
    )
    policy = (
        f"<p>{_t('policy', lang)} ({html.escape(str(report.policy_version))}): "
        + ", ".join(f"{html.escape(a)} &ge; {c}" for a, c in report.policy_cutoffs.items())
        + "</p>"
        if report.policy_cutoffs
        else ""
    )
    return (
        f"<!doctype html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_t('title', lang)}</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px;display:block;overflow-x:auto}"
        "td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}"
        "td:first-child,td:nth-child(2){text-align:left}.flag{background:#fdd;color:#900}"
        ".headline{font-size:1.1em}</style>"
        f"<h1>{_t('title', lang)}</h1>"
        f"<p>{html.escape(report.run_id)} · {html.escape(report.as_of)} · "
        f"{html.escape(report.scorecard_version)} · {report.people:,}</p>"
        f"<p>{_t('intro', lang)}</p>{headline}{policy}{psi}"
        f"<table><tr><th>{_t('attribute', lang)}</th><th>{_t('group', lang)}</th>"
        f"<th>{_t('people', lang)}</th><th>{_t('mean', lang)}</th>{head}</tr>"
        f"{''.join(rows)}</table>"
        f"{''.join(_effect(found, lang) for found in report.dimension_effects)}</html>"
    )
