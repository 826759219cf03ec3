"""One JSON log line per request, with a request id that follows the work into Celery."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from .logging import bind_request_id, new_request_id
from .metrics import observe_request

logger = logging.getLogger("portal.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        # A proxy's id is kept so one id follows the request end to end; junk is replaced.
        request_id = incoming if _VALID_ID.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        bind_request_id(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            bind_request_id(None)
        elapsed = time.perf_counter() - started
        duration_ms = round(elapsed * 1000, 1)
        match = getattr(request, "resolver_match", None)
        observe_request(request.method or "", match.view_name if match else "unmatched", response.status_code, elapsed)
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user": _username(request),
            },
        )
        response["X-Request-ID"] = request_id
        return response


def _username(request: HttpRequest) -> str | None:
    """The signed-in user's name for the log; None when there is none or the database is unreachable."""
    user = getattr(request, "user", None)
    try:
        return user.get_username() if user is not None and user.is_authenticated else None
    except DatabaseError:
        return None
