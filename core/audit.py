"""The audit history as a person reads it: field names, choice labels, related records' names, local times.

The events keep the database's column names and raw values (`approved_by_id: 10`, an ISO time in UTC);
`describe` turns a page of them into rows of (field, before, after) in the reader's language. Related
records are named in one query for the whole page, and only those the reader may read (`restrict`);
others keep their number. Computed columns (search vectors, and those named in
`settings.AUDIT_COMPUTED_FIELDS`: a tree path, an indicator's last computation) are left out, and so,
in the list, are updates that changed nothing else (`selectors.audit_events`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchVectorField
from django.db.models import CharField, F, Field, Model, TextField, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bureau.models import User
from bureau.permissions import restrict

# Columns every row has and no reader needs in a row's values.
BOOKKEEPING = frozenset({"id", "created_at", "updated_at"})
# The fields that name a record, in order of preference.
NAME_FIELDS = ("full_name", "name", "title", "username", "code")
# A changed value longer than this is cut (a long text).
MAX_VALUE = 300


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None
    after: str


def computed_fields(model: type[Model]) -> frozenset[str]:
    """Columns of `model` that are derived, not decided: its search vectors and the configured ones."""
    configured = settings.AUDIT_COMPUTED_FIELDS.get(model._meta.label, ())
    vectors = {f.attname for f in model._meta.concrete_fields if isinstance(f, SearchVectorField)}
    return frozenset({*configured, *vectors})


def _fields(model: type[Model]) -> dict[str, Field[Any, Any]]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _reference(field: Field[Any, Any] | None) -> type[Model] | None:
    if field is not None and field.is_relation and (field.many_to_one or field.one_to_one):
        related = field.related_model
        return related if isinstance(related, type) else None
    return None


def _name_expression(model: type[Model]) -> Any:
    present = [name for name in NAME_FIELDS if name in {f.name for f in model._meta.concrete_fields}]
    if not present:
        return None
    text: TextField[str, str] = TextField()
    named = [NullIf(Cast(F(name), text), Value("", output_field=text)) for name in present]
    return Coalesce(*named, Value("", output_field=text), output_field=text)


def related_names(refs: dict[type[Model], set[str]], viewer: User | AnonymousUser) -> dict[tuple[str, str], str]:
    """The names of these records that `viewer` may read, by (model label, primary key): one query."""
    parts = []
    for model, keys in refs.items():
        name = _name_expression(model)
        if name is None or not keys:
            continue
        numeric = model._meta.pk.get_internal_type().endswith("AutoField")
        pks = [k for k in keys if k.isdigit()] if numeric else list(keys)
        if not pks:
            continue
        part = (
            restrict(model._default_manager.filter(pk__in=pks), viewer)
            .order_by()
            .annotate(
                audit_model=Value(model._meta.label, output_field=CharField()),
                audit_key=Cast("pk", TextField()),
                audit_name=name,
            )
            .values_list("audit_model", "audit_key", "audit_name")
        )
        parts.append(part)
    if not parts:
        return {}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {(label, key): value for label, key, value in query if value}


def _local_time(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "Y-m-d H:i:s")


def _text(field: Field[Any, Any] | None, value: Any, names: dict[tuple[str, str], str]) -> str | None:
    """A stored value as the reader says it."""
    if value is None:
        return None
    related = _reference(field)
    if related is not None:
        return names.get((related._meta.label, str(value)), f"#{value}")
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.get_internal_type() == "DateTimeField" and isinstance(value, str):
        return _local_time(value)
    text = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _shown(model: type[Model] | None, key: str, computed: frozenset[str]) -> bool:
    return not key.startswith("pgh_") and key not in computed and model is not None


def describe(events: list[Any], models: dict[str, type[Model]], viewer: User | AnonymousUser) -> None:
    """Give each event `changes`: a list of Change in the reader's terms. An update lists what changed;
    a creation or deletion the record's values (empty ones left out)."""
    rows: list[tuple[Any, type[Model] | None, list[tuple[str, Any, Any]]]] = []
    refs: dict[type[Model], set[str]] = defaultdict(set)
    for event in events:
        model = models.get(event.pgh_obj_model)
        computed = computed_fields(model) if model is not None else frozenset()
        fields = _fields(model) if model is not None else {}
        if event.pgh_label == "update":
            pairs = [(k, v[0], v[1]) for k, v in (event.pgh_diff or {}).items() if _shown(model, k, computed)]
        else:
            pairs = [
                (k, None, v) for k, v in (event.pgh_data or {}).items()
                if _shown(model, k, computed) and k not in BOOKKEEPING and v not in (None, "", [], {})
            ]  # fmt: skip
        for key, before, after in pairs:
            related = _reference(fields.get(key))
            if related is not None:
                refs[related].update(str(v) for v in (before, after) if v is not None)
        rows.append((event, model, pairs))
    names = related_names(refs, viewer)
    for event, model, pairs in rows:
        fields = _fields(model) if model is not None else {}
        changes = []
        for key, before, after in pairs:
            field = fields.get(key)
            label = str(field.verbose_name) if field is not None else key
            after_text = _text(field, after, names)
            changes.append(Change(label, _text(field, before, names), "∅" if after_text is None else after_text))
        event.changes = changes
