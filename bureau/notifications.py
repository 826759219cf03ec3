"""Notices to units, in the portal and by e-mail: every app sends its notices through here."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .app_modules import app_modules
from .models import Notification, Unit, User

logger = logging.getLogger(__name__)
# What sending a task raises while the broker (Redis) is unreachable.
BROKER_UNAVAILABLE = (BrokerOperationalError, RedisConnectionError, RedisTimeoutError)


@cache
def kind_labels() -> dict[str, str]:
    """Each kind of notice in words: the `NotificationKind` choices an app declares in its `choices.py`, found by
    app name (as bureau.roles finds each app's roles), so the organisation never imports the apps that notify.
    A kind no app declares has no words; the pages then leave it out."""
    labels: dict[str, str] = {}
    for _config, module in app_modules("choices"):
        kinds = getattr(module, "NotificationKind", None)
        if kinds is not None:
            labels.update(kinds.choices)
    return labels


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
    """Notify each unit in the portal (once per `key`), and by e-mail from a worker once the transaction commits."""
    return deliver([Notice(u.pk, kind, str(title), str(body), url, f"{key}:{u.pk}" if key else None) for u in units])


def deliver(notices: list[Notice]) -> list[Notification]:
    """Insert the notices whose key is new, in one statement; queue their e-mail after commit."""
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
        transaction.on_commit(lambda: queue_notification_emails(ids))
    return created


def queue_notification_emails(notification_ids: list[int]) -> bool:
    """Hand the e-mails to a worker (bureau.tasks): neither a mail server that is down or slow nor an
    unreachable broker turns the committed action into an error. Returns whether the task was sent."""
    from .tasks import send_notification_emails as task

    try:
        # Nobody reads the result: not subscribing to it keeps an unreachable Redis from holding the request.
        task.apply_async(args=(notification_ids,), queue=settings.NOTIFICATIONS_QUEUE, ignore_result=True)
    except BROKER_UNAVAILABLE:
        logger.warning("notifications %s not e-mailed: the broker is unreachable", notification_ids)
        return False
    return True


def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail notifications not e-mailed yet to the active users of their units who have an address;
    returns the messages sent. Each notification is marked as soon as its message is out, so a task
    tried again after a failure sends only the rest."""
    notes = list(Notification.objects.filter(pk__in=notification_ids, emailed_to=0).order_by("pk"))
    addresses: dict[int, list[str]] = {}
    for unit_id, email in (
        User.objects.filter(unit_id__in={n.unit_id for n in notes}, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("unit_id", "email")
    ):
        addresses.setdefault(unit_id, []).append(email)
    outgoing = []
    for note in notes:
        to = addresses.get(note.unit_id, [])
        if to:
            body = note.body + (f"\n\n{note.url}" if note.url else "")
            message = EmailMessage(subject=note.title, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
            outgoing.append((note.pk, message))
    if not outgoing:
        return 0
    sent = 0
    # One connection for all; it gives up after EMAIL_TIMEOUT seconds without an answer.
    with get_connection() as connection:
        for pk, message in outgoing:
            try:
                sent += connection.send_messages([message]) or 0
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                if getattr(exc, "smtp_code", 550) < 500:
                    raise  # refused for now (4xx): the task tries again later (bureau.tasks)
                # Refused for good (a mistyped address, say): the others still go out; it stays in the portal.
                logger.error("notification %s not e-mailed, refused: %s", pk, exc, extra={"notification_id": pk})
                continue
            Notification.objects.filter(pk=pk).update(emailed_to=len(message.to))
    return sent
