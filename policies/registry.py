"""Hooks through which other apps add to the catalogue's pages without policies importing them.

`funds/` (which depends on policies) registers providers when its app is ready:

    # funds/apps.py
    def ready(self):
        from policies import registry
        from . import selectors
        registry.coverage_providers.append(selectors.programmes_for_coverage)
        registry.policy_section_providers.append(selectors.programmes_for_policy)

A coverage provider answers, for a date and a user, the linked items (e.g. fund programmes)
that sit in cells of the segment x field matrix. A policy section provider answers, for one
policy and a user, a titled list of linked items shown on the policy's page and in the API.
Providers read through their own app's selectors, so permissions stay theirs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Policy


@dataclass(frozen=True)
class LinkedItem:
    """Something another app links to the catalogue: a label, where to read more, and its cells."""

    label: str
    url: str = ""
    # The cells of the coverage matrix it belongs to: (segment, field code) pairs.
    cells: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A titled block on a policy's page, e.g. "Fund programmes governed by this policy"."""

    key: str
    title: str
    items: list[LinkedItem]


CoverageProvider = Callable[..., Iterable[LinkedItem]]  # (*, as_of: date, user) -> items
PolicySectionProvider = Callable[..., Section | None]  # (*, policy: Policy, user) -> section or None

coverage_providers: list[CoverageProvider] = []
policy_section_providers: list[PolicySectionProvider] = []


def coverage_items(*, as_of: datetime.date, user: Any) -> list[LinkedItem]:
    return [item for provider in coverage_providers for item in provider(as_of=as_of, user=user)]


def policy_sections(*, policy: Policy, user: Any) -> list[Section]:
    sections = (provider(policy=policy, user=user) for provider in policy_section_providers)
    return [s for s in sections if s is not None]
