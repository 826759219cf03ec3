"""Token authentication that also tells the audit history who acted."""

from __future__ import annotations

from typing import Any

import pghistory
from rest_framework import authentication
from rest_framework.request import Request


class TokenAuthentication(authentication.TokenAuthentication):
    # DRF authenticates inside the view, after pghistory's middleware has opened its
    # context with an anonymous user; put the token's owner into that context.
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            user, _token = result
            pghistory.context(user=user.pk, auth="token")
        return result
