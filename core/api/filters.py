"""The API's filter backend: django-filter's, refusing an empty value where the schema wants a typed one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


class FilterBackend(DjangoFilterBackend):
    """An empty `?posted_after=` or `?unit=` is no date and no id: a 400, as the schema says, not "no filter".

    Free-text filters (a search `q`, a name) still take an empty value as no filter.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        blank = {
            name: [_("Give a value, or leave the parameter out.")]
            for name, item in filterset.filters.items()
            if request.query_params.get(name) == "" and not issubclass(item.field_class, forms.CharField)
        }
        if blank:
            raise ValidationError(blank)
        # The rest as django-filter's own backend does, on the filterset already built.
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs
