"""Claims' features (app.diff.features), kept across assignment passes of one database.

Each pass of fact assignment compares the new claims with the exemplars (first claims) of the
stored facts of their blocks. Loading and normalising those exemplars again every pass cost a
busy block its facts times EXEMPLARS claims read and normalised, however few claims were new.

What makes keeping them safe: an active claim's row never changes but for its fact and its
status (a curator's correction is a new claim, the old one superseded; entities are never
renamed), and the callers read which claims are active, and of which fact, from the database
every pass; only their features come from here. The features also depend on the entity
aliases (a claim's subject is its canonical name), so another alias map empties the cache.
One cache per engine: tests make an engine per database, and so does every process.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

from sqlalchemy import Connection, Engine
from sqlmodel import Session, col

from app.diff.align import Features, features_of
from app.services.diff_sources import load_claims
from app.store.models import Claim
from app.store.sql_lists import one_of

# Bounds the memory one database's cache takes (a claim's features are about 2 KB, so about
# 80 MB); past it the cache starts again empty, which costs one pass the loading this saves.
# A store of a million claims has about 23,000 exemplars, so they all fit.
MAX_CLAIMS = 40_000


class ClaimFeatures:
    """Features of claims by id, for one database; shared by the threads of a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._aliases: dict[str, str] | None = None
        self._by_id: dict[int, Features] = {}

    def get(self, session: Session, ids: Sequence[int], aliases: dict[str, str]) -> list[Features]:
        """The features of these claims that are active, in id order; those not kept yet are
        loaded (in one query) and kept."""
        with self._lock:
            if aliases != self._aliases:
                self._aliases, self._by_id = aliases, {}
            found = {i: f for i in ids if (f := self._by_id.get(i)) is not None}
        missing = [i for i in ids if i not in found]
        if missing:
            where = [one_of(session, col(Claim.id), missing)]
            loaded = features_of(load_claims(session, where=where, aliases=aliases))
            found.update((f.claim.id, f) for f in loaded)
            with self._lock:
                # Another thread may have started over with other aliases meanwhile.
                if aliases == self._aliases:
                    if len(self._by_id) + len(loaded) > MAX_CLAIMS:
                        self._by_id = {}
                    self._by_id.update((f.claim.id, f) for f in loaded)
        return [found[i] for i in sorted(found)]

    def forget(self, ids: Sequence[int]) -> None:
        with self._lock:
            for i in ids:
                self._by_id.pop(i, None)

    def clear(self) -> None:
        with self._lock:
            self._aliases, self._by_id = None, {}


_caches: weakref.WeakKeyDictionary[Engine, ClaimFeatures] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def claim_features(session: Session) -> ClaimFeatures:
    """The cache of the database this session is bound to."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = ClaimFeatures()
        return cache
