"""Property-based fuzzing of the API from its own OpenAPI schema: whatever a
client sends, the service answers without a 5xx, and every error is in the
common shape. Bounded: 25 generated requests per operation."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.utils.service import Service

EXAMPLES = 25


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
        elif response.status_code >= 400 and set(response.json()) != {"error"}:
            failures.append(f"{where}: error not in the common shape: {response.text[:200]}")

    run()


@pytest.mark.parametrize("service", ["sqlite"], indirect=True)
def test_no_server_errors_from_schema_driven_requests(service: Service) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", service.client.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        caller = service.citizen if operation.path.startswith("/v1/me") else service.operator
        _fuzz(operation, service.auth(caller), failures)
    assert not failures, failures
