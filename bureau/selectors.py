"""Reads of the organisation."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Unit


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.select_related("parent").order_by("sort_order", "code")
