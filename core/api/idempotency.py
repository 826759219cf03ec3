"""`Idempotency-Key` for API POSTs: the same key from the same user returns the first answer and acts once.

The record of the key is written in the same transaction as the action it guards. A
concurrent repeat blocks on the key's unique index until the first commits, then reads
its stored answer; if the action failed with a server error, nothing was stored and
the request may be retried. A key reused with a different body or URL gets 422.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import error_body

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128

View = Callable[..., Response]


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(view: View) -> View:
    """Decorate a POST viewset action: honour an `Idempotency-Key` header when the client sends one."""

    @wraps(view)
    def wrapped(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        from core.models import IdempotentRequest

        key = request.headers.get(HEADER, "").strip()
        if not key or not request.user.is_authenticated:
            return view(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response(error_body("invalid", _("The idempotency key is too long (at most 128 characters).")), 400)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                # A concurrent request with the same key waits on the unique index here.
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        user_id=request.user.pk, key=key, method=request.method or "POST", path=request.path[:255],
                        fingerprint=fingerprint, status_code=0,
                    )  # fmt: skip
            except IntegrityError:
                earlier = IdempotentRequest.objects.get(user_id=request.user.pk, key=key)
            else:
                # An exception (a refused request) rolls the record back with the action: it may be retried.
                response = view(self, request, *args, **kwargs)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.response_body = response.data
                record.save(update_fields=["status_code", "response_body"])
                return response
        if earlier.fingerprint != fingerprint:
            return Response(
                error_body("idempotency_key_reused", _("This idempotency key was used for a different request.")), 422
            )
        replay = Response(earlier.response_body, status=earlier.status_code)
        replay["Idempotent-Replayed"] = "true"
        return replay

    wrapped.idempotent = True  # type: ignore[attr-defined]  # the schema documents the header and the 422
    return wrapped
