"""Reads of the organisation."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Unit, User
from .permissions import restrict


def unit_list(*, user: User | AnonymousUser) -> QuerySet[Unit]:
    return restrict(Unit.objects.select_related("parent"), user).order_by("path")
