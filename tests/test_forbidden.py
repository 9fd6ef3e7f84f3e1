from __future__ import annotations

import pytest

from socialcredit.errors import ForbiddenDataError
from socialcredit.records.forbidden import CATEGORIES, ensure_allowed, match


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("religion", "religion"),
        ("Religious_Affiliation", "religion"),
        ("political_view", "political_opinion"),
        ("politicalView", "political_opinion"),
        ("POLITICAL-OPINION", "political_opinion"),
        ("party_member", "political_opinion"),
        ("views_on_government", "political_opinion"),
        ("petitioner_flag", "political_opinion"),
        ("ethnicity", "ethnicity"),
        ("race", "ethnicity"),
        ("民族", "ethnicity"),
        ("health_status", "health"),
        ("medical_history", "health"),
        ("bloodtype", "health"),
        ("blood_type", "health"),
        ("sexual_orientation", "sex_life_or_orientation"),
        ("orientation", "sex_life_or_orientation"),
        ("fingerprint_hash", "biometric_or_genetic"),
        ("face_template", "biometric_or_genetic"),
        ("dna_marker", "biometric_or_genetic"),
        ("genetic_risk", "biometric_or_genetic"),
        ("trade_union", "trade_union_membership"),
        ("union_member", "trade_union_membership"),
        ("工会会员", "trade_union_membership"),
        ("宗教信仰", "religion"),
        ("政治面貌", "political_opinion"),
        ("friend_id", "social_relationships"),
        ("wechat_friends", "social_relationships"),
        ("contact_list", "social_relationships"),
        ("followerCount", "social_relationships"),
        ("relative_of_borrower", "social_relationships"),
        ("classmate", "social_relationships"),
        ("social_graph_degree", "social_relationships"),
        ("好友数量", "social_relationships"),
        ("联系人电话", "social_relationships"),
        ("粉丝数", "social_relationships"),
        ("关注", "social_relationships"),
        ("亲友", "social_relationships"),
    ],
)
def test_forbidden_names_are_matched(name: str, rule: str) -> None:
    found = match(name)
    assert found is not None
    assert found.rule == rule


@pytest.mark.parametrize(
    "name",
    [
        "record_id",
        "resident_id",
        "amount_due",
        "face_value",
        "union_pay",
        "trace_id",
        "kind",
        "status",
        "authority",
        "case_ref",
        "observed_date",
        "since_date",
        "partner_id",
        "principal_id",
        "principal_kind",
        "contract_ref",
        "amount_called",
        "notice_date",
        "guarantor",
        "co_borrower",
        "role",
    ],
)
def test_ordinary_names_pass(name: str) -> None:
    assert match(name) is None


def test_refusal_names_field_and_rule() -> None:
    with pytest.raises(ForbiddenDataError) as caught:
        ensure_allowed("political_view", what="column")
    assert caught.value.field == "political_view"
    assert caught.value.rule == "political_opinion"
    assert "political_view" in str(caught.value)
    assert "political_opinion" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_category_has_words_and_a_description() -> None:
    for rule, (description, words, chinese) in CATEGORIES.items():
        assert description, rule
        assert words, rule
        assert chinese, rule
        for word in words:
            found = match(word)
            assert found is not None, word
            assert found.rule == rule, word
