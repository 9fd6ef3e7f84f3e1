"""A scorecard's evaluation as one HTML page, with its charts drawn as inline
SVG (no plotting library, no asset from the network); and the frontier of a
search for a less discriminatory scorecard (AUC against worst adverse impact ratio).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from socialcredit.scorecard.metrics import Evaluation
from socialcredit.scorecard.spec import FairnessRecord, FrontierPoint, ScorecardSpec

__all__ = ["evaluation_html", "frontier_html", "frontier_svg"]

_W, _H, _PAD = 420, 260, 36
_GOOD_BAD = ("#2da44e", "#cf222e")
_PREDICTED_OBSERVED = ("#8250df", "#bf8700")
_CALIBRATION = ("predicted_bad_rate", "observed_bad_rate")


def _axes(title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" role="img" '
        f'aria-label="{html.escape(title)}">',
        f'<text x="{_W / 2}" y="16" text-anchor="middle" font-size="13">'
        f"{html.escape(title)}</text>",
        f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - 10}" y2="{_H - _PAD}" stroke="#333"/>',
        f'<line x1="{_PAD}" y1="24" x2="{_PAD}" y2="{_H - _PAD}" stroke="#333"/>',
    ]


def _xy(fx: float, fy: float) -> tuple[float, float]:
    return _PAD + fx * (_W - _PAD - 10), _H - _PAD - fy * (_H - _PAD - 24)


def _roc(curve: dict[str, list[float]], auc: float) -> str:
    parts = _axes(f"ROC curve (AUC {auc:.3f})")
    points = " ".join(
        "{:.1f},{:.1f}".format(*_xy(x, y)) for x, y in zip(curve["fpr"], curve["tpr"], strict=True)
    )
    parts.append(f'<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="{points}"/>')
    x0, y0 = _xy(0, 0)
    x1, y1 = _xy(1, 1)
    parts.append(
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#999" stroke-dasharray="4"/>'
    )
    parts.append(
        f'<text x="{_W / 2}" y="{_H - 6}" text-anchor="middle" font-size="11">'
        "false positive rate (goods refused)</text></svg>"
    )
    return "".join(parts)


def _bars(
    rows: list[dict[str, Any]], keys: tuple[str, str], colors: tuple[str, str], title: str
) -> str:
    parts = _axes(title)
    values = [row[k] or 0 for row in rows for k in keys]
    top = max(values) or 1
    slot = (_W - _PAD - 10) / len(rows)
    for i, row in enumerate(rows):
        for j, (key, color) in enumerate(zip(keys, colors, strict=True)):
            value = row[key] or 0
            height = value / top * (_H - _PAD - 30)
            x = _PAD + i * slot + j * slot / 2 + 1
            parts.append(
                f'<rect x="{x:.1f}" y="{_H - _PAD - height:.1f}" width="{slot / 2 - 2:.1f}" '
                f'height="{height:.1f}" fill="{color}"><title>{row["band"]}: {key} '
                f"{value}</title></rect>"
            )
        if i % 2 == 0:
            parts.append(
                f'<text x="{_PAD + i * slot:.1f}" y="{_H - _PAD + 12}" font-size="9">'
                f"{row['band'].split('-')[0]}</text>"
            )
    parts.append(
        f'<text x="{_W - 10}" y="34" text-anchor="end" font-size="11">'
        f'<tspan fill="{colors[0]}">■ {keys[0]}</tspan> '
        f'<tspan fill="{colors[1]}">■ {keys[1]}</tspan></text></svg>'
    )
    return "".join(parts)


def evaluation_html(spec: ScorecardSpec, evaluation: Evaluation, data_name: str) -> str:
    """A self-contained HTML page: headline figures, ROC, distributions, calibration."""
    e = evaluation
    rows = "".join(
        f"<tr><td>{c['band']}</td><td>{c['n']}</td><td>{c['predicted_bad_rate']}</td>"
        f"<td>{'' if c['observed_bad_rate'] is None else c['observed_bad_rate']}</td></tr>"
        for c in e.calibration
    )
    psi = "" if e.psi is None else f"<li>Population stability index: {e.psi:.4f}</li>"
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>Scorecard {html.escape(spec.version)}</title>"
        "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}"
        "svg{margin:4px;border:1px solid #eee}td,th{padding:2px 8px;text-align:right}</style>"
        f"<h1>Scorecard {html.escape(spec.version)}</h1>"
        f"<p>Evaluated on {html.escape(data_name)}: {e.n} rows, {e.bads} bad.</p>"
        f"<ul><li>AUC {e.auc:.4f}</li><li>Gini {e.gini:.4f}</li>"
        f"<li>KS {e.ks:.4f} (at score {e.ks_score})</li>{psi}</ul>"
        f"{_roc(e.roc, e.auc)}"
        f"{_bars(e.distribution, ('goods', 'bads'), _GOOD_BAD, 'Score distribution')}"
        f"{_bars(e.calibration, _CALIBRATION, _PREDICTED_OBSERVED, 'Calibration by score band')}"
        "<h2>Calibration</h2><table><tr><th>band</th><th>n</th><th>predicted bad rate</th>"
        f"<th>observed bad rate</th></tr>{rows}</table></html>"
    )


def frontier_svg(
    points: Sequence[FrontierPoint],
    chosen: str,
    min_air: float,
    marks: Sequence[FrontierPoint] = (),
) -> str:
    """AUC (up) against worst adverse impact ratio (right): every candidate, the frontier
    joined and filled, the chosen one ringed in red, ``min_air`` dashed, and ``marks``
    (scorecards measured apart, e.g. a champion) as labelled squares."""
    everything = [*points, *marks]
    low = min(p.auc for p in everything)
    high = max(p.auc for p in everything)
    span = max(high - low, 0.002)
    low, high = low - span * 0.08, high + span * 0.08
    # the ratio axis starts a little left of the threshold or the lowest ratio, on a 0.05 step
    left = max(
        0.0, math.floor((min(min_air, *(p.worst_ratio for p in everything)) - 0.03) * 20) / 20
    )

    def place(p: FrontierPoint) -> tuple[float, float]:
        return _xy((p.worst_ratio - left) / (1.02 - left), (p.auc - low) / (high - low))

    parts = _axes("AUC against worst adverse impact ratio")
    x_line, _ = _xy((min_air - left) / (1.02 - left), 0)
    parts.append(
        f'<line x1="{x_line:.1f}" y1="24" x2="{x_line:.1f}" y2="{_H - _PAD}" stroke="#cf222e" '
        f'stroke-dasharray="4"><title>threshold {min_air:g}</title></line>'
    )
    front = sorted((p for p in points if p.on_frontier), key=lambda p: p.worst_ratio)
    if len(front) > 1:
        line = " ".join("{:.1f},{:.1f}".format(*place(p)) for p in front)
        parts.append(f'<polyline fill="none" stroke="#1f6feb" points="{line}"/>')
    for p in points:
        x, y = place(p)
        fill = "#1f6feb" if p.on_frontier else "none"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="#1f6feb">'
            f"<title>{html.escape(p.name)}: AUC {p.auc:.4f}, worst ratio {p.worst_ratio:.3f}"
            "</title></circle>"
        )
        if p.name == chosen:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" stroke="#cf222e" '
                f'stroke-width="2" class="chosen"><title>chosen: {html.escape(p.name)}</title>'
                "</circle>"
            )
    for p in marks:
        x, y = place(p)
        parts.append(
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#bf8700">'
            f"<title>{html.escape(p.name)}: AUC {p.auc:.4f}, worst ratio {p.worst_ratio:.3f}"
            f'</title></rect><text x="{x + 7:.1f}" y="{y - 6:.1f}" font-size="10">'
            f"{html.escape(p.name)}</text>"
        )
    for value in (left, min_air, 1.0):
        x, _ = _xy((value - left) / (1.02 - left), 0)
        parts.append(
            f'<text x="{x:.1f}" y="{_H - _PAD + 12}" font-size="9" text-anchor="middle">'
            f"{value:.2f}</text>"
        )
    for value in (low, high):
        _, y = _xy(0, (value - low) / (high - low))
        parts.append(f'<text x="2" y="{y:.1f}" font-size="9">{value:.3f}</text>')
    parts.append(
        f'<text x="{_W / 2}" y="{_H - 6}" text-anchor="middle" font-size="11">'
        "worst significant adverse impact ratio (1 = no significant gap)</text></svg>"
    )
    return "".join(parts)


def frontier_html(version: str, record: FairnessRecord, marks: Sequence[FrontierPoint] = ()) -> str:
    """A self-contained page: the search's frontier chart and every candidate."""
    rows = "".join(
        f"<tr{' class=chosen' if p.name == record.chosen else ''}><td>{html.escape(p.name)}</td>"
        f"<td>{p.auc:.4f}</td><td>{p.worst_ratio:.3f}</td><td>{'yes' if p.passes else 'no'}</td>"
        f"<td>{'yes' if p.on_frontier else ''}</td></tr>"
        for p in [*record.frontier, *marks]
    )
    cutoffs = ", ".join(str(c) for c in record.cutoffs)
    return (
        "<!doctype html><html lang='en'><meta charset='utf-8'>"
        f"<title>Fairness frontier of {html.escape(version)}</title>"
        "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}"
        "svg{margin:4px;border:1px solid #eee}td,th{padding:2px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}tr.chosen{background:#fdd}</style>"
        f"<h1>Fairness frontier of {html.escape(version)}</h1>"
        f"<p>Alternatives to {html.escape(record.start)}, measured at cut-offs {cutoffs} for "
        f"{html.escape(', '.join(record.attributes))} (measured only, never inputs); AUC "
        f"{html.escape(record.auc_measure)}, seed {record.seed}. A candidate passes when no "
        f"group's significant adverse impact ratio is below {record.min_air:g}. Chosen: "
        f"<b>{html.escape(record.chosen)}</b>.</p>"
        f"{frontier_svg(record.frontier, record.chosen, record.min_air, marks)}"
        "<table><tr><th>candidate</th><th>AUC</th><th>worst ratio</th><th>passes</th>"
        f"<th>frontier</th></tr>{rows}</table></html>"
    )
