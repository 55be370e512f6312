"""The OpenAPI document tells the truth about every operation.

- Each schema has one name: two classes called ``NoteOut`` end up as one component,
  and every operation that uses either is documented with whichever was added last.
- Each operation's request body and responses are documented with the schemas of the
  classes that produce them, exactly as if the operation were alone in the document.
- Each operation lists the errors it can give: 401, 403, 422 and 500 for any request
  (403: a session whose agency requires two-factor sign-in not yet set up, or, for a
  change, without the CSRF token); 400 and 413 when it reads a body; 404 when its path
  names a record; 409 when its body carries the version the caller loaded.
"""

from __future__ import annotations

import json
import typing
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from pydantic import BaseModel

from casework.api import api as casework_api
from tests.factories import CaseFactory
from tests.personas import Personas

from .conftest import API, ApiClient

PREFIX = f"{API}/"
SCHEMAS = "#/components/schemas/"
# Models ninja makes for each operation's parameters; they never become components.
NINJA_WRAPPERS = {
    "BodyParams",
    "FileParams",
    "FormParams",
    "PathParams",
    "QueryParams",
    "HeaderParams",
    "CookieParams",
    "NinjaResponseSchema",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """A fresh build, not the one cached per process (tests may have built it before)."""
    return dict(casework_api.build_openapi_schema(PREFIX))


def operations() -> Iterator[Operation]:
    for router in casework_api._get_bound_routers():
        for path_view in router.path_operations.values():
            yield from path_view.operations


def documented(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def by_operation_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for _path, _method, op in documented(document)}


def models_in(annotation: Any, seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    """Every pydantic model an annotation reaches, through lists, unions and fields."""
    for argument in typing.get_args(annotation):
        yield from models_in(argument, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        yield annotation
        for field in annotation.model_fields.values():
            yield from models_in(field.annotation, seen)


def alone(operation: Operation) -> tuple[dict[str, Any], dict[str, Any]]:
    """The operation's documentation and components as if it were the only one."""
    solo = OpenAPISchema.__new__(OpenAPISchema)
    solo.api = casework_api
    solo.path_prefix = PREFIX
    solo.schemas = {}
    solo.securitySchemes = {}
    solo.all_operation_ids = set()
    return solo.operation_details(operation), solo.schemas


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return resolve(document, document["components"]["schemas"][ref.removeprefix(SCHEMAS)])


# --- names ----------------------------------------------------------------------------------


def test_every_schema_name_means_one_schema(document: dict[str, Any]) -> None:
    seen: set[type[BaseModel]] = set()
    by_name: dict[str, set[type[BaseModel]]] = defaultdict(set)
    for operation in operations():
        for model in [*operation.response_models.values(), *operation.models]:
            for found in models_in(model, seen):
                by_name[found.__name__].add(found)
    assert len(by_name) > 100  # the walk reaches the nested schemas, not only the top ones

    def shape(model: type[BaseModel]) -> str:
        return json.dumps(model.model_json_schema(), sort_keys=True, default=str)

    clashes = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in by_name.items()
        if name not in NINJA_WRAPPERS
        and (
            # Two of our classes, or two that ninja made (``Paged…``) that differ.
            len([m for m in models if m.__module__.startswith("casework.")]) > 1
            or len({shape(m) for m in models}) > 1
        )
    }
    assert clashes == {}


def test_each_operation_is_documented_as_if_it_were_alone(document: dict[str, Any]) -> None:
    """Its body and responses, and every component they use, are its own classes'."""
    ops = by_operation_id(document)
    components = document["components"]["schemas"]
    wrong: dict[str, list[str]] = defaultdict(list)
    count = 0
    for operation in operations():
        details, own = alone(operation)
        op_id = details["operationId"]
        whole = ops[op_id]
        count += 1
        if details.get("requestBody") != whole.get("requestBody"):
            wrong[op_id].append("request body")
        for status, response in details["responses"].items():
            if whole["responses"].get(status) != response:
                wrong[op_id].append(f"response {status}")
        for name, schema in own.items():
            if components.get(name) != schema:
                wrong[op_id].append(f"component {name}")
    assert count == len(ops)
    assert dict(wrong) == {}


def test_each_success_response_refers_to_the_class_that_produces_it(
    document: dict[str, Any],
) -> None:
    ops = by_operation_id(document)
    wrong: list[str] = []
    for operation in operations():
        op_id = casework_api.get_openapi_operation_id(operation)
        for status, wrapper in operation.response_models.items():
            if not 200 <= status < 300 or wrapper is None:
                continue
            produced = wrapper.model_fields["response"].annotation
            listed = typing.get_origin(produced) is list
            model = typing.get_args(produced)[0] if listed else produced
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                continue
            schema = ops[op_id]["responses"][status]["content"]["application/json"]["schema"]
            if listed:
                schema = schema["items"]
            if schema.get("$ref") != f"{SCHEMAS}{model.__name__}":
                wrong.append(f"{op_id} {status}: {schema.get('$ref')} for {model.__qualname__}")
    assert wrong == []


# --- errors ---------------------------------------------------------------------------------


def expected_errors(path: str, operation: dict[str, Any], document: dict[str, Any]) -> set[int]:
    codes = {401, 403, 422, 500}
    body = operation.get("requestBody")
    if body:
        codes |= {400, 413}
        for content in body["content"].values():
            properties = resolve(document, content["schema"]).get("properties", {})
            if {"version", "expected_version"} & set(properties):
                codes.add(409)
    if "{" in path:
        codes.add(404)
    return codes


def test_every_operation_documents_the_errors_it_can_give(document: dict[str, Any]) -> None:
    missing = {
        f"{method.upper()} {path}": sorted(expected_errors(path, operation, document) - codes)
        for path, method, operation in documented(document)
        if expected_errors(path, operation, document)
        - (codes := {int(code) for code in operation["responses"]})
    }
    assert missing == {}


def test_every_error_is_documented_in_the_error_shape(document: dict[str, Any]) -> None:
    wrong = [
        f"{method.upper()} {path} {code}"
        for path, method, operation in documented(document)
        for code, response in operation["responses"].items()
        if int(code) >= 400
        and response.get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": f"{SCHEMAS}ErrorOut"}
    ]
    assert wrong == []


def _documents(method: str, path: str, status: int) -> bool:
    document = casework_api.get_openapi_schema(path_prefix=PREFIX)
    return status in {int(code) for code in document["paths"][f"{API}{path}"][method]["responses"]}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tasks", "/appointments"])
def test_a_list_filtered_by_a_case_one_cannot_see_documents_404(
    personas: Personas, api_as: Callable[..., ApiClient], path: str
) -> None:
    theirs = CaseFactory(team=personas.other_team)
    response = api_as(personas.case_manager).get(path, case=theirs.pk)
    assert response.status_code == 404, response.content
    assert _documents("get", path, 404)


@pytest.mark.django_db
def test_a_session_without_required_two_factor_gets_a_documented_403(
    personas: Personas, client_as: Callable[..., Any]
) -> None:
    organization = personas.case_manager.organization
    organization.require_two_factor = True
    organization.save()
    response = client_as(personas.case_manager).get(f"{API}/cases")
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "permission_denied"
    assert _documents("get", "/cases", 403)
