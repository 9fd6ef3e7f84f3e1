"""Property-based fuzzing of the API from its own OpenAPI schema: whatever a
client sends, the service answers without a 5xx, every error is in the common
shape, every status it answers is one its operation declares, and every answer,
2xx or error, matches the schema declared for that status. Bounded: 25 generated
requests per operation."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from socialcredit.api.models.service import Health
from tests.utils.service import Service

EXAMPLES = 25
CHECKS = [status_code_conformance, response_schema_conformance]


def _fuzz(operation: Any, headers: dict[str, str], failures: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(headers=headers | dict(case.headers or {}))
        where = f"{operation.method.upper()} {operation.path}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code} {response.text[:200]}")
            return
        if response.status_code >= 400 and set(response.json()) != {"error"}:
            failures.append(f"{where}: error not in the common shape: {response.text[:200]}")
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            failures.extend(
                f"{where} {response.status_code}: {f.title}: {f.message[:300]}"
                for f in group.exceptions
            )

    run()


@pytest.mark.slow
@pytest.mark.parametrize("service", ["sqlite"], indirect=True)
@pytest.mark.slow
def test_no_server_errors_from_schema_driven_requests(service: Service) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", service.client.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        caller = service.citizen if operation.path.startswith("/v1/me") else service.operator
        _fuzz(operation, service.auth(caller), failures)
    assert not failures, "\n".join(sorted(set(failures)))


def test_the_checks_catch_an_answer_the_schema_does_not_describe() -> None:
    """The checks the fuzzing relies on fail an answer its schema does not describe."""
    app = FastAPI()

    @app.get("/health", response_model=Health)
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "undeclared": 1})  # bypasses the model

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = next(iter(schema.get_all_operations())).ok()
    case = operation.Case()
    with TestClient(app) as client:
        response = client.get("/health")
    with pytest.raises(FailureGroup):
        case.validate_response(response, checks=CHECKS)
