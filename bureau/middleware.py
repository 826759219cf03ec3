"""Two-factor sign-in: after the password, a session reaches no page until its second factor is done."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from core.views import is_api

from . import services
from .models import User

# Set at sign-in, so a request reads the session instead of the user's groups and devices: whether the account
# then had an authenticator (optional users with one are asked too), and whether it needs a second factor. A role
# gained later counts from the next sign-in (sessions end after 30 minutes without activity).
HAS_DEVICE_SESSION_KEY = "two_factor_device"
NEEDED_SESSION_KEY = "two_factor_needed"


def note_device(sender: type, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """On user_logged_in (connected in BureauConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        _note(request, user)


def _note(request: HttpRequest, user: User) -> bool:
    has_device = services.two_factor_has_device(user=user)
    request.session[HAS_DEVICE_SESSION_KEY] = has_device
    needed = request.session[NEEDED_SESSION_KEY] = services.two_factor_needed(user=user, has_device=has_device)
    return needed


@functools.cache
def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("login"),
        reverse("logout"),
        reverse("bureau:two-factor-verify"),
        reverse("bureau:two-factor-setup"),
        reverse("set_language"),
        reverse("healthz"),
        reverse("metrics"),
        settings.STATIC_URL,
    )


def needs_second_factor(request: HttpRequest) -> bool:
    """Signed in with a password, but the second factor this account needs is not done yet."""
    user = request.user
    # django-otp's middleware gives every user is_verified(): did this session pass a device?
    if not isinstance(user, User) or getattr(user, "is_verified")():  # noqa: B009
        return False
    needed = request.session.get(NEEDED_SESSION_KEY)
    if needed is None:  # a session from before two-factor sign-in existed
        needed = _note(request, user)
    return bool(needed)


class TwoFactorMiddleware:
    """Pages send the session to the code page (or to enrol); the API does not count such a session at all.

    API calls with a token are not concerned: tokens are for departments' systems.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request):
            if is_api(request):
                request.user = AnonymousUser()
            else:
                request.second_factor_pending = True  # type: ignore[attr-defined]  # base.html hides the menus
                if not request.path.startswith(_exempt_prefixes()):
                    # The code page itself sends a session whose authenticator is gone on to enrolment.
                    target = "bureau:two-factor-verify"
                    if not request.session.get(HAS_DEVICE_SESSION_KEY):
                        target = "bureau:two-factor-setup"
                    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
