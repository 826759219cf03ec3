"""Page-side permission checks; the API uses the same permissions through DRF classes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import Resolver404, resolve

F = TypeVar("F", bound=Callable[..., Any])


def require_perm(*perms: str) -> Callable[[F], F]:
    """Refuse (403) a page unless the user holds every model-level permission named.

    The permissions are kept on the view (`required_perms`, carried through `login_required` and the
    other `functools.wraps` decorators), so links to the page can ask `may_open` by the same rule.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perms = (*getattr(view, "required_perms", ()), *perms)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def required_perms(path: str) -> tuple[str, ...] | None:
    """The model permissions the page at `path` requires (`require_perm`); None if no page is there."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return tuple(getattr(match.func, "required_perms", ()))


def may_open(user: Any, path: str) -> bool:
    """Would the page at `path` open for `user` as far as its model permissions go (the rule `require_perm`
    applies)? Navigation and links ask this, so they never offer a page that answers 403."""
    if not user.is_authenticated:
        return False
    perms = required_perms(path)
    return perms is not None and user.has_perms(perms)
