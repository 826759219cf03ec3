"""Page-number pagination that refuses a page or page size that is not a whole number of at least 1."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

WHOLE_NUMBER = re.compile(r"[0-9]+")


def _positive_int(request: Request, name: str) -> int | None:
    """The query parameter `name` as an integer of at least 1, None when absent; a 400 when anything else."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
        raise ValidationError({name: [_("Give a whole number of at least 1.")]})
    return int(raw)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # `page` is a number, as the schema says

    def get_page_size(self, request: Request) -> int:
        size = _positive_int(request, self.page_size_query_param)
        assert self.page_size is not None
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return _positive_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Number of results per page (at most {self.max_page_size}; more is capped)."
        return parameters
