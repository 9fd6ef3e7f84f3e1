"""The OpenAPI document describes every answer: each operation declares a 2xx body
with a schema of real properties (a page or a file: its media type and what it is),
and the errors it answers, all in the one error shape, which the service keeps."""

from __future__ import annotations

from typing import Any

import pytest

from socialcredit.api.models.decisions import Terms
from socialcredit.decisions import default_policy
from tests.utils.service import Service

ERROR_SHAPE = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
}
ERROR_DETAIL = {"status": "integer", "code": "string", "message": "string"}


def _document(service: Service) -> dict[str, Any]:
    answer = service.client.get("/openapi.json")
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _answer_problems(document: dict[str, Any], where: str, response: dict[str, Any]) -> list[str]:
    content = response.get("content") or {}
    if not content:
        return [f"{where}: no media type"]
    problems = []
    for media, body in content.items():
        schema = _resolved(document, body.get("schema") or {})
        if media == "application/json":
            if schema.get("type") != "object" or not schema.get("properties"):
                problems.append(f"{where}: JSON without declared properties: {schema}")
        elif not schema or not response.get("description"):
            problems.append(f"{where}: {media} without a schema and a description")
    return problems


@pytest.mark.parametrize("service", ["sqlite"], indirect=True)
def test_every_operation_declares_its_answer(service: Service) -> None:
    document = _document(service)
    operations = _operations(document)
    assert len(operations) >= 35  # every router is in the document
    problems = []
    for where, operation in operations:
        answers = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        if not answers:
            problems.append(f"{where}: no 2xx answer declared")
        for status, response in answers.items():
            problems += _answer_problems(document, f"{where} {status}", response)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", ["sqlite"], indirect=True)
def test_every_error_is_declared_in_the_one_shape(service: Service) -> None:
    document = _document(service)
    error = document["components"]["schemas"]["ErrorBody"]
    assert {k: error[k] for k in ERROR_SHAPE} == ERROR_SHAPE
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert {name: prop["type"] for name, prop in detail["properties"].items()} == ERROR_DETAIL
    assert set(detail["required"]) == set(ERROR_DETAIL)
    problems = []
    for where, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                content = response.get("content") or {}
                schemas = {media: body.get("schema") for media, body in content.items()}
                if schemas != {"application/json": {"$ref": "#/components/schemas/ErrorBody"}}:
                    problems.append(f"{where} {status}: {schemas}")
        keyed = any(p["name"].lower() == "authorization" for p in operation.get("parameters", []))
        if keyed and not {"401", "403", "429"} <= set(operation["responses"]):
            problems.append(f"{where}: takes a key but does not declare 401, 403 and 429")
        takes_input = operation.get("parameters") or operation.get("requestBody")
        if takes_input and "422" not in operation["responses"]:
            problems.append(f"{where}: takes input but does not declare 422")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", ["sqlite"], indirect=True)
def test_the_error_shape_is_what_the_service_sends(service: Service) -> None:
    answers = {
        401: service.client.get("/v1/me/report"),
        403: service.client.get("/v1/operator/population", headers=service.auth(service.bank)),
        404: service.client.get("/v1/batches/none", headers=service.auth(service.bank)),
        422: service.client.post("/v1/me/disputes", headers=service.auth(service.citizen), json={}),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        body = answer.json()
        assert list(body) == ["error"]
        assert {k: type(v).__name__ for k, v in body["error"].items()} == {
            "status": "int",
            "code": "str",
            "message": "str",
        }
        assert body["error"]["status"] == status
    assert answers[401].headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("service", ["sqlite"], indirect=True)
def test_keys_without_a_person_or_a_partner_are_refused_not_failed(service: Service) -> None:
    """An operator's key holds every scope, but no person and no partner: the routes of
    a person's own file, and furnishing records, refuse it (they once failed with a 500)."""
    operator = service.auth(service.operator)
    for path in ("/v1/me/report", "/v1/me/disputes", "/v1/me/notifications"):
        refused = service.client.get(path, headers=operator)
        assert refused.status_code == 403, (path, refused.text)
    furnished = service.client.post(
        "/v1/records/payment",
        content=b"record_id\n",
        headers=operator | {"Idempotency-Key": "op-1", "Content-Type": "text/csv"},
    )
    assert furnished.status_code == 403, furnished.text
    assert "partner" in furnished.json()["error"]["message"]


def test_decision_terms_declare_every_term_a_policy_sets() -> None:
    """Terms are checked on the way out: a term the policy sets that the answer's model
    lacks would fail every decision that carries it."""
    declared = set(Terms.model_fields)
    set_by_policy = {
        name
        for rule in default_policy().actions.values()
        for band in rule.bands
        for name in band.terms
    }
    assert set_by_policy <= declared, set_by_policy - declared
    assert Terms.model_validate({"fee_cny": 20, "max_waived_cny": 2000}).model_dump(
        mode="json"
    ) == {"fee_cny": 20.0, "max_waived_cny": 2000.0}  # absent terms stay absent
