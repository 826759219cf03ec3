"""Sections of the enterprise profile page: datacenter defines the registry, other apps add to it.

funds (applications, money received) and policies (policies in force for the
enterprise's segment and fields) register their sections from their own AppConfig.ready():

    from datacenter.registry import register_section
    register_section("funds", title=_("Fund applications"), build=build, template="funds/_profile.html", order=50)

`build(enterprise, user)` returns the section's data (a dict), or None to leave it out;
it must show only what the user may see (call the app's own selectors with `user=`).
datacenter imports none of those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from bureau.models import User

    from .models import Enterprise

Builder = Callable[["Enterprise", "User | AnonymousUser"], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy translation
    build: Builder
    template: str = ""
    order: int = 100


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, *, title: Any, build: Builder, template: str = "", order: int = 100) -> None:
    """Add (or replace, by key) a section of the enterprise profile."""
    _SECTIONS[key] = Section(key=key, title=title, build=build, template=template, order=order)


def unregister_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def build_profile(enterprise: Enterprise, user: User | AnonymousUser) -> list[dict[str, Any]]:
    """Every registered section's data for one enterprise, in order; sections with nothing to show are left out."""
    out = []
    for section in sections():
        data = section.build(enterprise, user)
        if data is not None:
            out.append({"key": section.key, "title": str(section.title), "template": section.template, "data": data})
    return out
