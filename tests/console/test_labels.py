"""The console names every record category and dimension in both of its languages:
a category added through the registry shows a label, not its key."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from socialcredit.records import CATEGORIES

I18N = resources.files("socialcredit.console").joinpath("static/js/i18n.js").read_text("utf-8")
#: the English and the Chinese tables, in the order the file holds them
TABLES = re.split(r"\n  zh: \{", I18N, maxsplit=1)


def test_the_file_holds_an_english_and_a_chinese_table() -> None:
    assert len(TABLES) == 2


@pytest.mark.parametrize("language", [0, 1], ids=["en", "zh"])
@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_category_has_a_label(language: int, category: str) -> None:
    assert f'"cat.{category}":' in TABLES[language]
