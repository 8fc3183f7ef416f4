"""What a finished run's counts alone do not say: that it stored nothing, or less than it lost.

A run whose model answered with an empty claim list succeeds, and so does one whose every claim
failed grounding: both are correct readings of the answer, and both look like an article that
states nothing. A prompt engineer trying a model needs to be told. The notes name no counts, so
that a batch can group the articles that share one.
"""

from __future__ import annotations

from app.store.models import ExtractionRun, RunStatus

NO_CLAIMS = (
    "the model's answer held no claims: if the article states figures, dates or sourced facts, "
    "the model or the prompt missed them (a small local model often answers with an empty list)"
)


def run_notes(run: ExtractionRun) -> list[str]:
    """Notes on a succeeded run that stored no claim, or fewer than grounding rejected."""
    if run.status != RunStatus.succeeded:
        return []
    rejected = f"/runs/{run.id}/rejected says why"
    if run.claims_count == 0 and run.rejected_count == 0:
        return [NO_CLAIMS]
    if run.claims_count == 0:
        return [f"grounding rejected every claim the model returned: {rejected}"]
    if run.rejected_count > run.claims_count:
        return [f"grounding rejected more claims than it kept: {rejected}"]
    return []
