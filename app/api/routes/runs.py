"""Extraction runs: state, usage, timings, and what was rejected."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import RunDep, SessionDep
from app.api.error_docs import refusal
from app.api.models import RejectedClaimPublic, RejectedClaimsPublic, RunPublic
from app.store import crud

router = APIRouter(prefix="/runs", tags=["runs"])


NO_RUN = refusal("No such run", "run_404")


@router.get("/{run_id}", response_model=RunPublic, responses=NO_RUN)
def read_run(run: RunDep) -> RunPublic:
    """Read one extraction run: status, model, prompt and schema versions, tokens, latency."""
    return RunPublic.of(run)


@router.get(
    "/{run_id}/rejected",
    response_model=RejectedClaimsPublic,
    responses=NO_RUN,
)
def read_run_rejected(run: RunDep, session: SessionDep) -> RejectedClaimsPublic:
    """List the claims of this run that failed grounding, with the reason for each."""
    rows = crud.list_rejected(session=session, run_id=run.id)
    return RejectedClaimsPublic(
        data=[RejectedClaimPublic.model_validate(r) for r in rows], count=len(rows)
    )
