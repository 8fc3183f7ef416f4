"""Why an undecided pair (DiffResult.undecided) was offered instead of made, in one line.

A pair's explanation says it in the diff's terms ("held back, as another claim matches one
side about as well: figure decides: ..."); a reader is told in plain words, with the
adjudicator's answer when one was asked (app.services.adjudication).
"""

from __future__ import annotations

from app.diff.scoring import DEFAULT_THRESHOLD
from app.diff.types import Pair, Relation

# The prefixes app.diff.align gives an undecided pair's explanation (it imports these).
HELD_BACK = "held back, as another claim matches one side about as well"
MIXED_ASPECTS = "held back, as one figure is an event's and the other a state's"
UNDER_THRESHOLD = "scored under the threshold"
NO_ENTITY_IN_COMMON = "no entity named in common"
# What app.diff.align puts before a made pair's explanation when only its articles' story ties it.
STORY_TIED = "no entity named in common, paired as their articles make {others} other pairs"
# What app.diff.align puts before a made pair's explanation when its figure alone made it.
PRECISE_FIGURE = "paired by one precise figure on both sides, the rest scoring {score:.2f}"
# What app.services.adjudication appends when the adjudicator judged two different facts.
ADJUDICATED_APART = "; the adjudicator judged them different facts: "


def why(pair: Pair) -> str:
    """One line: why the two claims may be one fact and were not paired."""
    if pair.explanation.startswith(HELD_BACK):
        line = (
            "They differ, but another claim matches one of them about as well, so calling "
            "this pair a conflict would be a guess."
        )
    elif pair.explanation.startswith(MIXED_ASPECTS):
        line = (
            "One figure counts what happened at a time and the other what held at a time (a "
            "total, a level), so calling the difference a conflict would be a guess."
        )
    elif pair.explanation.startswith(NO_ENTITY_IN_COMMON) and pair.relation is Relation.conflict:
        line = (
            "They name no entity in common, so calling the difference a conflict would be a guess."
        )
    elif pair.explanation.startswith(UNDER_THRESHOLD):
        line = f"They scored {pair.score:.2f}, under the {DEFAULT_THRESHOLD:.2f} a pair needs."
    else:
        line = pair.explanation.split(": ", 1)[0].capitalize() + "."
    _, apart, reason = pair.explanation.partition(ADJUDICATED_APART)
    if apart:
        line += f" The adjudicator judged them different facts: {reason}"
    return " ".join(line.split())
