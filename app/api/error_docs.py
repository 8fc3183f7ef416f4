"""The error body every status leaves with (app.api.errors), and the refusals routes declare.

A route names the refusals it can answer with ``refusal("No such article", "article_404")``:
the status comes from the example, whose body is what the service sends for it, word for
word (tests/app/api/test_error_docs.py makes each one happen and compares). The errors any
route can meet (a missing key, a body too large, the database down) are added to every
operation by app.api.openapi_doc.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas import FactKind


class FieldErrorPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "loc": ["query", "limit"],
                    "msg": "Input should be greater than or equal to 1",
                    "type": "greater_than_equal",
                }
            ]
        }
    )

    loc: list[str | int] = Field(description="Where: path, query or body, then the name.")
    msg: str
    type: str


class ErrorPublic(BaseModel):
    """Every error: ``detail`` says what went wrong, ``reason`` is a code to branch on."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "article 999 not found", "reason": "not_found"}]}
    )

    detail: str | list[FieldErrorPublic] | dict[str, Any] = Field(
        description="A message; on 422 the fields refused; for a failed run an object with "
        "its reason, message, run_id, article_id and publication_id."
    )
    reason: str = Field(
        description="One word: not_found, invalid_request, malformed_json, too_large, "
        "rate_limited, llm_unavailable, database_unavailable, internal_error..."
    )
    errors_omitted: int | None = Field(
        default=None, description="Sent on a 422 listing only the first 20 field errors."
    )
    message: str | None = Field(default=None, description="Sent on a 500, as detail.")
    request_id: str | None = Field(
        default=None, description="Sent on a 500: quote it when reporting the error."
    )


@dataclass(frozen=True)
class ErrorExample:
    status: int
    summary: str
    body: dict[str, Any]


def _e(status: int, summary: str, detail: Any, reason: str) -> ErrorExample:
    return ErrorExample(status, summary, {"detail": detail, "reason": reason})


def _field(loc: list[str | int], msg: str, type_: str) -> list[dict[str, Any]]:
    return [{"loc": loc, "msg": msg, "type": type_}]


LLM_UNAVAILABLE = (
    "no LLM fixture for this article (user message sha256 a8c72573dde8) under "
    "/srv/factdiff/fixtures/llm. To try the live path without a model, start the simulated LLM "
    "that ships with factdiff (`python -m bench.simulated_llm --port 9100` in the repository, "
    "with its venv) and set FACTDIFF_LLM_BASE_URL=http://127.0.0.1:9100/v1 "
    "FACTDIFF_LLM_API_KEY=sim; for a model, set FACTDIFF_LLM_BASE_URL and/or "
    "FACTDIFF_LLM_API_KEY; or record a fixture with FACTDIFF_LLM_MODE=record."
)
LLM_BAD_OUTPUT = (
    "the model's answer was cut off (finish_reason=length): raise "
    "FACTDIFF_LLM_MAX_OUTPUT_TOKENS or lower FACTDIFF_CHUNK_TOKEN_BUDGET"
)

