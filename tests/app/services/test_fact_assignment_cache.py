"""Fact assignment keeps claims' features across passes (app.services.claim_features): every
claim must still land in the fact it would land in with nothing kept, whatever curators,
aliases and concurrent passes did meanwhile."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, update
from sqlmodel import Session, col, select

from app.diff.ledger import build_ledger
from app.services import claim_features as cache_module
from app.services.claim_features import claim_features
from app.services.diff_sources import load_claims
from app.services.fact_curation import merge_facts, split_claim
from app.services.facts import assign_in, assign_pending, reassign_names
from app.store.entities import add_alias, entity_key
from app.store.fact_models import Fact
from app.store.facts_lock import lock_facts
from app.store.models import Article, Claim, ClaimStatus, Entity
from tests.app.conftest import race

DEV = Path(__file__).parents[3] / "eval" / "dev"
SCHEMA = "news_claims"


def _entity(session: Session, name: str, kind: str) -> int:
    found = session.exec(select(Entity).where(Entity.key == entity_key(name))).first()
    if found is None:
        found = Entity(key=entity_key(name), name=name, type=kind)
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id


def store_article(session: Session, text: str, outlet: str, claims: list[dict[str, Any]],
                  *, canonical: bool = True) -> int:  # fmt: skip
    """An article and its claims as a curator would add them by hand (no run), each with the
    gold's fields; without its canonical fields when ``canonical`` is false (news_claims@v1)."""
    article = Article(
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        outlet=outlet,
        published_at=datetime(2025, 1, 20),
    )
    session.add(article)
    session.flush()
    assert article.id is not None
    for c in claims:
        q, t, obj = c.get("quantity") or {}, c.get("time") or {}, c.get("object_entity")
        session.add(Claim(
            article_id=article.id, statement=c["statement"], claim_type=c["claim_type"],
            subject_name=c["subject"]["name"], subject_type=c["subject"]["type"],
            subject_mention=c["subject"].get("mention"), predicate=c["predicate"],
            object=c.get("object"), quantity_value=q.get("value"), quantity_unit=q.get("unit"),
            quantity_qualifier=q.get("qualifier"), time_text=t.get("text"),
            time_start=date.fromisoformat(t["start"]) if t.get("start") else None,
            time_end=date.fromisoformat(t["end"]) if t.get("end") else None,
            location=c.get("location"), modality=c.get("modality", "asserted"),
            evidence_quote=c["evidence"], char_start=0, char_end=len(c["evidence"]),
            match_kind="exact", match_score=100.0,
            fact_kind=c.get("fact_kind") if canonical else None,
            object_entity_id=_entity(session, obj["name"], obj["type"])
            if obj and canonical else None,
            unit_kind=q.get("unit_kind") if canonical else None,
            aspect=q.get("aspect") if canonical else None,
            entity_id=_entity(session, c["subject"]["name"], c["subject"]["type"]),
        ))  # fmt: skip
    session.flush()
    return article.id


def store_story(engine: Engine, path: Path) -> int:
    """A story of the evaluation's dev split, every article in both wordings, with canonical
    fields and again without them; returns how many claims."""
    story = json.loads(path.read_text())
    count = 0
    with Session(engine) as session:
        for wording in ("canonical", "varied"):
            for article in story["articles"]:
                claims = story["claims"][wording][article["key"]]
                for canonical in (True, False):
                    text = f"{article['text']}\n[{wording}, canonical={canonical}]"
                    store_article(session, text, article["outlet"], claims, canonical=canonical)
                    count += len(claims)
        session.commit()
    return count


def store_dev_set(engine: Engine) -> int:
    return sum(store_story(engine, path) for path in sorted(DEV.glob("*.json")))


def facts_of_claims(engine: Engine) -> dict[int, int]:
    """Each claim's fact, the facts numbered in the order they were made (a database numbers
    them its own way: PostgreSQL's sequence does not start again after a delete)."""
    with Session(engine) as session:
        rows = session.exec(select(Claim.id, Claim.fact_id).order_by(col(Claim.id))).all()
    order = {fact_id: n for n, fact_id in enumerate(sorted({f for _, f in rows if f}))}
    return {claim_id: order[fact_id] for claim_id, fact_id in rows if claim_id and fact_id}


