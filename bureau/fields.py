"""Form fields for choosing units and people, shared by every app's forms and filters.

Many units share a name (each department has its 电子商务处, each county bureau its 办公室), and a
list of people's names says nothing of where they work: a unit is offered with the unit above it
("温州市网络经济发展局 / 电子商务处"), in tree order (a unit's sub-units follow it, siblings by their
sort order), and a person with their home unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import HttpRequest

from .choices import UnitKind
from .models import Person, Unit

M = TypeVar("M", bound=Model)

# Kinds whose names repeat from unit to unit (each department has its 电子商务处): named with their parent.
PARENT_NAMED_KINDS = frozenset({UnitKind.DIVISION, UnitKind.DEPARTMENT_DIVISION})


def unit_label(unit: Unit) -> str:
    """A unit's name as a choice: a division with the unit above it ("温州市商务局 / 电子商务处").

    Reads `unit.parent`; select_related("parent") keeps that free.
    """
    if unit.parent_id is None or unit.kind not in PARENT_NAMED_KINDS:
        return unit.name
    parent = unit.parent
    assert parent is not None
    return f"{parent.name} / {unit.name}"


def person_label(person: Person) -> str:
    """A person as a choice: name and home unit ("刘洋（温州市网络经济发展局 / 办公室）").

    Reads `person.home_unit.parent`; select_related("home_unit__parent") keeps that free.
    """
    return f"{person.name}（{unit_label(person.home_unit)}）"


def tree_ordered(units: Iterable[Unit]) -> list[Unit]:
    """Units in tree order: each followed by its sub-units, siblings by (sort order, code).

    One query for the ancestors' sort order (a path of primary keys does not sort: "/1/12/" < "/1/2/").
    """
    units = list(units)
    ancestor_ids = {pk for u in units for pk in u.ancestor_ids()}
    keys = {u.pk: (u.sort_order, u.code) for u in units}
    missing = ancestor_ids - keys.keys()
    if missing:
        keys.update({pk: (order, code) for pk, order, code in Unit.objects.filter(pk__in=missing).values_list(
            "pk", "sort_order", "code")})  # fmt: skip
    return sorted(units, key=lambda u: [keys.get(pk, (0, "")) for pk in u.ancestor_ids()])


class UnitChoiceIterator(ModelChoiceIterator):
    """The field's units with their parents (for the label), in tree order."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in tree_ordered(self.queryset.select_related("parent")):
            yield self.choice(unit)


class PersonChoiceIterator(ModelChoiceIterator):
    """The field's people with their home units and those units' parents (for the label)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for person in self.queryset.select_related("home_unit__parent"):
            yield self.choice(person)


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    """A unit, offered in tree order and named with the unit above it."""

    iterator = UnitChoiceIterator

    def label_from_instance(self, obj: Unit) -> str:
        return unit_label(obj)


class PersonChoiceField(forms.ModelChoiceField[Person]):
    """A person, named with their home unit."""

    iterator = PersonChoiceIterator

    def label_from_instance(self, obj: Person) -> str:
        return person_label(obj)


def readable_choices(selector: Callable[..., QuerySet[M]]) -> Callable[[HttpRequest | None], QuerySet[M]]:
    """A choice filter's queryset: the rows `selector(user=...)` gives the requesting user, since the pages and
    the browsable API render the choices. Without a request (the schema generator) an anonymous user's: none."""

    def choices(request: HttpRequest | None) -> QuerySet[M]:
        return selector(user=request.user if request is not None else AnonymousUser())

    return choices


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField
