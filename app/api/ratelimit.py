"""Per-API-key request rate limit: a token bucket per key, in this process.

Each key may burst up to its ``rpm`` requests, then gets one more every 60/rpm seconds. A
refused request learns how long to wait (``Retry-After``). Several service processes each
keep their own buckets: give each its share of a key's rate.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        # Sync routes run in a thread pool: two requests of one key may race here.
        self._lock = threading.Lock()

    def acquire(self, key: str, rpm: int) -> int:
        """Take one request from the key's bucket: 0 if allowed, else the seconds to wait."""
        rate = rpm / 60.0
        with self._lock:
            now = self._clock()
            bucket = self._buckets.setdefault(key, _Bucket(tokens=float(rpm), updated=now))
            bucket.tokens = min(float(rpm), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            # Rounded first, so float noise never turns 20 s into 21 s.
            return max(1, math.ceil(round((1 - bucket.tokens) / rate, 6)))
