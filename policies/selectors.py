"""Reads of the policy catalogue. Every read takes the user and sees only what they may."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchRank
from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from bureau.models import User
from bureau.permissions import can, restrict
from core.search import search_query

from . import registry
from .choices import ONCE_IN_FORCE, ChainSegment, PolicyTier
from .diff import FieldDiff, field_diffs
from .models import Interpretation, LegacyPolicy, Policy, PolicyAttachment, PolicyField, PolicyStep
from .permissions import visible_policies

AnyUser = User | AnonymousUser


def policy_list(*, user: AnyUser) -> QuerySet[Policy]:
    """The policies the user may read, with what a list shows, newest first."""
    # Related rows come by prefetch, not join: a ranked search then sorts its hits on the narrow
    # policy rows alone and fetches the units of the one page it shows.
    queryset = Policy.objects.prefetch_related(
        "issuing_authority", Prefetch("fields", queryset=PolicyField.objects.order_by("sort_order", "code"))
    )
    return visible_policies(queryset, user).order_by("-published_on", "-pk")


def policy_search(queryset: QuerySet[Policy], q: str) -> QuerySet[Policy]:
    """Policies matching every word of `q` anywhere (GIN index on the whole text), best first.

    The rank (title and keywords first, then the text's opening) is read from the small
    `rank_vector`, so ranking many hits does not unpack every full-text vector.
    """
    sq = search_query(q)
    if sq is None:
        return queryset.none()
    return queryset.filter(search_vector=sq).annotate(rank=SearchRank(F("rank_vector"), sq)).order_by("-rank", "-pk")


def policy_get(*, user: AnyUser, pk: int) -> Policy:
    """One policy, or 404 when it does not exist or the user may not read it."""
    return get_object_or_404(policy_list(user=user), pk=pk)


def policy_for_change(*, user: AnyUser, pk: int) -> Policy:
    """A policy the user may change, or 404."""
    return get_object_or_404(restrict(Policy.objects.all(), user, "change"), pk=pk)


def may_change(*, user: AnyUser, policy: Policy) -> bool:
    """May the user change this policy (its unit scope and the model permission)?"""
    return can(user, "change", policy)


def policy_versions(*, user: AnyUser, policy: Policy) -> QuerySet[Policy]:
    """Every version of the policy the user may read, oldest first."""
    return policy_list(user=user).filter(lineage=policy.lineage).order_by("version")


def policy_steps(*, user: AnyUser, policy: Policy) -> QuerySet[PolicyStep]:
    return policy.steps.select_related("actor").order_by("at", "pk")


def policy_interpretations(*, user: AnyUser, policy: Policy) -> QuerySet[Interpretation]:
    return policy.interpretations.order_by("-published_on", "pk")


def policy_attachments(*, user: AnyUser, policy: Policy) -> QuerySet[PolicyAttachment]:
    return policy.attachments.order_by("pk")


def attachment_get(*, user: AnyUser, pk: int) -> PolicyAttachment:
    """An attachment of a policy the user may read, or 404."""
    return get_object_or_404(PolicyAttachment.objects.filter(policy__in=policy_list(user=user)), pk=pk)


def master_plans(*, user: AnyUser) -> QuerySet[Policy]:
    return policy_list(user=user).filter(tier=PolicyTier.MASTER)


def policy_master(*, user: AnyUser, policy: Policy) -> Policy | None:
    """The policy's master plan if the user may read it (a draft plan stays hidden from most readers)."""
    if policy.master_id is None:
        return None
    return policy_list(user=user).filter(pk=policy.master_id).first()


def legacy_list(*, user: AnyUser) -> QuerySet[LegacyPolicy]:
    """Legacy department policies, each with the catalogue policy that replaced it."""
    queryset = LegacyPolicy.objects.select_related("issuing_authority", "target", "target__issuing_authority")
    return restrict(queryset, user, "view").filter(target__in=policy_list(user=user)).order_by("document_number")


def legacy_get(*, user: AnyUser, pk: int) -> LegacyPolicy:
    return get_object_or_404(legacy_list(user=user), pk=pk)


def legacy_replaced_by(*, user: AnyUser, policy: Policy) -> QuerySet[LegacyPolicy]:
    """The legacy policies that this policy (any of its versions) replaced."""
    return legacy_list(user=user).filter(target__lineage=policy.lineage)


def active_fields() -> QuerySet[PolicyField]:
    return PolicyField.objects.filter(is_active=True).order_by("sort_order", "code")


def in_force(queryset: QuerySet[Policy], as_of: datetime.date) -> QuerySet[Policy]:
    """Policies in force on a date: published by then, effective, not expired, amended or repealed yet."""
    return queryset.filter(
        Q(status__in=ONCE_IN_FORCE),
        Q(effective_on__lte=as_of),
        Q(expires_on__isnull=True) | Q(expires_on__gt=as_of),
        Q(ended_on__isnull=True) | Q(ended_on__gt=as_of),
    )


def version_diff(old: Policy, new: Policy) -> list[FieldDiff]:
    """What changed between two versions, field by field."""

    def segments(p: Policy) -> str:
        return "、".join(str(ChainSegment(s).label) for s in p.segments)

    def fields(p: Policy) -> str:
        return "、".join(f.name for f in p.fields.all())

    return field_diffs(
        [
            (_("Title"), old.title, new.title),
            (_("Document number"), old.document_number, new.document_number),
            (_("Chain segments"), segments(old), segments(new)),
            (_("Fields"), fields(old), fields(new)),
            (_("Keywords"), "、".join(old.keywords), "、".join(new.keywords)),
            (_("Full text"), old.full_text, new.full_text),
        ]
    )


@dataclass
class CoverageCell:
    segment: str
    field_code: str
    policies: list[Policy] = field(default_factory=list)
    linked: list[registry.LinkedItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.policies)

    @property
    def empty(self) -> bool:
        return not self.policies


@dataclass
class Coverage:
    as_of: datetime.date
    segments: list[tuple[str, str]]
    fields: list[PolicyField]
    cells: dict[tuple[str, str], CoverageCell]

    def rows(self) -> list[tuple[str, list[CoverageCell]]]:
        return [(label, [self.cells[(seg, f.code)] for f in self.fields]) for seg, label in self.segments]

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "segments": [{"code": code, "name": str(label)} for code, label in self.segments],
            "fields": [{"code": f.code, "name": f.name} for f in self.fields],
            "cells": [
                {
                    "segment": c.segment,
                    "field": c.field_code,
                    "policies": c.count,
                    "policy_ids": [p.pk for p in c.policies],
                    "linked": [{"label": i.label, "url": i.url} for i in c.linked],
                }
                for c in self.cells.values()
            ],
        }


