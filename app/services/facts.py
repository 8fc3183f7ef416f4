"""Stored facts: assign new claims to them, read them as the ledger, merge and split them.

Assignment is the ledger's own single pass (app.diff.clustering.assign_to_clusters) run on the
claims not yet assigned, in id order, against the stored facts of their block: so a fact is
what the ledger would have clustered at query time, and reading the ledger no longer clusters.
It runs after workers store a batch of runs, and before the ledger or a diff is read, under the
facts lock (app.store.facts_lock), so two processes never assign one claim twice or make two
facts of one. A pass reads and scores first, then writes what it decided: on SQLite only that
last part holds the database's write lock, so workers go on storing runs while a pass scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.diff.align import DiffClaim, Features
from app.diff.clustering import EXEMPLARS, Cluster, assign_to_clusters
from app.diff.ledger import block_key
from app.services.claim_features import claim_features
from app.services.diff_sources import alias_map
from app.store.fact_models import Fact, FactAction, FactAudit
from app.store.fact_revisions import current_claims, mark_changed
from app.store.facts_lock import lock_facts, pass_session, scoring_lock, write_phase
from app.store.models import Claim, ClaimStatus, ExtractionRun, utcnow
from app.store.sql_lists import id_list, one_of


def assign_pending(
    engine: Engine | Connection,
    *,
    default_schema: str,
    wait: bool = True,
    limit: int | None = None,
) -> int | None:
    """Assign every active claim that has no fact yet (at most ``limit``, the oldest first);
    returns how many were assigned, or None when ``wait`` is off and another process holds
    the facts lock."""
    with pass_session(engine) as session:
        # Cheap check first, without the lock: nothing pending is the common case of a read.
        if not _pending_ids(session, limit=1):
            return 0
        with scoring_lock(session, blocking=wait) as held:
            if not held:
                return None
            plan = plan_assignment(session, default_schema=default_schema, limit=limit)
            write_phase(session)
            apply_assignment(session, plan)
            session.commit()
    return len(plan.claim_ids)


def assign_facts(settings: Settings) -> Callable[[Engine], bool] | None:
    """The workers' after-store hook: assign what they stored, or say to come back when
    another process is assigning (False); None when workers should not assign."""
    if not settings.facts_in_workers:
        return None

    def assign_stored(engine: Engine) -> bool:
        return (
            assign_pending(engine, default_schema=settings.default_schema, wait=False) is not None
        )

    return assign_stored


@dataclass
class AssignmentPlan:
    """What a pass decided: each pending claim's fact, a stored one or a new one."""

    claim_ids: list[int] = field(default_factory=list)
    assigned: list[tuple[Features, Fact]] = field(default_factory=list)


def assign_in(session: Session, *, default_schema: str, limit: int | None = None) -> int:
    """Assignment inside the caller's transaction, which must hold the facts lock; at most
    ``limit`` claims, the oldest first, so a backfill can commit as it goes."""
    plan = plan_assignment(session, default_schema=default_schema, limit=limit)
    apply_assignment(session, plan)
    return len(plan.claim_ids)


