"""The bulk (engine SQL) checks give the same verdict as the scalar ones and stdnum."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.engines import connect
from socialcredit.errors import IdentityError
from socialcredit.identity import SubjectKeyer, check_character, parse
from socialcredit.identity import sql as id_sql
from socialcredit.lake.schema import ensure_lake
from socialcredit.simulate.people import make_population
from tests.utils.identity import stdnum_valid


def _engine_verdicts(numbers: list[str]) -> list[str | None]:
    engine = connect("duckdb://:memory:")
    ensure_lake(engine)
    engine.create_table_from_arrow("ids", pa.table({"raw": numbers}), temporary=True)
    col = id_sql.normalised("raw")
    result = engine.query(
        "check", f"SELECT {id_sql.error_code(col)} AS code FROM ids ORDER BY rowid"
    )
    engine.close()
    return result.column("code").to_pylist()


def _mixed_numbers(seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    numbers = []
    for _ in range(300):
        region = rng.choice(["110105", "110103", "310115", "999999", "440305", "110100"])
        year, month, day = rng.integers(1940, 2026), rng.integers(1, 14), rng.integers(1, 32)
        first17 = f"{region}{year:04d}{month:02d}{day:02d}{rng.integers(0, 1000):03d}"
        check = check_character(first17) if rng.random() < 0.8 else str(rng.integers(0, 10))
        numbers.append(first17 + check)
    return [*numbers, "", "12345", "11010519491231002x", "11010519491231002Y"]


def test_engine_check_matches_scalar_and_stdnum() -> None:
    numbers = _mixed_numbers(1)
    codes = _engine_verdicts(numbers)
    for number, code in zip(numbers, codes, strict=True):
        try:
            parse(number)
            scalar_ok = True
        except IdentityError:
            scalar_ok = False
        assert (code is None) == scalar_ok == stdnum_valid(number.upper()), (number, code)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet="0123456789X", min_size=17, max_size=19), min_size=1, max_size=30))
def test_engine_check_matches_stdnum_on_random_text(numbers: list[str]) -> None:
    codes = _engine_verdicts(numbers)
    for number, code in zip(numbers, codes, strict=True):
        assert (code is None) == stdnum_valid(number), (number, code)


def test_generated_population_is_all_valid() -> None:
    import datetime as dt

    pop = make_population(np.random.default_rng(3), 2000, dt.date(2026, 6, 30), 36)
    assert len(set(pop.resident_id.tolist())) == 2000
    assert all(stdnum_valid(n) for n in pop.resident_id.tolist())
    assert _engine_verdicts(pop.resident_id.tolist()) == [None] * 2000


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=80), st.lists(st.text(max_size=40), min_size=1, max_size=20))
def test_sql_hmac_equals_python_hmac(secret: str, messages: list[str]) -> None:
    keyer = SubjectKeyer(secret)
    engine = connect("duckdb://:memory:")
    engine.create_table_from_arrow("m", pa.table({"v": messages}), temporary=True)
    keys = engine.query("keys", f"SELECT {keyer.sql('v')} AS k FROM m ORDER BY rowid")
    engine.close()
    assert keys.column("k").to_pylist() == [keyer.key(m) for m in messages]


def test_key_is_hmac_sha256_truncated() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"s", b"11010519491231002X", hashlib.sha256).hexdigest()[:32]
    assert SubjectKeyer("s").key("11010519491231002X") == expected
    assert SubjectKeyer("s").key("x") != SubjectKeyer("t").key("x")


def test_engine_check_refuses_digits_other_than_ascii() -> None:
    numbers = ["1101051949123100²X", "１１０１０５１９４９１２３１００２X", "11010519491231002X"]
    assert _engine_verdicts(numbers) == ["format", "format", None]