EXAMPLES: dict[str, ErrorExample] = {
    "dates_out_of_order": _e(400, "date_to before date_from", "date_to is before date_from",
                             "bad_request"),
    "bad_cursor": _e(400, "A cursor not from a previous page",
                     "malformed cursor: pass the next_cursor of a previous page", "bad_request"),
    "unknown_schema": _e(400, "An extraction schema that does not exist",
                         "unknown schema 'nope'; available: news_claims@v1, news_claims@v2, "
                         "quantities@v1", "invalid"),
    "url_refused": _e(400, "A url the service may not fetch",
                      "url refused: 127.0.0.1 is a loopback address", "invalid"),
    "side_unreadable": _e(400, "A side that is not article:ID, run:ID or outlet:NAME",
                          "cannot read 'foo': use article:ID, run:ID or outlet:NAME, e.g. "
                          "article:3", "invalid"),
    "article_404": _e(404, "No such article", "article 999 not found", "not_found"),
    "claim_404": _e(404, "No such claim", "claim 999 not found", "not_found"),
    "run_404": _e(404, "No such run", "run 999 not found", "not_found"),
    "entity_404": _e(404, "No such entity", "entity 999 not found", "not_found"),
    "fact_404": _e(404, "No such fact", "fact 999 not found", "not_found"),
    "alias_404": _e(404, "The entity has no such alias", "entity 1 has no alias 'Police'",
                    "not_found"),
    "fact_retracted": _e(404, "A fact whose claims were all retracted",
                         "fact 1 has no active claim: they were retracted", "not_found"),
    "claim_not_active": _e(409, "The claim was retracted or superseded already",
                           {"reason": "claim_not_active",
                            "message": "claim 26 is retracted; only active claims can be "
                                       "changed",
                            "claim_id": 26, "status": "retracted"}, "claim_not_active"),
    "fact_merged": _e(409, "The fact was merged into another",
                      "fact 74 was merged into fact 1", "conflict"),
    "only_claim": _e(409, "The claim is its fact's only one",
                     "claim 47 is the only claim of fact 74", "conflict"),
    "article_too_long": _e(413, "Over FACTDIFF_MAX_ARTICLE_CHARS",
                           "article text is 250001 characters; the limit is 200000 "
                           "(FACTDIFF_MAX_ARTICLE_CHARS)", "too_large"),
    "not_html": _e(415, "A url serving neither HTML nor text",
                   "unsupported content type 'application/pdf': the url must serve an HTML "
                   "or plain-text page",
                   "unsupported_media"),
    "no_text": _e(422, "A page with no article text",
                  "no article text found on the page", "unprocessable"),
    "no_text_or_url": _e(422, "Neither text nor url",
                         _field(["body"], "Field required: send the article's text or a url",
                                "value_error"), "invalid_request"),
    "not_grounded": _e(422, "Evidence not found in the article",
                       "claim not grounded in article 4: evidence quote not found in the "
                       "article: 'Kenya sent 300 officers'", "unprocessable"),
    "unknown_fact_kind": _e(422, "A fact kind that is not in news_claims@v2's list",
                            _field(["body", "fact_kind"], "Input should be " + ", ".join(
                                f"'{k}'" for k in list(FactKind)[:-1]
                            ) + f" or '{list(FactKind)[-1]}'", "enum"), "invalid_request"),
    "nothing_to_change": _e(422, "A correction changing no claim field",
                            "nothing to change: give at least one claim field",
                            "invalid_request"),
    "merge_into_itself": _e(422, "A fact merged into itself",
                            "fact 1 cannot be merged into itself", "unprocessable"),
    "claim_not_in_fact": _e(422, "A claim that is not in the fact",
                            "claim 12 is not an active claim of fact 74", "unprocessable"),
    "budget_spent": _e(429, "The key's daily token budget is spent",
                       "daily token budget of 200000 spent for key 'desk' (201417 used today); "
                       "it resets at 00:00 UTC", "quota_exhausted"),
    "llm_bad_output": _e(502, "The model's answer was unusable (the run is stored as failed)",
                         {"reason": "llm_bad_output", "message": LLM_BAD_OUTPUT, "run_id": 12,
                          "article_id": 12, "publication_id": 12}, "llm_bad_output"),
    "llm_unavailable": _e(503, "No LLM answer could be had: here, replay mode with no fixture",
                          {"reason": "llm_unavailable", "message": LLM_UNAVAILABLE,
                           "run_id": 12, "article_id": 12, "publication_id": 12},
                          "llm_unavailable"),
}  # fmt: skip


def openapi_examples(names: list[str]) -> dict[str, dict[str, Any]]:
    return {n: {"summary": EXAMPLES[n].summary, "value": EXAMPLES[n].body} for n in names}


def error_doc(description: str, examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "model": ErrorPublic,
        "description": description,
        "content": {"application/json": {"examples": examples}},
    }


def refusal(description: str, *names: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI response of one error status, with the bodies of its named examples."""
    [status] = {EXAMPLES[n].status for n in names}
    return {status: error_doc(description, openapi_examples(list(names)))}


def refusals(*docs: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    merged: dict[int | str, dict[str, Any]] = {}
    for doc in docs:
        assert not merged.keys() & doc.keys(), "one refusal() per status"
        merged.update(doc)
    return merged
