"""socialcredit keys create --expires-in: a key that stops working after a while."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from socialcredit.lake.workspace import Workspace
from socialcredit.settings import Settings
from socialcredit.store.models import Credential
from tests.utils.cli import as_json, run

SECRET = "key-expiry-cli-test-secret-0123456789"


def _partner(ws: Path) -> None:
    added = run("partners", "add", "p-bank", "--name", "P", "--kind", "bank", "-w", str(ws))
    assert added.returncode == 0, added.stderr


def _created(ws: Path, *extra: str) -> dict[str, object]:
    made = run(
        "keys",
        "create",
        "--partner",
        "p-bank",
        "--scopes",
        "scores:read",
        "-w",
        str(ws),
        "--json",
        *extra,
    )
    assert made.returncode == 0, made.stderr
    return as_json(made)


@pytest.mark.parametrize(
    ("given", "lasts"),
    [
        ("90d", dt.timedelta(days=90)),
        ("12h", dt.timedelta(hours=12)),
        ("2w", dt.timedelta(weeks=2)),
    ],
)
def test_a_key_created_with_an_expiry_keeps_it(
    tmp_path: Path, given: str, lasts: dt.timedelta
) -> None:
    ws = tmp_path / "ws"
    _partner(ws)
    created = _created(ws, "--expires-in", given)
    space = Workspace.open(Settings(workspace=ws, subject_key_secret=SECRET))
    with space.store().session() as session:
        credential = session.get(Credential, created["credential_id"])
        assert credential is not None
        assert credential.expires_at is not None
        assert credential.expires_at - credential.created_at == lasts
        assert created["expires_at"] == credential.expires_at.isoformat()
    space.close()


def test_a_key_without_an_expiry_lasts_until_revoked(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _partner(ws)
    created = _created(ws)
    assert created.get("expires_at") is None


@pytest.mark.parametrize("given", ["90", "0d", "90x", "-1d", "d"])
def test_an_expiry_that_is_not_a_duration_is_refused(tmp_path: Path, given: str) -> None:
    ws = tmp_path / "ws"
    _partner(ws)
    refused = run(
        "keys",
        "create",
        "--partner",
        "p-bank",
        "--scopes",
        "scores:read",
        "-w",
        str(ws),
        "--expires-in",
        given,
    )
    assert refused.returncode == 2, refused.stderr
    assert "--expires-in" in refused.stderr
