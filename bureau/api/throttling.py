"""Requests per department API token, so one department's runaway system cannot crowd out the others."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request


class TokenRateThrottle(SimpleRateThrottle):
    """Keyed by the token's id; the rate is DEFAULT_THROTTLE_RATES["token"]. Requests without a token pass."""

    scope = "token"

    def get_rate(self) -> str | None:
        # Read when asked, not at import as DRF's class attribute is, so a changed setting takes effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate is not None else None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        from ..models import ApiToken

        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
