"""A certificate as one printable, self-contained HTML page, in Chinese or English:
what it discloses, how long it is valid, and a QR code holding the signed
credential itself (``segno``, an inline SVG), so that whoever receives the paper
can scan it and check it offline. No asset is fetched from anywhere.
"""

from __future__ import annotations

import html
import json
from typing import Any, Literal

import segno

from socialcredit.features import DIMENSIONS
from socialcredit.scorecard import TIER

__all__ = ["LABELS", "page_html", "qr_svg"]

Lang = Literal["en", "zh"]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("Credit certificate", "信用证明"),
    "name": ("Name (as given by the holder)", "姓名（持有人填写）"),
    "tier": ("Tier", "信用等级"),
    "band": ("Score band", "分数区间"),
    "score": ("Score", "信用分"),
    "range": ("on a scale of", "分值范围"),
    "subscores": ("Subscores", "分项得分"),
    "as_of": ("Score as of", "评分日期"),
    "valid": ("Valid", "有效期"),
    "to": ("to", "至"),
    "id": ("Certificate", "证明编号"),
    "issuer": ("Issued by", "签发方"),
    "only": (
        "This certificate says only what is printed above: its holder chose what to "
        "disclose. It holds no identity number, address or record.",
        "本证明仅包含以上内容，由持有人自行选择披露范围；不含身份证号、住址或任何信用记录。",
    ),
    "check": (
        "To check it, scan the code (it holds the signed certificate) and verify the "
        "signature with the issuer's published keys and its revocation status list, both "
        "fetched whole: for example socialcredit certificate verify FILE. The issuer is "
        "not told whose certificate is checked, or by whom.",
        "核验方法：扫描二维码（其中即为签名的证明），用签发方公布的公钥及撤销状态列表（整体下载）"
        "核验签名，例如 socialcredit certificate verify 文件。签发方不会得知谁在核验谁的证明。",
    ),
    "qr": ("QR code holding the signed certificate", "含签名证明的二维码"),
}


def _t(key: str, lang: Lang) -> str:
    en, zh = LABELS[key]
    return zh if lang == "zh" else en


def qr_svg(credential: dict[str, Any], title: str = "") -> str:
    """The credential, as compact JSON, in a QR code drawn as an inline SVG."""
    compact = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    code = segno.make_qr(compact, error="l")
    return code.svg_inline(scale=3, title=title or None, svgclass="qr", lineclass=None)


def _when(stamp: Any) -> str:
    """``2026-03-01T09:30:00Z`` as ``2026-03-01 09:30:00 UTC``."""
    return html.escape(str(stamp or "").replace("T", " ").replace("Z", " UTC"))


def _range(value: dict[str, Any]) -> str:
    return f"{value['min']}–{value['max']}"


def _rows(subject: dict[str, Any], lang: Lang) -> list[tuple[str, str]]:
    zh = lang == "zh"
    rows: list[tuple[str, str]] = []
    if "name" in subject:
        rows.append((_t("name", lang), str(subject["name"])))
    tier = TIER.get(str(subject.get("tier")))
    if tier is not None:
        rows.append((_t("tier", lang), tier.name_zh if zh else tier.name_en))
    scale = subject.get("scoreRange")
    scale_text = f" ({_t('range', lang)} {_range(scale)})" if isinstance(scale, dict) else ""
    if "scoreBand" in subject:
        rows.append((_t("band", lang), _range(subject["scoreBand"]) + scale_text))
    if "score" in subject:
        rows.append((_t("score", lang), f"{subject['score']}{scale_text}"))
    rows.append((_t("as_of", lang), str(subject.get("scoreAsOf", ""))))
    return rows


def _subscores(subject: dict[str, Any], lang: Lang) -> str:
    values = subject.get("subscores")
    if not isinstance(values, dict):
        return ""
    cells = []
    for dimension, value in values.items():
        known = DIMENSIONS.get(dimension)
        name = dimension if known is None else known.name_zh if lang == "zh" else known.name_en
        shown = _range(value) if isinstance(value, dict) else str(value)
        cells.append(f"<tr><th>{html.escape(name)}</th><td>{html.escape(shown)}</td></tr>")
    return f"<h2>{_t('subscores', lang)}</h2><table>{''.join(cells)}</table>"


def page_html(credential: dict[str, Any], lang: Lang = "en") -> str:
    """The printable page of a signed ``credential``."""
    subject: dict[str, Any] = credential.get("credentialSubject") or {}
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in _rows(subject, lang)
    )
    starts, ends = _when(credential.get("validFrom")), _when(credential.get("validUntil"))
    valid = f"{starts} {_t('to', lang)} {ends}"
    certificate_id = str(credential.get("id", "")).removeprefix("urn:uuid:")
    return (
        f"<!doctype html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_t('title', lang)}</title>"
        "<style>body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;"
        "max-width:46rem;margin:1.5rem auto;padding:0 1rem;color:#1d2430}"
        "h1{margin:0 0 1rem}table{border-collapse:collapse;margin:0.5rem 0 1rem}"
        "th,td{text-align:left;padding:0.3rem 0.8rem 0.3rem 0;vertical-align:top}"
        "th{font-weight:600}.qr{width:100%;max-width:22rem;height:auto;display:block;"
        "margin:1rem 0}.small{font-size:0.85rem;color:#5b6472;word-break:break-all}"
        "@media print{body{margin:0}}</style>"
        f"<h1>{_t('title', lang)}</h1>"
        f"<table>{rows}<tr><th>{_t('valid', lang)}</th><td>{valid}</td></tr></table>"
        f"{_subscores(subject, lang)}"
        f"<p>{_t('only', lang)}</p>"
        f"{qr_svg(credential, _t('qr', lang))}"
        f"<p class='small'>{_t('id', lang)}: {html.escape(certificate_id)}<br>"
        f"{_t('issuer', lang)}: {html.escape(str(credential.get('issuer', '')))}</p>"
        f"<p class='small'>{_t('check', lang)}</p>"
    )
