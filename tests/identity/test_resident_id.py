from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.errors import IdentityError
from socialcredit.identity import check_character, parse
from tests.utils.identity import stdnum_valid


def ours_valid(number: str) -> bool:
    try:
        parse(number)
    except IdentityError:
        return False
    return True


@pytest.mark.parametrize(
    ("number", "sex", "birth"),
    [
        ("11010519491231002X", "F", dt.date(1949, 12, 31)),
        ("11010519491231002x", "F", dt.date(1949, 12, 31)),
        ("360426199101010071", "M", dt.date(1991, 1, 1)),
        (" 360426 199101010071 ", "M", dt.date(1991, 1, 1)),
    ],
)
def test_valid_numbers_give_their_parts(number: str, sex: str, birth: dt.date) -> None:
    person = parse(number)
    assert (person.sex, person.birth_date, len(person.number)) == (sex, birth, 18)
    assert stdnum_valid(person.number)


@pytest.mark.parametrize(
    ("number", "complaint"),
    [
        ("1101051949123100", "malformed"),
        ("11010519491231002Y", "malformed"),
        ("A1010519491231002X", "malformed"),
        ("110105194912310021", "check character '1', expected 'X'"),
        ("110105194902300025", "not a calendar date"),
        ("999999199001010011", "region code 999999"),
        ("110103201501010012", "region code 110103 was not assigned in 2015"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(number: str, complaint: str) -> None:
    if "check character" not in complaint and "malformed" not in complaint:
        number = number[:17] + check_character(number[:17])
    with pytest.raises(IdentityError, match=complaint):
        parse(number)
    assert not stdnum_valid(number)


def test_identity_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="malformed"):
        parse("nonsense")


digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


@settings(max_examples=400)
@given(digits17, st.sampled_from("0123456789X"))
def test_agrees_with_stdnum_on_random_numbers(first17: str, check: str) -> None:
    number = first17 + check
    assert ours_valid(number) == stdnum_valid(number)


@settings(max_examples=300)
@given(
    st.sampled_from(["110105", "110108", "310115", "440305", "510104", "110103", "130000"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(0, 999),
)
def test_agrees_with_stdnum_on_well_formed_numbers(region: str, birth: dt.date, seq: int) -> None:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    number = first17 + check_character(first17)
    assert ours_valid(number) == stdnum_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "1101051949123100²X",  # a superscript two: str.isdigit() says True, int() refuses it
        "１１０１０５１９４９１２３１００２X",  # full-width digits: int() reads them as 0-9
        "11010519491231002X".replace("1", "١"),  # Arabic-Indic digit one
        "11010519491231002X".replace("0", "𝟎"),  # mathematical bold digit zero
    ],
)
def test_only_ascii_digits_are_digits(number: str) -> None:
    with pytest.raises(IdentityError, match="malformed"):
        parse(number)
