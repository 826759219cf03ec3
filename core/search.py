"""Chinese full-text search on core PostgreSQL: jieba segments, a `simple` tsvector indexes.

Chinese has no spaces between words and PostgreSQL ships no Chinese parser, so text is
segmented in Python (jieba's search mode, which also emits the shorter words inside
long ones) and the space-joined words go into a tsvector with the `simple`
configuration, weighted (A for titles, B for bodies...), behind a GIN index. Queries
are segmented the same way. No contrib extension is needed.

Use:
    class Policy(models.Model):
        search_vector = SearchVectorField(null=True, editable=False)
        class Meta:
            indexes = [GinIndex(fields=["search_vector"], name="policy_search")]

    # in the service that saves it:
    Policy.objects.filter(pk=p.pk).update(search_vector=document_vector((p.title, "A"), (p.body, "B")))

    # in a selector:
    search(Policy.objects.all(), "电子商务 扶持")  # annotated with `rank`, best first
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from typing import TypeVar

import jieba
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, Model, QuerySet, Value
from django.utils.safestring import SafeString, mark_safe

jieba.setLogLevel(logging.WARNING)

M = TypeVar("M", bound=Model)
CONFIG = "simple"
# Longer than any one word; keeps a huge document from producing a tsvector over PostgreSQL's 1 MB limit.
MAX_INDEXED_CHARS = 200_000
_WORD = re.compile(r"\w", re.UNICODE)


def words(text: str) -> list[str]:
    """The search words of a text: jieba's search-mode segmentation, lower-cased, punctuation dropped."""
    if not text:
        return []
    return [w.lower() for w in jieba.cut_for_search(text[:MAX_INDEXED_CHARS]) if _WORD.search(w)]


def segment(text: str) -> str:
    return " ".join(words(text))


def document_vector(*parts: tuple[str, str]) -> SearchVector:
    """A weighted tsvector expression from (text, weight) pairs, e.g. ((title, "A"), (body, "B"))."""
    vectors = [SearchVector(Value(segment(text)), config=CONFIG, weight=weight) for text, weight in parts]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector  # type: ignore[assignment]
    return combined


def search_query(query: str) -> SearchQuery | None:
    """All the words of the query must match; None when the query has no words."""
    terms = words(query)
    if not terms:
        return None
    return SearchQuery(" ".join(terms), config=CONFIG, search_type="plain")


def search(queryset: QuerySet[M], query: str, *, field: str = "search_vector") -> QuerySet[M]:
    """Rows matching every word of `query`, annotated with `rank`, best first."""
    sq = search_query(query)
    if sq is None:
        return queryset.none()
    return queryset.filter(**{field: sq}).annotate(rank=SearchRank(F(field), sq)).order_by("-rank", "-pk")


def highlight(text: str, query: str, *, context: int = 60, max_fragments: int = 3) -> SafeString:
    """HTML-escaped fragments of `text` around the query's words, each hit in <mark>."""
    terms = sorted({t for t in words(query) if t}, key=len, reverse=True)
    if not text:
        return mark_safe("")
    if not terms:
        return mark_safe(html.escape(text[: context * 2]))  # noqa: S308 - escaped
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    hits = list(pattern.finditer(text))
    if not hits:
        return mark_safe(html.escape(text[: context * 2]))  # noqa: S308 - escaped
    fragments: list[str] = []
    last_end = -1
    for hit in hits:
        if len(fragments) >= max_fragments:
            break
        start, end = max(0, hit.start() - context), min(len(text), hit.end() + context)
        if start < last_end:
            continue
        piece = text[start:end]
        marked = pattern.sub(lambda m: f"\x00{m.group(0)}\x01", piece)
        escaped = html.escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
        fragments.append(("…" if start > 0 else "") + escaped + ("…" if end < len(text) else ""))
        last_end = end
    return mark_safe(" ".join(fragments))  # noqa: S308 - built from escaped text


def highlight_all(texts: Iterable[str], query: str) -> list[SafeString]:
    return [highlight(t, query) for t in texts]
