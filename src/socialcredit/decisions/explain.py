"""A decision explained in English and Chinese: the band of the policy the score
falls in, what the band decides and on which terms (prices included), how those
compare with the policy's best terms, and the principal reasons the score is not
higher. Pure text from the policy; the decision's own fields carry the numbers.

>>> from socialcredit.decisions.policy import default_policy
>>> policy = default_policy()
>>> en, zh = explain(policy, "loan", 672, reasons=[])
>>> en.split(":")[0]
'Score 672 falls in the 650-699 band of credit policy credit-default-2 for a personal loan'
>>> "年利率 5.9%" in zh
True
"""

from __future__ import annotations

from typing import Any

from socialcredit.decisions.policy import ACTIONS, TERMS, ActionRule, Band, CreditPolicy
from socialcredit.scorecard.scaling import MAX_SCORE

__all__ = ["CONTESTED", "NO_SCORE", "explain", "terms_text"]

#: Notes that are not about a band, in English and Chinese.
NO_SCORE = (
    "no published score: not enough credit history to decide automatically",
    "没有已发布的信用分：信用记录不足，无法自动决定",
)
CONTESTED = (
    "the person contests a record: referred to a person instead of declined",
    "本人对记录提出了异议：转人工处理，不自动拒绝",
)

_OUTCOMES = {
    "approve": ("approve", "批准"),
    "refer": ("refer to a person", "转人工审核"),
    "decline": ("decline", "拒绝"),
}


def _number(value: float) -> str:
    """``300,000``, ``3.9``, ``12``: thousands separated, no trailing zeros."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def terms_text(action: str, terms: dict[str, float], lang: str) -> str:
    """The band's terms as a phrase, in the order the action lists them."""
    zh = lang == "zh"
    parts = [
        (TERMS[name].zh if zh else TERMS[name].en).format(_number(terms[name]))
        for name in ACTIONS[action].terms
        if name in terms
    ]
    return ("，" if zh else ", ").join(parts)


def _upper(rule: ActionRule, band: Band) -> int:
    """The highest score in ``band``: one below the band above it."""
    at = rule.bands.index(band)
    return MAX_SCORE if at == 0 else rule.bands[at - 1].min_score - 1


def _labels(reasons: list[dict[str, Any]], zh: bool) -> list[str]:
    key = "label_zh" if zh else "label"
    return [str(r.get(key) or r.get("label") or r["feature"]) for r in reasons]


def explain(
    policy: CreditPolicy, action: str, score: int, *, reasons: list[dict[str, Any]]
) -> tuple[str, str]:
    """The explanation of the band ``score`` falls in, as (English, Chinese).

    ``reasons`` are the principal reasons shown with the decision (empty when it
    is not adverse); each may carry ``label`` and ``label_zh``."""
    rule = policy.actions[action]
    band = rule.band_for(score)
    best = rule.best()
    named = ACTIONS[action]
    span = f"{band.min_score}-{_upper(rule, band)}"
    outcome_en, outcome_zh = _OUTCOMES[band.outcome]
    en = [
        f"Score {score} falls in the {span} band of credit policy {policy.version} for "
        f"{named.en}: {outcome_en}"
        + (f" with {terms_text(action, band.terms, 'en')}." if band.terms else ".")
    ]
    zh = [
        f"信用分 {score} 位于信用政策 {policy.version} 中{named.zh}的 {span} 分段："
        f"{outcome_zh}" + (f"，{terms_text(action, band.terms, 'zh')}。" if band.terms else "。")
    ]
    approving = [b.min_score for b in rule.bands if b.outcome == "approve"]
    if band is best and band.outcome == "approve":
        en.append(f"These are the best terms the policy offers for {named.en}.")
        zh.append(f"这是该政策对{named.zh}的最优条件。")
    elif band.outcome == "approve" and best.outcome == "approve":
        best_en, best_zh = (
            terms_text(action, best.terms, "en"),
            terms_text(action, best.terms, "zh"),
        )
        en.append(
            f"The best band starts at {best.min_score}" + (f": {best_en}." if best_en else ".")
        )
        zh.append(f"最优分段自 {best.min_score} 分起" + (f"：{best_zh}。" if best_zh else "。"))
    elif band.outcome != "approve" and approving:
        en.append(f"The policy approves {named.en} from a score of {min(approving)}.")
        zh.append(f"该政策自 {min(approving)} 分起批准{named.zh}。")
    if reasons:
        en.append(
            f"Principal reasons the score is not higher: {'; '.join(_labels(reasons, False))}."
        )
        zh.append(f"分数未能更高的主要原因：{'；'.join(_labels(reasons, True))}。")
    return " ".join(en), "".join(zh)
