"""Access control: the API keys of FACTDIFF_API_KEYS, their scopes and request rates.

No keys configured: the service is open, and the start-up log says so. With keys, every route
but /healthz, /docs and /openapi.json needs one, sent as ``Authorization: Bearer <key>`` or
``X-API-Key: <key>``. Reads (GET, HEAD) need a key of read or write scope, anything else a key
of write scope. ``authorize`` is wired on the routers in app.api.main, so no route is forgotten;
a route that needs to know its caller takes ``ReadKey`` or ``WriteKey`` as well (FastAPI
resolves the key once per request, so it is counted once against its rate).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.api.ratelimit import RateLimiter
from app.core.config import ApiKey, ApiKeyScope, Settings, get_settings

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

MISSING_KEY = "missing API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
INVALID_KEY = "invalid API key"

# Both schemes are declared so /docs offers an Authorize button; either one will do.
bearer_scheme = HTTPBearer(
    auto_error=False, description="An API key of FACTDIFF_API_KEYS, as a bearer token"
)
header_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key of FACTDIFF_API_KEYS"
)


def rate_refusal(name: str, rpm: int, wait: int) -> str:
    return f"rate limit of {rpm} requests per minute exceeded for key {name!r}; retry in {wait} s"


def scope_refusal(name: str, scope: ApiKeyScope, method: str, path: str) -> str:
    return f"API key {name!r} has {scope.value} scope; {method} {path} needs write scope"


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The process's limiter, made on first use (tests override this dependency)."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        limiter = request.app.state.rate_limiter = RateLimiter()
    return limiter


def find_key(keys: Sequence[ApiKey], presented: str) -> ApiKey | None:
    found = None
    candidate = presented.encode()
    for key in keys:
        # Every key is compared, in constant time: the response time tells nothing.
        if secrets.compare_digest(key.key.get_secret_value().encode(), candidate):
            found = key
    return found


async def authenticate(
    settings: Annotated[Settings, Depends(get_settings)],
    limiter: Annotated[RateLimiter, Depends(get_rate_limiter)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header_key: Annotated[str | None, Depends(header_scheme)],
) -> ApiKey | None:
    """The caller's key, counted against its rate; None when the service has no keys.

    These dependencies are ``async`` because they never block: FastAPI would otherwise run
    each one in a worker thread, a hop that cost every request about 2 ms.
    """
    if not settings.api_keys:
        return None
    presented = bearer.credentials if bearer is not None else header_key
    if not presented:
        raise HTTPException(401, MISSING_KEY, headers={"WWW-Authenticate": "Bearer"})
    key = find_key(settings.api_keys, presented)
    if key is None:
        raise HTTPException(
            401, INVALID_KEY, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    if key.rpm is not None and (wait := limiter.acquire(key.name, key.rpm)):
        raise HTTPException(
            429, rate_refusal(key.name, key.rpm, wait), headers={"Retry-After": str(wait)}
        )
    return key


CallerKey = Annotated[ApiKey | None, Depends(authenticate)]


async def require_read(key: CallerKey) -> ApiKey | None:
    return key  # every valid key may read


async def require_write(request: Request, key: CallerKey) -> ApiKey | None:
    if key is not None and key.scope is not ApiKeyScope.write:
        raise HTTPException(
            403, scope_refusal(key.name, key.scope, request.method, request.url.path)
        )
    return key


async def authorize(request: Request, key: CallerKey) -> ApiKey | None:
    """The router-wide check: the scope a request needs follows from its method."""
    if request.method in READ_METHODS:
        return await require_read(key)
    return await require_write(request, key)


ReadKey = Annotated[ApiKey | None, Depends(require_read)]
WriteKey = Annotated[ApiKey | None, Depends(require_write)]
