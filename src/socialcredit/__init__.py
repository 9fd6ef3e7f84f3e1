"""socialcredit: credit records in, explained 350–950 scores out.

One import gives the steps of the flow (the names load on first use, so that
``import socialcredit`` stays cheap for the command line)::

    from pathlib import Path

    import socialcredit as sc

    ws = sc.Workspace.open(sc.Settings(workspace=Path("W")))
    engine, keyer = ws.engine(), ws.keyer()
    sc.ingest_file(engine, keyer, Path("harbour-bank.payment.csv"), partner="harbour-bank",
                   category_name="payment", rejections_dir=ws.rejections_dir)
    run = sc.score_population(engine, sc.default_spec())
    report = sc.build_report(engine, keyer, "11010519491231002X")
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("socialcredit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

#: public name -> the module that defines it (a name of its own there where the
#: module's name would clash with a subpackage: ``simulate_nation``)
_ALIASES = {"simulate_nation": "simulate"}
_PUBLIC = {
    "Settings": "socialcredit.settings",
    "SocialCreditError": "socialcredit.errors",
    "Workspace": "socialcredit.lake.workspace",
    "connect": "socialcredit.engines",
    "ingest_file": "socialcredit.ingest",
    "simulate_nation": "socialcredit.simulate",
    "run_demo": "socialcredit.simulate.demo",
    "ScorecardSpec": "socialcredit.scorecard",
    "default_spec": "socialcredit.scorecard",
    "score_population": "socialcredit.scoring.runs",
    "publish_run": "socialcredit.publish.scores",
    "build_report": "socialcredit.rights.report",
    "fairness_report": "socialcredit.monitoring.fairness",
}

__all__ = [
    "ScorecardSpec",
    "Settings",
    "SocialCreditError",
    "Workspace",
    "__version__",
    "build_report",
    "connect",
    "default_spec",
    "fairness_report",
    "ingest_file",
    "publish_run",
    "run_demo",
    "score_population",
    "simulate_nation",
]

if TYPE_CHECKING:
    from socialcredit.engines import connect
    from socialcredit.errors import SocialCreditError
    from socialcredit.ingest import ingest_file
    from socialcredit.lake.workspace import Workspace
    from socialcredit.monitoring.fairness import fairness_report
    from socialcredit.publish.scores import publish_run
    from socialcredit.rights.report import build_report
    from socialcredit.scorecard import ScorecardSpec, default_spec
    from socialcredit.scoring.runs import score_population
    from socialcredit.settings import Settings
    from socialcredit.simulate import simulate as simulate_nation
    from socialcredit.simulate.demo import run_demo


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'socialcredit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), _ALIASES.get(name, name))


def __dir__() -> list[str]:
    return sorted(__all__)
