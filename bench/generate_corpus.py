"""Populate a factdiff database with synthetic articles and claims, for the benchmarks.

    python -m bench.generate_corpus --articles 10000 --database-url sqlite:////tmp/corpus.db

Claims come from bench.diff_bench.corpus (news-like paraphrases of shared facts, some with
conflicting figures); each article gets a succeeded news_claims run, as extraction would
leave it. Rows go in with bulk inserts: this measures reading, not writing.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from sqlalchemy import Engine, insert
from sqlmodel import Session

from app.diff.align import DiffClaim
from app.store.db import make_engine, migrate
from app.store.entities import entity_key
from app.store.models import (
    Article,
    Claim,
    Entity,
    ExtractionRun,
    Publication,
    RunStatus,
    utcnow,
)
from app.store.publications import publication_identity
from bench.diff_bench import corpus


def populate(engine: Engine, *, articles: int, seed: int = 7) -> tuple[int, str]:
    """Insert the corpus; returns the number of claims and the busiest entity's name."""
    claims: list[DiffClaim] = corpus(random.Random(seed), articles)
    now = utcnow()
    subjects = sorted({c.subject for c in claims})
    with Session(engine) as session:
        session.execute(
            insert(Entity),
            [
                {"id": i + 1, "key": entity_key(s), "name": s.title(),
                 "type": "organization", "aliases": [], "created_at": now}
                for i, s in enumerate(subjects)
            ],
        )  # fmt: skip
        entity_ids = {s: i + 1 for i, s in enumerate(subjects)}
        session.execute(
            insert(Article),
            [
                {"id": a + 1, "content_hash": f"synthetic-{seed}-{a}", "text": f"Article {a}.",
                 "title": f"Synthetic {a}", "outlet": f"Outlet {a % 97}",
                 "published_at": now, "created_at": now}
                for a in range(articles)
            ],
        )  # fmt: skip
        session.execute(
            insert(Publication),
            [
                {"id": a + 1, "article_id": a + 1, "outlet": f"Outlet {a % 97}",
                 "identity": publication_identity(f"Outlet {a % 97}", None),
                 "title": f"Synthetic {a}", "published_at": now, "created_at": now}
                for a in range(articles)
            ],
        )  # fmt: skip
        session.execute(
            insert(ExtractionRun),
            [
                {"id": a + 1, "article_id": a + 1, "cache_key": f"synthetic-{seed}-{a}",
                 "schema_name": "news_claims", "schema_version": "v1",
                 "prompt_version": "extract_claims/v1", "model": "synthetic",
                 "endpoint": "bench", "llm_mode": "replay", "instructor_mode": "tools",
                 "status": RunStatus.succeeded, "usage_by_attempt": [], "created_at": now}
                for a in range(articles)
            ],
        )  # fmt: skip
        rows = [
            {"run_id": c.article_id + 1, "article_id": c.article_id + 1,
             "entity_id": entity_ids[c.subject], "statement": c.statement,
             "claim_type": c.claim_type, "subject_name": c.subject.title(),
             "subject_type": "organization", "predicate": c.predicate, "object": c.object,
             "quantity_value": c.value, "quantity_unit": c.unit,
             "quantity_qualifier": c.qualifier, "time_text": c.time_text,
             "time_start": c.time_start, "time_end": c.time_end, "location": c.location,
             "attribution": c.attribution, "modality": c.modality, "evidence_quote": c.quote,
             "char_start": c.char_start, "char_end": c.char_end, "match_kind": "exact",
             "match_score": 100.0, "extra": {}, "status": "active", "origin": "extracted",
             "created_at": now}
            for c in claims
        ]  # fmt: skip
        for start in range(0, len(rows), 20_000):
            session.execute(insert(Claim), rows[start : start + 20_000])
        session.commit()
    busiest = Counter(c.subject for c in claims).most_common(1)[0][0]
    return len(claims), busiest.title()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", required=True, help="an empty database")
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    migrate(engine)
    started = time.perf_counter()
    count, busiest = populate(engine, articles=args.articles, seed=args.seed)
    took = time.perf_counter() - started
    print(f"{args.articles} articles, {count} claims in {took:.1f}s; busiest entity: {busiest}")


if __name__ == "__main__":
    main()
