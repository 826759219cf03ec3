"""The cache on Redis, degrading to "nothing cached" while Redis is down.

Nothing the portal keeps in the cache is needed for correctness (sessions and sign-in
lockouts live in PostgreSQL; the cache holds API throttle counters), so a page or an API
call must not fail because Redis is restarting: a read misses, a write is dropped, and a
warning is logged. `/healthz` still reports Redis as down.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
F = TypeVar("F", bound=Callable[..., Any])


def _degrade(fallback: Callable[..., Any]) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapped(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                logger.warning("cache unavailable, %s skipped: %s", method.__name__, exc)
                return fallback(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _none(*args: Any, **kwargs: Any) -> None:
    return None


def _empty(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return {}


def _all_failed(data: dict[str, Any], *args: Any, **kwargs: Any) -> list[str]:
    return list(data)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose reads miss and writes are dropped while Redis is unreachable."""

    get = _degrade(_default)(RedisCache.get)
    get_many = _degrade(_empty)(RedisCache.get_many)
    has_key = _degrade(_false)(RedisCache.has_key)
    set = _degrade(_none)(RedisCache.set)
    add = _degrade(_false)(RedisCache.add)
    touch = _degrade(_false)(RedisCache.touch)
    set_many = _degrade(_all_failed)(RedisCache.set_many)
    delete = _degrade(_false)(RedisCache.delete)
    delete_many = _degrade(_none)(RedisCache.delete_many)
