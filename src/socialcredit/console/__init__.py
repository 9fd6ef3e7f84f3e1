"""The web console: static pages served under ``/console/`` by the API's own app.

Plain HTML and small JavaScript modules (no build step); charts with the
vendored Apache ECharts (``static/vendor``), so nothing is fetched from
elsewhere. The pages read the JSON endpoints with the user's API key.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from socialcredit.console.scale import scale_js

__all__ = ["mount_console"]


def mount_console(app: FastAPI) -> None:
    """Serve the console at ``/console/`` (``/console`` redirects there)."""
    folder = resources.files("socialcredit.console").joinpath("static")

    @app.get("/console", include_in_schema=False)
    def console_root() -> RedirectResponse:
        return RedirectResponse("/console/")

    # Before the static mount, which would otherwise answer every path under it.
    @app.get("/console/js/scale.js", include_in_schema=False)
    def console_scale() -> Response:
        return Response(scale_js(), media_type="text/javascript")

    app.mount("/console", StaticFiles(directory=str(folder), html=True), name="console")
