"""Department API tokens (bureau.models.ApiToken), and who acted for the audit history."""

from __future__ import annotations

from typing import Any

import pghistory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .. import selectors, services


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <secret>`: an unknown, expired or revoked token gets 401.

    Tokens are for systems, so no second factor is asked (it guards the browser sign-in).
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = selectors.api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.expires_on < timezone.localdate():
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        services.api_token_touch(token=token)
        return token.user, token

    # DRF authenticates inside the view, after pghistory's middleware has opened its
    # context with an anonymous user; put the token's owner (and the token) into that context.
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            user, token = result
            pghistory.context(user=user.pk, auth="token", api_token=token.pk)
        return result
