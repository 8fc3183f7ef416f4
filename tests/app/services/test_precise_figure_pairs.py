"""GET /diff and the diff page say when one precise figure made a pair: eval/dev's tuition
protest, extracted through the stand-in model in its varied wording, where the Aldmoor Evening
Post's fourteen arrests and the Corvian Standard's fourteen detained share few words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.eval.gold import GoldStory
from tests.app.eval.test_eval_cli import stand_in_settings
from tests.app.services.test_fact_claims import dev_story, diff, submit, varied_stand_in
from tests.conftest import ClientFactory

ARRESTED = "Fourteen protesters were arrested after paint was thrown at the ministry."
DETAINED = "Fourteen people were detained after the ministry's doors were daubed with paint."


@pytest.fixture(scope="module")
def tuition() -> GoldStory:
    return dev_story("tuition-protest-aldmoor")


@pytest.fixture
def tuition_service(tuition: GoldStory, make_client: ClientFactory) -> Iterator[TestClient]:
    with varied_stand_in(tuition) as url:
        yield make_client(stand_in_settings(url))


def test_the_arrests_are_paired_by_their_figure_and_the_reader_is_told(
    tuition_service: TestClient, tuition: GoldStory
) -> None:
    ids = submit(tuition_service, tuition, ["a", "b"])
    body = diff(tuition_service, ids["a"], ids["b"])
    (pair,) = [p for p in body["pairs"] if p["left"]["statement"] == ARRESTED]
    assert pair["right"]["statement"] == DETAINED
    assert (pair["relation"], pair["score"], pair["scored_without_figure"]) == (
        "agree",
        0.65,
        0.642,
    )
    assert pair["explanation"].startswith(
        "paired by one precise figure on both sides, the rest scoring 0.64: figure decides: "
    )
    assert [p for p in body["undecided"] if p["left"]["statement"] == ARRESTED] == []
    # The £9,250 fees are the other pair their figure made; those their own score made say
    # nothing of the kind.
    by_figure = [
        p["left"]["quantity"]["value"] for p in body["pairs"] if p["scored_without_figure"]
    ]
    assert sorted(by_figure) == [14, 9250]
    assert len(body["pairs"]) == 5

    page = tuition_service.get(
        "/pages/diff", params={"left": f"article:{ids['a']}", "right": f"article:{ids['b']}"}
    )
    assert page.status_code == 200
    assert (
        "Paired by their figure: both give the same figure, written too precisely to meet by "
        "chance, though the rest of the two claims scored 0.64, under the 0.65 a pair needs."
    ) in page.text
    assert page.text.count("Paired by their figure") == 2  # the arrests and the £9,250 fees
