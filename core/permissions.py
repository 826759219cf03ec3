"""Page-side permission checks; the API uses the same permissions through DRF classes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

F = TypeVar("F", bound=Callable[..., Any])


def require_perm(*perms: str) -> Callable[[F], F]:
    """Refuse (403) a page unless the user holds every model-level permission named."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
