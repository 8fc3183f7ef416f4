"""The OpenAPI document a reporter reads at /docs: sentences, error bodies, real examples.

Walks the whole generated document, so an operation added later without a summary, an error
status without its body schema, or a body without an example fails here by name.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.api import curation_models, diff_models, error_docs, fact_models, models
from app.api.error_docs import ErrorPublic
from app.api.routes import entities, facts
from app.store.models import ArticleCreate

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def component(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The component a body's schema names, or that of its items for a list."""
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    assert ref, f"not a named schema: {schema}"
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def examples_of(document: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    """What Swagger UI shows for a body: the media type's examples, else its schema's."""
    if "example" in media:
        return [media["example"]]
    if "examples" in media:
        return [e["value"] for e in media["examples"].values()]
    if media["schema"].get("type") == "string":
        return []
    return list(component(document, media["schema"]).get("examples", []))


def placeholders(value: Any, where: str) -> Iterator[str]:
    """Where a value is Swagger UI's own placeholder rather than an example of ours."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from placeholders(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from placeholders(item, f"{where}[{index}]")
    elif value == "string":
        yield where


def all_examples(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every example anywhere in the document: schemas', parameters' and media types'."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "example":
                yield f"{where}.example", item
            elif key == "examples" and isinstance(item, list):
                yield from ((f"{where}.examples[{i}]", e) for i, e in enumerate(item))
            elif key == "examples" and isinstance(item, dict):
                yield from ((f"{where}.examples.{n}", e.get("value")) for n, e in item.items())
            else:
                yield from all_examples(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from all_examples(item, f"{where}[{index}]")


def test_every_operation_is_summarised_in_a_sentence(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        summary = operation.get("summary", "")
        # FastAPI's fallback is the function's name in title case: "Search Claims".
        assert re.fullmatch(r"[A-Z][a-z]+ .{10,}\.", summary), (method, path, summary)
        assert summary != operation["operationId"].replace("_", " ").title()


def test_every_error_status_carries_the_error_body_and_examples_of_it(
    document: dict[str, Any],
) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(document):
        errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        assert "500" in errors, (method, path)
        for status, response in errors.items():
            media = response.get("content", {}).get("application/json")
            assert media, f"{method} {path} {status} has no JSON body"
            assert media["schema"] == {"$ref": "#/components/schemas/ErrorPublic"}
            bodies = examples_of(document, media)
            assert bodies, f"{method} {path} {status} has no example"
            for body in bodies:
                ErrorPublic.model_validate(body)
                assert set(body) <= {"detail", "reason", "errors_omitted", "message", "request_id"}


def test_errors_are_documented_where_they_can_happen(document: dict[str, Any]) -> None:
    paths = document["paths"]
    # A read key may read: only writes are refused for scope.
    assert "403" not in paths["/claims"]["get"]["responses"]
    assert "403" in paths["/claims/{claim_id}"]["patch"]["responses"]
    # /healthz is open and says in its body when the database is down.
    assert set(paths["/healthz"]["get"]["responses"]) == {"200", "500"}
    assert "503" not in paths["/schemas"]["get"]["responses"]
    claims_400 = paths["/claims"]["get"]["responses"]["400"]["content"]["application/json"]
    assert claims_400["examples"]["dates_out_of_order"]["value"] == {
        "detail": "date_to is before date_from",
        "reason": "bad_request",
    }
    submit = paths["/articles"]["post"]["responses"]
    assert {"201", "202", "400", "401", "403", "408", "413", "415", "422", "429", "500", "502",
            "503"} == set(submit)  # fmt: skip
    assert set(submit["503"]["content"]["application/json"]["examples"]) == {
        "llm_unavailable",
        "database_unavailable",
        "busy",
    }
    assert submit["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_every_json_body_has_an_example(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        bodies = [("request", operation["requestBody"])] if "requestBody" in operation else []
        bodies += [(s, r) for s, r in operation["responses"].items() if "content" in r]
        for status, body in bodies:
            for media_type, media in body["content"].items():
                assert examples_of(document, media) or media["schema"] == {}, (
                    f"{method} {path} {status} {media_type} has no example"
                )


def test_no_example_is_a_placeholder(document: dict[str, Any]) -> None:
    found = [spot for where, value in all_examples(document) for spot in placeholders(value, where)]
    assert found == []


def test_placeholder_finder_finds_one() -> None:
    document = {"components": {"schemas": {"X": {"examples": [{"a": ["string"]}]}}}}
    assert [s for w, v in all_examples(document) for s in placeholders(v, w)] == [
        ".components.schemas.X.examples[0].a[0]"
    ]


def example_models() -> Iterator[type[BaseModel]]:
    for module in (models, diff_models, fact_models, curation_models, error_docs, entities, facts):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == module.__name__:
                yield cls
    yield ArticleCreate


@pytest.mark.parametrize("model", list(example_models()), ids=lambda m: m.__name__)
def test_each_model_example_is_a_body_of_that_model(model: type[BaseModel]) -> None:
    examples = model.model_json_schema().get("examples")
    if model.__name__ in ("Curator", "PairBase"):
        return  # a base of request or response bodies, never sent alone
    assert examples, f"{model.__name__} has no example"
    request = model.model_config.get("extra") == "forbid"
    for example in examples:
        parsed = model.model_validate(example)
        # Read back, the example is what the model makes: no field missing, none extra. A
        # request leaves out what it need not send; an error body what it does not carry.
        again = parsed.model_dump(
            mode="json", by_alias=True, exclude_unset=request, exclude_none=model is ErrorPublic
        )
        assert again == example, model.__name__