def plan_assignment(
    session: Session, *, default_schema: str, limit: int | None = None
) -> AssignmentPlan:
    """Each pending claim's fact, read and scored without writing anything."""
    pending = _pending_ids(session, limit=limit)
    if not pending:
        return AssignmentPlan()
    aliases = alias_map(session)
    # A run names its schema without a version, and so must a claim without a run (one a
    # curator added), or a default of news_claims@v2 would keep it from the run's facts.
    default_name = default_schema.split("@")[0]
    schemas = {claim_id: schema_name or default_name for claim_id, schema_name in pending}
    by_schema: dict[str, dict[tuple[str, str], list[Features]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for f in claim_features(session).get(session, list(schemas), aliases):
        by_schema[schemas[f.claim.id]][block_key(f)].append(f)
    plan = AssignmentPlan(claim_ids=[claim_id for claim_id, _ in pending])
    for schema_name, blocks in by_schema.items():
        plan.assigned += _plan_blocks(session, schema_name, blocks, aliases)
    return plan


def apply_assignment(session: Session, plan: AssignmentPlan) -> None:
    """Store a plan: new facts, each claim's fact, the facts' exemplars, and which summaries
    are stale."""
    if not plan.claim_ids:
        return
    touched = list({id(fact): fact for _, fact in plan.assigned}.values())
    session.add_all(touched)
    session.flush()  # the new facts' ids
    now = utcnow()
    claims_of: dict[int, list[int]] = defaultdict(list)
    for f, fact in plan.assigned:
        claims_of[fact.id or 0].append(f.claim.id)
        if len(fact.exemplars) < EXEMPLARS and f.claim.id not in fact.exemplars:
            fact.exemplars = [*fact.exemplars, f.claim.id]
    for fact in touched:
        fact.updated_at = now
    if claims_of:
        # One row per fact, not per claim: SQLAlchemy builds each row's parameters in Python.
        session.connection().execute(
            update(Claim)
            .where(one_of(session, col(Claim.id), name="claims"))
            .values(fact_id=bindparam("fact")),
            [{"fact": k, "claims": id_list(session, ids)} for k, ids in claims_of.items()],
        )
    session.flush()
    # Their facts' summaries, and those of the facts holding their articles' older runs.
    mark_changed(session, claim_ids=plan.claim_ids)
    # Only exemplars are compared again; the features of the other claims are not needed.
    exemplars = {i for fact in touched for i in fact.exemplars}
    claim_features(session).forget(
        [f.claim.id for f, _ in plan.assigned if f.claim.id not in exemplars]
    )


def count_pending(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Claim)
        .where(col(Claim.fact_id).is_(None), Claim.status == ClaimStatus.active.value)
    ).one()


def _pending_ids(session: Session, limit: int | None = None) -> list[tuple[int, str | None]]:
    """The claims without a fact, the oldest first: at least ``limit`` of them, and the rest of
    the last one's article. An article's claims are assigned in one pass, where the best of them
    takes a fact (one claim per article); split over two passes, the first claim that scores
    enough would take it, and which one did would hang on where a pass ended."""
    query = (
        sa_select(col(Claim.id), col(ExtractionRun.schema_name), col(Claim.article_id))
        .outerjoin(ExtractionRun, col(ExtractionRun.id) == col(Claim.run_id))
        # status || '': SQLite would otherwise walk the status index, every active claim of
        # the store, in id order; the claims without a fact are few, and have an index.
        .where(col(Claim.fact_id).is_(None), col(Claim.status).concat("") == ClaimStatus.active)
        .order_by(col(Claim.id))
    )
    rows = list(session.connection().execute(query.limit(limit)))
    if limit is not None and len(rows) == limit:
        last_id, _, article_id = rows[-1]
        rows += session.connection().execute(
            query.where(col(Claim.article_id) == article_id, col(Claim.id) > last_id)
        )
    return [(row[0], row[1]) for row in rows]  # type: ignore[misc]


def _plan_blocks(
    session: Session,
    schema_name: str,
    blocks: dict[tuple[str, str], list[Features]],
    aliases: dict[str, str],
) -> list[tuple[Features, Fact]]:
    """Every block's new claims against its stored facts, read in a handful of statements: an
    article's claims fall in a dozen blocks, and a statement per block was most of the cost."""
    names = list({block for block, _ in blocks})
    facts: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for start in range(0, len(names), 5000):
        for fact in session.exec(
            select(Fact).where(
                Fact.schema_name == schema_name,
                col(Fact.block).in_(names[start : start + 5000]),
                col(Fact.merged_into_id).is_(None),
            )
        ):
            if (fact.block, fact.family) in blocks:
                facts[fact.block, fact.family].append(fact)
    articles = {f.claim.article_id for features in blocks.values() for f in features}
    members, held = _stored_members(session, facts, articles, aliases)
    assigned: list[tuple[Features, Fact]] = []
    for (block, family), features in blocks.items():
        # A fact whose exemplars were all retracted or split out takes no new claims.
        stored = sorted((f for f in facts[block, family] if members.get(f.id or 0)),
                        key=lambda f: f.id or 0)  # fmt: skip
        clusters = [Cluster(members[f.id or 0], held[f.id or 0]) for f in stored]
        features.sort(key=lambda f: f.claim.id)
        for f, k in zip(features, assign_to_clusters(features, clusters), strict=True):
            if k == len(stored):  # the claim started a fact
                stored.append(_new_fact(schema_name, block, family, f.claim))
            assigned.append((f, stored[k]))
    return assigned


def _new_fact(schema_name: str, block: str, family: str, first: DiffClaim) -> Fact:
    return Fact(
        schema_name=schema_name,
        block=block,
        family=family,
        label=" · ".join(p for p in (first.subject, first.predicate, first.object) if p),
    )


def _stored_members(
    session: Session,
    facts: dict[tuple[str, str], list[Fact]],
    articles: set[int],
    aliases: dict[str, str],
) -> tuple[dict[int, list[Features]], dict[int, set[int]]]:
    """Each stored fact's leader and first exemplars, and which of these articles it holds.

    Only the exemplars are loaded (their ids are kept on the fact), and only the new claims'
    articles are looked up: a busy block costs its facts' exemplars, not all its claims.
    """
    ids = [i for block in facts.values() for f in block for i in f.exemplars]
    members: dict[int, list[Features]] = defaultdict(list)
    if ids:
        # Which exemplars are still active, and of which fact, read every pass (a curator may
        # have moved or retracted them); their features are kept across passes.
        current = session.connection().execute(
            sa_select(col(Claim.id), col(Claim.fact_id)).where(
                one_of(session, col(Claim.id), sorted(set(ids))),
                col(Claim.fact_id).is_not(None),
                col(Claim.status) == ClaimStatus.active.value,
            )
        )
        fact_of: dict[int, int] = {row[0]: row[1] for row in current}  # type: ignore[misc]
        for m in claim_features(session).get(session, sorted(fact_of), aliases):
            members[fact_of[m.claim.id]].append(m)
    held: dict[int, set[int]] = defaultdict(set)
    if articles:
        rows = session.connection().execute(
            sa_select(col(Claim.fact_id), col(Claim.article_id)).where(
                one_of(session, col(Claim.article_id), sorted(articles)),
                col(Claim.fact_id).is_not(None),
                col(Claim.status) == ClaimStatus.active.value,
                current_claims(),  # an article extracted again is held by its latest run
            )
        )
        for fact_id, article_id in rows:
            held[fact_id].add(article_id)  # type: ignore[index]  # not None: filtered
    return members, held


def reassign_names(session: Session, names: Iterable[str]) -> None:
    """Send the facts of claims about these names back to assignment, and commit.

    An alias moves a name's claims into another subject's block: every fact holding a claim
    whose subject (or the words the article used for it) is one of the names is clustered
    again (curators' merges and splits among them are not kept). The empty facts stay, with
    their audit trail.
    """
    lock_facts(session)
    folded = list({n.casefold() for n in names})
    about = select(Claim.fact_id).where(
        col(Claim.fact_id).is_not(None),
        func.lower(col(Claim.subject_name)).in_(folded)
        | func.lower(col(Claim.subject_mention)).in_(folded),
    )
    ids = session.exec(about.distinct()).all()
    if ids:
        session.exec(update(Claim).where(col(Claim.fact_id).in_(ids)).values(fact_id=None))
        mark_changed(session, fact_ids=ids)
    session.commit()


def refresh_exemplars(session: Session, fact: Fact) -> None:
    """A fact's first EXEMPLARS active claims, after a curator moved claims in or out."""
    fact.exemplars = list(
        session.exec(  # type: ignore[arg-type]  # ids of stored rows are never None
            select(col(Claim.id))
            .where(Claim.fact_id == fact.id, Claim.status == ClaimStatus.active.value)
            .order_by(col(Claim.id))
            .limit(EXEMPLARS)
        ).all()
    )
    session.add(fact)


def split_facts(session: Session) -> frozenset[int]:
    """The facts a curator split a claim out of, and the facts those claims went to."""
    rows = session.exec(
        select(FactAudit.fact_id, FactAudit.other_fact_id).where(
            FactAudit.action == FactAction.split_out.value
        )
    ).all()
    return frozenset(i for row in rows for i in row if i is not None)


def merged_facts(session: Session) -> frozenset[int]:
    """The facts a curator merged another fact into."""
    rows = session.exec(
        select(FactAudit.fact_id).where(FactAudit.action == FactAction.merged.value)
    ).all()
    return frozenset(rows)
