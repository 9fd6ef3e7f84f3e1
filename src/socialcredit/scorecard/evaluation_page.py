"""A scorecard's evaluation as one HTML page, with its charts drawn as inline
SVG (no plotting library, no asset from the network).
"""

from __future__ import annotations

import html
from typing import Any

from socialcredit.scorecard.metrics import Evaluation
from socialcredit.scorecard.spec import ScorecardSpec

__all__ = ["evaluation_html"]

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
