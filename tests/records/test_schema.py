from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcredit.errors import InputError
from socialcredit.records import CATEGORIES, category, json_schema
from socialcredit.records.docs import records_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_accepted_categories() -> None:
    assert set(CATEGORIES) == {
        "payment",
        "contract",
        "judgment",
        "verification",
        "account_flow",
        "guarantee",
    }


@pytest.mark.parametrize("name", ["activity", "relationship", "religion", ""])
def test_other_categories_are_refused_with_the_list(name: str) -> None:
    with pytest.raises(InputError, match="accepted categories: payment, contract"):
        category(name)


@pytest.mark.parametrize("name", sorted(CATEGORIES))
def test_json_schema_lists_every_field(name: str) -> None:
    cat = CATEGORIES[name]
    schema = json_schema(cat)
    assert set(schema["properties"]) == {f.name for f in cat.all_fields} | {"partner_id"}
    assert set(schema["required"]) == {f.name for f in cat.all_fields if f.required}
    assert schema["$id"].endswith(f"/v{cat.version}")
    json.dumps(schema)


def test_docs_records_md_is_up_to_date() -> None:
    """docs/records.md is generated from the schemas; regenerate with
    `python -m socialcredit.records.docs > docs/records.md`."""
    assert (ROOT / "docs" / "records.md").read_text(encoding="utf-8") == records_markdown()


def test_machine_readable_schemas_are_up_to_date() -> None:
    for name, cat in CATEGORIES.items():
        path = ROOT / "docs" / "schemas" / f"{name}.v{cat.version}.schema.json"
        assert json.loads(path.read_text(encoding="utf-8")) == json_schema(cat), path
