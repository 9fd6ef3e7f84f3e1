"""The package's public surface: a version, the names the README's example uses,
and a root that keeps only what belongs to the whole package."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

import socialcredit

ROOT = Path(socialcredit.__file__).parent


def test_version_is_the_installed_distribution_version() -> None:
    assert socialcredit.__version__ == version("socialcredit")


@pytest.mark.parametrize("name", [n for n in socialcredit.__all__ if n != "__version__"])
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(socialcredit, name)
    assert callable(value)
    assert value.__module__.startswith("socialcredit.")


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(socialcredit.__all__) == sorted(["__version__", *socialcredit._PUBLIC])


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = socialcredit.nope  # type: ignore[attr-defined]


def test_package_root_keeps_at_most_four_modules() -> None:
    modules = sorted(p.name for p in ROOT.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py", "errors.py", "settings.py"]
