"""The OpenAPI schema describes the errors each operation can answer, in the one error format.

drf-spectacular documents only the success of an operation; clients (and the API fuzz in
tests/core/test_api_fuzz.py) must also know the refusals. Each operation gets the error
responses that the API really gives for it, all with the `Error` body of core.api.errors:
401 without a valid token, 403 when the role or unit does not allow it, 404 for a record that
does not exist or is not visible (and a page past the end of a list), 400 for invalid input,
415 for a body in a media type the operation does not read, 422 for an `Idempotency-Key` reused
with a different request, 429 when throttled or locked out.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .idempotency import HEADER, MAX_KEY_LENGTH


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="A stable, machine-readable code, e.g. `invalid`, `not_found`.")
    message = serializers.CharField(help_text="A human-readable message, in the request's language.")
    details = serializers.JSONField(
        allow_null=True, help_text="Field errors for `invalid`, `retry_after_seconds` when throttled, else null."
    )


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()


TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"

ERROR_DESCRIPTIONS = {
    "400": "The request contains invalid data.",
    "401": "No valid token or session.",
    "403": "The role or unit of the caller does not allow this.",
    "404": "No such record visible to the caller, or no such page.",
    "413": "The uploaded file is too large.",
    "415": "The body is in a media type the operation does not read.",
    "422": "The idempotency key was used for a different request.",
    "429": "Too many requests, or too many failed sign-ins.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, plus each operation's error responses and `Idempotency-Key`."""

    def _handler(self) -> Any:
        name = getattr(self.view, "action", None) or self.method.lower()
        return getattr(self.view, name, None)

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        # As the viewsets do (bureau.api.viewsets.ScopedGenericViewSet.filter_queryset): filters are a list's.
        if getattr(self.view, "detail", False):
            return []
        return super()._get_filter_parameters()

    def is_idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def error_statuses(self) -> list[str]:
        codes = {"429"}
        if self.get_auth():
            codes |= {"401", "403"}
        has_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if has_body or has_query:
            codes.add("400")
        if self.method in ("POST", "PUT", "PATCH"):
            # DRF reads any body sent (the idempotency check does, even for an action that takes none).
            codes |= {"400", "415"}
        if "{" in self.path or self._is_list_view():
            codes.add("404")
        if self.is_idempotent():
            codes.add("422")
        codes |= set(getattr(self._handler(), "extra_error_statuses", ()))
        return sorted(codes)

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        if isinstance(field, serializers.TimeField):
            # A wall-clock time as DRF writes and reads it ("14:30:00"); OpenAPI's `time` format
            # (RFC 3339) would demand a UTC offset that a meeting's start time does not have.
            time = {"type": "string", "pattern": TIME_PATTERN, "example": "14:30:00"}
            return time | {"nullable": True} if field.allow_null else time
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_statuses():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction) | {
                    "description": ERROR_DESCRIPTIONS[code]
                }
        return responses

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if self.is_idempotent():
            parameters.append(
                OpenApiParameter(
                    HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        f"A key of the client's choice (at most {MAX_KEY_LENGTH} characters): a repeat with "
                        "the same key returns the first answer and acts once."
                    ),
                )
            )
        return parameters
