"""No ``assert`` on a request path: ``python -O`` strips them, and a failed one is a
500 where the client deserves a reason. The API checks explicitly and answers in the
one error shape."""

from __future__ import annotations

import ast
from pathlib import Path

import socialcredit.api

API = Path(socialcredit.api.__file__).parent


def test_no_assert_in_the_api() -> None:
    found = [
        f"{path.relative_to(API.parent)}:{node.lineno}"
        for path in sorted(API.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert not found, found
