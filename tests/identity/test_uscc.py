"""Organisations' unified social credit codes: the scalar and the engine checks give
python-stdnum's verdict, and organisations are keyed apart from people."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from socialcredit.engines import connect
from socialcredit.errors import IdentityError
from socialcredit.identity import SubjectKeyer, uscc


def _engine_verdicts(codes: list[str]) -> list[str | None]:
    engine = connect("duckdb://:memory:")
    engine.create_table_from_arrow("codes", pa.table({"raw": codes}), temporary=True)
    col = uscc.normalised_sql("raw")
    result = engine.query(
        "check", f"SELECT {uscc.error_code_sql(col)} AS code FROM codes ORDER BY rowid"
    )
    engine.close()
    return result.column("code").to_pylist()


def _ours(code: str) -> bool:
    try:
        uscc.parse(code)
    except IdentityError:
        return False
    return True


def _mixed(seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    codes = []
    for _ in range(300):
        body = "".join(rng.choice(list(uscc.ALPHABET), 9))
        first17 = f"91{rng.integers(110000, 660000)}{body}"
        check = uscc.check_character(first17) if rng.random() < 0.7 else rng.choice(list("0AX"))
        codes.append(first17 + check)
    return [
        *codes,
        "",
        "12345",
        "91110000600037341l",
        "9111 0000-6000 3734 1L",
        "A1110000600037341L",
    ]


def test_scalar_and_engine_checks_agree_with_stdnum() -> None:
    codes = _mixed(3)
    for code, verdict in zip(codes, _engine_verdicts(codes), strict=True):
        expected = stdnum_uscc.is_valid(code)
        assert _ours(code) is expected, code
        assert (verdict is None) is expected, (code, verdict)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.text(alphabet=uscc.ALPHABET + "IOSVZa -", min_size=16, max_size=20), max_size=30)
)
def test_engine_check_matches_stdnum_on_random_text(codes: list[str]) -> None:
    for code, verdict in zip(codes, _engine_verdicts(codes), strict=True):
        assert (verdict is None) is stdnum_uscc.is_valid(code), (code, verdict)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9111000060003734", "malformed"),
        ("91110000600037341I", "outside"),
        ("91110000600037341X", "check character 'X', expected 'L'"),
    ],
)
def test_a_bad_code_is_refused_with_the_reason(code: str, message: str) -> None:
    with pytest.raises(IdentityError, match=message):
        uscc.parse(code)


def test_organisations_are_keyed_apart_from_people() -> None:
    keyer = SubjectKeyer("secret")
    code = "91110000600037341L"
    assert keyer.key(uscc.key_text(code)) != keyer.key(code)
    engine = connect("duckdb://:memory:")
    sql = keyer.sql(uscc.key_text_sql("'" + code + "'"))
    assert engine.scalar("key", f"SELECT {sql}") == keyer.key(uscc.key_text(code))
    engine.close()
