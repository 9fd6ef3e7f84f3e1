"""The main job's acceptance figures on the issue's reference nation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcredit.errors import ConfigurationError
from socialcredit.settings import Settings
from socialcredit.simulate.demo import run_demo


@pytest.mark.slow
def test_reference_nation(tmp_path: Path) -> None:
    summary = run_demo(Settings(workspace=tmp_path / "w"), citizens=20_000, seed=7)
    assert json.loads((tmp_path / "w" / "summary.json").read_text(encoding="utf-8")) == summary
    assert summary["subjects_scored"] == 20_000
    assert all(count > 0 for count in summary["tier_counts"].values()), summary["tier_counts"]
    assert summary["score_min"] >= 350
    assert summary["score_max"] <= 950
    assert summary["auc_vs_truth"] >= 0.75
    assert summary["records_rejected"] > 0
    assert summary["records_accepted"] > 700_000


def test_demo_refuses_a_live_workspace(tmp_path: Path) -> None:
    (tmp_path / "workspace.json").write_text('{"mode": "live"}', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="live workspace"):
        run_demo(Settings(workspace=tmp_path), citizens=100)
