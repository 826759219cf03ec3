"""Notices to units, in the portal and by e-mail: every app sends its notices through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from .models import Notification, Unit, User


@dataclass
class Notice:
    unit_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    key: str | None = None


def notify(
    *, units: Iterable[Unit], kind: str, title: str, body: str = "", url: str = "", key: str | None = None
) -> list[Notification]:
    """Notify each unit in the portal (once per `key`), and by email once the transaction commits."""
    return deliver([Notice(u.pk, kind, str(title), str(body), url, f"{key}:{u.pk}" if key else None) for u in units])


def deliver(notices: list[Notice]) -> list[Notification]:
    """Insert the notices whose key is new, in one statement; email them after commit."""
    if not notices:
        return []
    keys = [n.key for n in notices if n.key]
    known = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
    fresh, seen = [], set()
    for n in notices:
        if n.key and (n.key in known or n.key in seen):
            continue
        seen.add(n.key)
        fresh.append(Notification(unit_id=n.unit_id, kind=n.kind, title=n.title, body=n.body, url=n.url, key=n.key))
    created = Notification.objects.bulk_create(fresh)
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids))
    return created


def send_notification_emails(notification_ids: list[int]) -> int:
    """Email notifications to the active users of their units who have an address; returns messages sent."""
    notes = list(Notification.objects.filter(pk__in=notification_ids).order_by("pk"))
    addresses: dict[int, list[str]] = {}
    for unit_id, email in (
        User.objects.filter(unit_id__in={n.unit_id for n in notes}, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("unit_id", "email")
    ):
        addresses.setdefault(unit_id, []).append(email)
    messages = []
    sent_to: dict[int, int] = {}
    for note in notes:
        to = addresses.get(note.unit_id, [])
        if not to:
            continue
        body = note.body + (f"\n\n{note.url}" if note.url else "")
        messages.append(EmailMessage(subject=note.title, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to))
        sent_to[note.pk] = len(to)
    if not messages:
        return 0
    sent = get_connection().send_messages(messages) or 0
    for pk, count in sent_to.items():
        Notification.objects.filter(pk=pk).update(emailed_to=count)
    return sent
