"""Long articles: overlapping chunks, extracted concurrently, offsets mapped back, merged."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

import httpx
import respx
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.core.config import Settings
from app.extract.chunking import split_text
from app.extract.pipeline import ExtractionResult, extract_claims
from app.extract.prompting import ArticleInput
from app.llm.client import build_client
from schemas import get_schema
from tests.conftest import LIVE_BASE_URL
from tests.llm_stub import claim, ok, request_article, tool_completion

SENTENCES = [
    f"Contingent {n} of {100 + n} officers reached Port-au-Prince — «\u00a0à l’heure\u00a0»."
    for n in range(1, 41)
]
LONG_TEXT = " ".join(SENTENCES)


def test_short_text_is_one_chunk() -> None:
    (chunk,) = split_text("Short.", token_budget=200, overlap_tokens=20)
    assert (chunk.start, chunk.text) == (0, "Short.")


def test_chunks_cover_the_text_overlap_and_break_at_sentences() -> None:
    chunks = split_text(LONG_TEXT, token_budget=200, overlap_tokens=30)

    assert len(chunks) > 3
    assert chunks[0].start == 0 and chunks[-1].end == len(LONG_TEXT)
    for before, after in pairwise(chunks):
        assert after.start < before.end  # they overlap
        assert LONG_TEXT[after.start : after.start + 10] == after.text[:10]
        assert after.text.startswith("Contingent")  # a sentence start, not mid-word
        assert len(before.text) <= 200 * 4


@given(st.text(min_size=0, max_size=3000), st.integers(50, 400), st.integers(0, 24))
@hypothesis_settings(max_examples=150, deadline=None)
def test_chunks_always_cover_the_text_in_order(text: str, budget: int, overlap: int) -> None:
    chunks = split_text(text, token_budget=budget, overlap_tokens=overlap)
    assert chunks[0].start == 0
    assert chunks[-1].end == len(text)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
    for before, after in pairwise(chunks):
        assert before.start < after.start <= before.end


def answer_for(request: httpx.Request) -> httpx.Response:
    """Claim every sentence of the chunk the request carries, as a model would."""
    text = request_article(request)
    claims = []
    for match in re.finditer(r"Contingent (\d+) of (\d+) officers", text):
        claims.append(
            claim(
                f"Kenyan contingent {match[1]} had {match[2]} officers.",
                match[0],
                value=int(match[2]),
            )
        )
    return ok(tool_completion(claims, prompt_tokens=len(text) // 4, completion_tokens=10))


async def extract_in_chunks(
    live_settings: Settings, text: str, answer: Callable[[httpx.Request], httpx.Response]
) -> tuple[ExtractionResult, respx.Route]:
    """Extract ``text`` in chunks of 200 tokens overlapping by 30, the model answering each
    chunk's request with ``answer``."""
    settings = live_settings.model_copy(
        update={"chunk_token_budget": 200, "chunk_overlap_tokens": 30}
    )
    route = respx.post(f"{LIVE_BASE_URL}/chat/completions").mock(side_effect=answer)
    result = await extract_claims(
        build_client(settings), ArticleInput(text), get_schema("news_claims"), settings
    )
    return result, route


@respx.mock
async def test_long_article_is_chunked_offsets_map_back_and_overlaps_merge(
    live_settings: Settings,
) -> None:
    result, route = await extract_in_chunks(live_settings, LONG_TEXT, answer_for)

    chunks = split_text(LONG_TEXT, token_budget=200, overlap_tokens=30)
    assert result.chunks == len(chunks) and route.call_count == len(chunks)
    # Every contingent once, although overlapping chunks each reported some of them.
    values = [c.claim.quantity.value for c in result.claims if c.claim.quantity]
    assert values == [100 + n for n in range(1, 41)]
    for grounded in result.claims:
        quote = LONG_TEXT[grounded.span.start : grounded.span.end]
        assert quote == grounded.claim.evidence
    assert result.claims[39].span.start == LONG_TEXT.index("Contingent 40 of 140 officers")
    assert result.usage.llm_calls == len(chunks)


PAIRED = " ".join(
    f"Contingents {2 * n - 1} and {2 * n} each had {100 + n} officers." for n in range(1, 21)
)


def answer_in_pairs(request: httpx.Request) -> httpx.Response:
    """Two claims per sentence, one per contingent, sharing the sentence and its figure."""
    text = request_article(request)
    claims = [
        claim(f"Kenyan contingent {m[k]} had {m[3]} officers.", m[0], value=int(m[3]))
        for m in re.finditer(r"Contingents (\d+) and (\d+) each had (\d+) officers", text)
        for k in (1, 2)
    ]
    return ok(tool_completion(claims, prompt_tokens=len(text) // 4, completion_tokens=10))


@respx.mock
async def test_claims_sharing_one_sentence_and_figure_are_all_kept_once(
    live_settings: Settings,
) -> None:
    # "Corran and Lisker both recorded 61.4 percent": two claims, one evidence, one figure.
    # Within a chunk both are kept; across overlapping chunks, each once.
    result, _ = await extract_in_chunks(live_settings, PAIRED, answer_in_pairs)

    assert result.chunks > 1
    statements = [c.claim.statement for c in result.claims]
    assert statements[:4] == [
        "Kenyan contingent 1 had 101 officers.",
        "Kenyan contingent 2 had 101 officers.",
        "Kenyan contingent 3 had 102 officers.",
        "Kenyan contingent 4 had 102 officers.",
    ]
    assert sorted(statements) == sorted(f"Kenyan contingent {k} had {100 + (k + 1) // 2} "
                                        "officers." for k in range(1, 41))  # fmt: skip