def coverage(*, user: AnyUser, as_of: datetime.date) -> Coverage:
    """The chain segment x field matrix of sub-policies in force on `as_of`, with what other apps link to each cell."""
    fields = list(active_fields())
    segments = [(code, str(label)) for code, label in ChainSegment.choices]
    cells = {(seg, f.code): CoverageCell(seg, f.code) for seg, _label in segments for f in fields}
    # The master plan frames every cell; a gap is a cell that no sub-policy ("X") covers.
    policies = in_force(policy_list(user=user), as_of).filter(tier=PolicyTier.SUB).order_by("pk")
    for policy in policies:
        for f in policy.fields.all():
            for seg in policy.segments:
                cell = cells.get((seg, f.code))
                if cell is not None:
                    cell.policies.append(policy)
    for item in registry.coverage_items(as_of=as_of, user=user):
        for key in item.cells:
            if key in cells:
                cells[key].linked.append(item)
    return Coverage(as_of=as_of, segments=segments, fields=fields, cells=cells)


def enterprise_section(enterprise: Any, user: AnyUser) -> dict[str, Any] | None:
    """The enterprise profile's policy section (datacenter.registry): policies in force for its segment and fields."""
    if not enterprise.chain_segment and not enterprise.fields:
        return None
    from django.utils import timezone

    matching = Q()
    if enterprise.chain_segment:
        matching |= Q(segments__contains=[enterprise.chain_segment])
    if enterprise.fields:
        matching |= Q(fields__code__in=enterprise.fields)
    policies = list(
        in_force(policy_list(user=user), timezone.localdate())
        .filter(matching)
        .distinct()
        .order_by("-effective_on")[:20]
    )
    return {"policies": policies} if policies else None
