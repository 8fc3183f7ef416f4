"""A succeeded run that stored nothing says so: in its JSON, on its article's page."""

from __future__ import annotations

import pytest
import respx
from fastapi.testclient import TestClient
from markupsafe import escape

from app.core.config import Settings
from app.services.run_notes import NO_CLAIMS, run_notes
from app.store.models import ExtractionRun, RunStatus
from tests.conftest import LIVE_BASE_URL, ClientFactory
from tests.llm_stub import claim, ok, tool_completion

COMPLETIONS = f"{LIVE_BASE_URL}/chat/completions"
TEXT = (
    "Kenya sent a further 217 police officers to Haiti on Saturday, officials said. "
    "The mission now counts about 800 Kenyan officers."
)
GROUNDED = claim(
    "Kenya deployed 217 police officers to Haiti.",
    "Kenya sent a further 217 police officers to Haiti",
    value=217,
)
# Its quote is not in the text: grounding rejects it.
UNGROUNDED = claim(
    "Kenya deployed 270 police officers to Haiti.",
    "Kenya has sent another 270 police officers to Haiti",
    value=270,
)


def submitted(client: TestClient, claims: list[dict[str, object]]) -> dict[str, object]:
    with respx.mock:
        respx.post(COMPLETIONS).mock(return_value=ok(tool_completion(claims)))
        response = client.post("/articles", json={"text": TEXT})
    assert response.status_code == 201, response.text
    run = response.json()["run"]
    assert client.get(f"/runs/{run['id']}").json()["notes"] == run["notes"]
    return run


def test_an_empty_answer_succeeds_with_a_note_that_the_model_found_nothing(
    make_client: ClientFactory, live_settings: Settings
) -> None:
    client = make_client(live_settings)

    run = submitted(client, [])

    assert (run["status"], run["claims_count"], run["rejected_count"]) == ("succeeded", 0, 0)
    assert run["notes"] == [
        "the model's answer held no claims: if the article states figures, dates or sourced "
        "facts, the model or the prompt missed them (a small local model often answers with an "
        "empty list)"
    ]
    page = client.get(f"/pages/articles/{run['article_id']}")
    assert page.status_code == 200
    shown = escape(NO_CLAIMS)  # as the page writes it: "model&#39;s"
    assert f"No grounded claims. Run {run['id']}: {shown}." in page.text
    assert f'<tr class="run-note"><td></td><td colspan="7">Note: {shown}.</td></tr>' in page.text


@pytest.mark.parametrize(
    ("claims", "counts", "note"),
    [
        ([UNGROUNDED], (0, 1), "grounding rejected every claim the model returned"),
        ([GROUNDED, UNGROUNDED, UNGROUNDED], (1, 2), "grounding rejected more claims than it kept"),
        ([GROUNDED, UNGROUNDED], (1, 1), None),
    ],
)
def test_a_run_that_lost_more_to_grounding_than_it_kept_points_to_the_reasons(
    make_client: ClientFactory,
    live_settings: Settings,
    claims: list[dict[str, object]],
    counts: tuple[int, int],
    note: str | None,
) -> None:
    run = submitted(make_client(live_settings), claims)

    assert (run["claims_count"], run["rejected_count"]) == counts
    expected = [] if note is None else [f"{note}: /runs/{run['id']}/rejected says why"]
    assert run["notes"] == expected


@pytest.mark.parametrize("status", [RunStatus.failed, RunStatus.queued, RunStatus.running])
def test_a_run_not_succeeded_has_no_note_its_error_says_what_went_wrong(
    status: RunStatus,
) -> None:
    run = ExtractionRun(id=3, article_id=1, status=status, claims_count=0, rejected_count=0)

    assert run_notes(run) == []
