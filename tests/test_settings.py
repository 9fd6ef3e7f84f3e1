from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from socialcredit.errors import ConfigurationError
from socialcredit.lake.workspace import Workspace
from socialcredit.settings import Settings, utc_now, utc_today

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert Settings.model_fields[name].description
    assert f"SOCIALCREDIT_{name.upper()}" in README


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOCIALCREDIT_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("SOCIALCREDIT_THREADS", "1")
    settings = Settings()
    assert settings.workspace == tmp_path
    assert settings.threads == 1


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```", 2)[1].splitlines()
    assert block[1:3] == [
        "pip install . && socialcredit demo",
        "pip install '.[test]' && python -m pytest",
    ]


def test_unknown_engine_is_a_clear_error(tmp_path: Path) -> None:
    space = Workspace.open(Settings(workspace=tmp_path, engine="oracle://db"))
    with pytest.raises(ConfigurationError, match="supported engines: duckdb"):
        space.engine()


def test_now_is_utc_without_a_time_zone() -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    moment, whole, today = utc_now(), utc_now(whole_seconds=True), utc_today()
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert moment.tzinfo is None
    assert whole.tzinfo is None
    assert before <= moment <= after
    assert whole.microsecond == 0
    assert before.replace(microsecond=0) <= whole <= after
    assert before.date() <= today <= after.date()
