"""Differences between two versions of a policy's text, character by character (Chinese has no words to split on)."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class FieldDiff:
    name: str
    old: str
    new: str
    html: SafeString

    @property
    def changed(self) -> bool:
        return self.old != self.new


def inline_diff(old: str, new: str) -> SafeString:
    """HTML of `new` with deletions in <del> and insertions in <ins>; all text escaped."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape(new[j1:j2]))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(old[i1:i2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(new[j1:j2])}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - built from escaped text


def field_diffs(pairs: list[tuple[str, str, str]]) -> list[FieldDiff]:
    """(label, old, new) triples to diffs, changed ones marked."""
    return [FieldDiff(name, old, new, inline_diff(old, new)) for name, old, new in pairs]