def unassign_all(engine: Engine) -> None:
    with Session(engine) as session:
        session.exec(update(Claim).values(fact_id=None))  # type: ignore[call-overload]
        session.exec(delete(Fact))  # type: ignore[call-overload]
        session.commit()


def assign_in_passes(engine: Engine, size: int, before_pass: Callable[[], None]) -> None:
    """Pending claims in passes of ``size``, the oldest first, as the workers' hook sees them
    arrive."""
    while True:
        before_pass()
        with Session(engine) as session:
            lock_facts(session)
            done = assign_in(session, default_schema=SCHEMA, limit=size)
            session.commit()
        if not done:
            return


@pytest.fixture
def loaded_ids(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The ids of the claims whose features were read from the database."""
    seen: list[int] = []
    real = cache_module.load_claims

    def spy(session: Session, **kwargs: Any) -> Any:
        claims = real(session, **kwargs)
        seen.extend(c.id for c in claims)
        return claims

    monkeypatch.setattr(cache_module, "load_claims", spy)
    yield seen


def test_warm_and_cold_cache_put_every_claim_in_the_same_fact(
    backend: Engine, loaded_ids: list[int]
) -> None:
    claims = store_dev_set(backend)
    with Session(backend) as session:
        cache = claim_features(session)
    cache.clear()
    assign_in_passes(backend, 25, lambda: None)
    warm = facts_of_claims(backend)
    warm_loads = len(loaded_ids)

    unassign_all(backend)
    loaded_ids.clear()
    assign_in_passes(backend, 25, cache.clear)
    cold = facts_of_claims(backend)

    assert len(warm) == claims
    assert warm == cold
    # Kept: each claim read once, though later passes compare new claims with earlier ones.
    assert warm_loads == claims
    assert len(loaded_ids) > claims
    # And both are the ledger's clustering of every claim at once.
    with Session(backend) as session:
        every = load_claims(session, where=[col(Claim.status) == ClaimStatus.active.value])
    clusters = {frozenset(c.id for c in fact.sources) for fact in build_ledger(every)}
    by_fact: dict[int, set[int]] = {}
    for claim_id, fact in warm.items():
        by_fact.setdefault(fact, set()).add(claim_id)
    assert {frozenset(s) for s in by_fact.values()} == clusters
    assert sum(len(c) > 1 for c in clusters) > 100, sum(len(c) > 1 for c in clusters)


KENYA = json.loads((DEV / "kenya-haiti.json").read_text())


def copy_of(engine: Engine, claim_id: int, tag: str) -> int:
    """A new article stating exactly what claim ``claim_id`` states; its claim's id."""
    with Session(engine) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        row = claim.model_dump(exclude={"id", "fact_id", "article_id", "created_at"})
        text = f"A copy of claim {claim_id} ({tag})."
        article = Article(text=text, content_hash=hashlib.sha256(text.encode()).hexdigest())
        session.add(article)
        session.flush()
        copy = Claim(**row, article_id=article.id)
        session.add(copy)
        session.commit()
        assert copy.id is not None
        return copy.id


def fact_of(engine: Engine, claim_id: int) -> int | None:
    with Session(engine) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        return claim.fact_id


def exemplars(engine: Engine, fact_id: int) -> list[int]:
    with Session(engine) as session:
        fact = session.get(Fact, fact_id)
        assert fact is not None
        return fact.exemplars


def test_a_split_and_a_merge_decide_where_the_next_claim_lands(
    backend: Engine, loaded_ids: list[int]
) -> None:
    with Session(backend) as session:
        for article in KENYA["articles"]:
            claims = KENYA["claims"]["canonical"][article["key"]]
            store_article(session, article["text"], article["outlet"], claims)
        session.commit()
    assert assign_pending(backend, default_schema=SCHEMA) > 0
    with Session(backend) as session:
        facts = session.exec(select(Fact).order_by(col(Fact.id))).all()
        fact = next(f for f in facts if len(f.exemplars) == 3)
    assert fact.id is not None
    leader = fact.exemplars[0]
    # Warm: every exemplar's features are kept.
    loaded_ids.clear()
    first = copy_of(backend, leader, "before")
    assert assign_pending(backend, default_schema=SCHEMA) == 1
    assert loaded_ids == [first]
    assert fact_of(backend, first) == fact.id

    with Session(backend) as session:
        split = split_claim(session=session, fact_id=fact.id, claim_id=leader,
                            actor="desk", reason="another deployment")  # fmt: skip
    assert split.id is not None
    assert exemplars(backend, fact.id)[0] != leader
    second = copy_of(backend, leader, "after the split")
    assert assign_pending(backend, default_schema=SCHEMA) == 1
    assert fact_of(backend, second) == split.id  # with its leader, wherever it is now

    with Session(backend) as session:
        merge_facts(session=session, fact_id=fact.id, other_id=split.id,
                    actor="desk", reason="one deployment after all")  # fmt: skip
    assert exemplars(backend, fact.id)[0] == leader
    third = copy_of(backend, leader, "after the merge")
    assert assign_pending(backend, default_schema=SCHEMA) == 1
    assert fact_of(backend, third) == fact.id
    assert leader not in loaded_ids  # the leader's features were kept throughout


def test_a_new_alias_renews_the_kept_features(backend: Engine) -> None:
    # v1 claims (no canonical fields) are blocked by subject: two names, two blocks.
    deployed = KENYA["claims"]["canonical"]["a"][0]
    renamed = {**deployed, "subject": {"name": "Nairobi government", "type": "organization"}}
    with Session(backend) as session:
        store_article(session, "Kenya's report.", "Daily A", [deployed], canonical=False)
        store_article(session, "Nairobi's report.", "Daily B", [renamed], canonical=False)
        session.commit()
        kenya, nairobi = session.exec(select(Claim.id).order_by(col(Claim.id))).all()
    assert assign_pending(backend, default_schema=SCHEMA) == 2
    assert fact_of(backend, kenya) != fact_of(backend, nairobi)

    with Session(backend) as session:
        entity = session.exec(select(Entity).where(Entity.key == entity_key("Kenya"))).one()
        assert entity.id is not None
        assert add_alias(session=session, entity_id=entity.id, alias="Nairobi government")
        session.commit()
        reassign_names(session, ["Nairobi government", "Kenya"])
    assert assign_pending(backend, default_schema=SCHEMA) == 2
    assert fact_of(backend, kenya) == fact_of(backend, nairobi) is not None


def test_racing_passes_share_the_cache_and_assign_each_claim_once(backend: Engine) -> None:
    claims = store_dev_set(backend)
    with Session(backend) as session:
        cache = claim_features(session)
    assign_in_passes(backend, 10_000, cache.clear)
    reference = facts_of_claims(backend)
    with Session(backend) as session:  # start again, the stories arriving one by one
        session.exec(delete(Claim))  # type: ignore[call-overload]
        session.exec(delete(Fact))  # type: ignore[call-overload]
        session.exec(delete(Article))  # type: ignore[call-overload]
        session.commit()
    cache.clear()

    counts: list[int] = []
    for path in sorted(DEV.glob("*.json")):
        store_story(backend, path)
        # Three passes at once, one cache: one assigns the story, the others find it done.
        counts += race(3, lambda _: assign_pending(backend, default_schema=SCHEMA))

    assert sum(counts) == claims  # each claim assigned by one pass only
    # The same facts as one pass over every claim (numbered otherwise: made in another order).
    assert partition(facts_of_claims(backend)) == partition(reference)


def partition(facts: dict[int, int]) -> set[frozenset[int]]:
    """Which claims share a fact, by their rank among the claims (ids go on between rounds)."""
    rank = {claim_id: n for n, claim_id in enumerate(sorted(facts))}
    members: dict[int, set[int]] = {}
    for claim_id, fact in facts.items():
        members.setdefault(fact, set()).add(rank[claim_id])
    return {frozenset(m) for m in members.values()}


def test_sqlite_finds_the_claims_without_a_fact_by_their_index(engine: Engine) -> None:
    """Not by walking every active claim of the store (the status index), twice a pass."""
    store_story(engine, DEV / "kenya-haiti.json")
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "claim.fact_id IS NULL" in statement and statement.startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    assert assign_pending(engine, default_schema=SCHEMA) > 0
    assert seen
    with engine.connect() as connection:
        for statement, params in seen:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            claim_step = next(row[3] for row in plan if " claim " in f"{row[3]} ")
            # The rest of a pass's last article (facts._pending_ids) is found by its article.
            assert (
                "USING INDEX ix_claim_fact_status (fact_id=?)" in claim_step
                or "USING INDEX ix_claim_article_id (article_id=? AND rowid>?)" in claim_step
            ), plan
