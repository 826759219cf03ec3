"""Two-factor sign-in: after the password, a session reaches no page until its second factor is done."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import permissions, services
from .models import User

# Set at sign-in: whether the account then had an authenticator (so optional users with one are asked too).
HAS_DEVICE_SESSION_KEY = "two_factor_device"


def note_device(sender: type, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """On user_logged_in (connected in BureauConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE_SESSION_KEY] = services.two_factor_has_device(user=user)


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
    has_device = request.session.get(HAS_DEVICE_SESSION_KEY)
    if has_device is None:  # a session from before two-factor sign-in existed
        has_device = request.session[HAS_DEVICE_SESSION_KEY] = services.two_factor_has_device(user=user)
    return bool(has_device) or permissions.two_factor_required(user)


class TwoFactorMiddleware:
    """Pages send the session to the code page (or to enrol); the API does not count such a session at all.

    API calls with a token are not concerned: tokens are for departments' systems.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request):
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
            elif not request.path.startswith(_exempt_prefixes()):
                target = "bureau:two-factor-verify"
                assert isinstance(request.user, User)
                if not services.two_factor_has_device(user=request.user):
                    target = "bureau:two-factor-setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
