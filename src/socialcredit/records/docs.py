"""Generate docs/records.md and docs/schemas/*.schema.json from the record schemas.

python -m socialcredit.records.docs            # print docs/records.md
python -m socialcredit.records.docs --write    # write both into ./docs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from socialcredit.records import CATEGORIES, json_schema
from socialcredit.records.forbidden import CATEGORIES as FORBIDDEN

__all__ = ["records_markdown", "write_docs"]


def records_markdown() -> str:
    lines = [
        "# Record schemas",
        "",
        "Generated from `socialcredit.records` by `python -m socialcredit.records.docs --write`;",
        "a test fails when this page and the code disagree. Machine-readable JSON Schemas are",
        "in [`schemas/`](schemas/). `socialcredit schema [CATEGORY]` prints the same.",
        "",
        "Partners send one file per category as CSV (with a header), JSON Lines or Parquet.",
        "Every record carries the common columns below; `partner_id` may be present and must",
        "then equal the partner the batch is sent for. Dates are `YYYY-MM-DD`; amounts are yuan",
        "with up to two decimals. Unknown columns are refused, so that nothing is stored that",
        "the schema does not name.",
        "",
        "## What is refused",
        "",
        "A column or category value that names a special category of personal data, or what",
        "a person buys or how they live, makes the whole batch fail with an error naming the",
        "column and the rule:",
        "",
        "| rule | what |",
        "|---|---|",
    ]
    lines += [f"| `{rule}` | {desc} |" for rule, (desc, _, _) in FORBIDDEN.items()]
    lines += [
        "",
        "Names are matched on their words and common synonyms, in English and Chinese",
        "(`socialcredit/records/forbidden.py` lists them).",
        "",
        "Only records of a person's own obligations and verified facts are accepted. There is",
        "no category for purchases, leisure time or contacts between people: the platform does",
        "not score what people buy, how they spend their time or whom they know. A guarantee",
        "(`guarantee`) is an obligation the person signed for someone else's debt: the other",
        "party is checked and replaced by a pseudonymous key, never stored or shown.",
        "",
    ]
    for cat in CATEGORIES.values():
        lines += [
            f"## `{cat.name}` (version {cat.version})",
            "",
            cat.description,
            "",
        ]
        if cat.consent:
            lines += [
                f"Shared only with the person's consent (purpose `{cat.consent}`): a row is "
                "accepted only while the person holds a live consent for the furnishing "
                "partner and that purpose, and is rejected otherwise (rule "
                "`consent_required`); it counts while the consent lasts and no consent for it "
                "was withdrawn after it came in (see docs/scoring.md).",
                "",
            ]
        lines += [
            "| column | type | required | meaning |",
            "|---|---|---|---|",
        ]
        for field in cat.all_fields:
            kind: str = field.type
            if field.choices:
                kind += ": " + ", ".join(f"`{c}`" for c in field.choices)
            lines.append(
                f"| `{field.name}` | {kind} | {'yes' if field.required else 'no'} | "
                f"{field.description} |"
            )
        lines += ["", "Rules across columns:", ""]
        lines += [f"- `{rule.code}` ({rule.field}): {rule.message}" for rule in cat.all_rules]
        lines.append("")
    return "\n".join(lines)


def write_docs(folder: Path) -> None:
    (folder / "schemas").mkdir(parents=True, exist_ok=True)
    (folder / "records.md").write_text(records_markdown(), encoding="utf-8")
    for name, cat in CATEGORIES.items():
        path = folder / "schemas" / f"{name}.v{cat.version}.schema.json"
        path.write_text(json.dumps(json_schema(cat), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_docs(Path("docs"))
    else:
        sys.stdout.write(records_markdown())
