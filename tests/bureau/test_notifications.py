"""Notices by e-mail: sent by a Celery task queued once the transaction commits, never by the request."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.db import transaction

from bureau import tasks
from bureau.models import Notification
from bureau.notifications import notify, send_notification_emails
from tests.bureau.factories import UnitFactory, UserFactory
from tests.bureau.in_process import tasks_run_in_process


@contextmanager
def refusing_mail_server() -> Iterator[tuple[int, list[float]]]:
    """A mail server on the loopback that answers every connection "554 service unavailable", as a
    broken one does (smtplib raises SMTPConnectError, an SMTPException). Yields its port and the times
    of the connections it got."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    connections: list[float] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            with conn:
                connections.append(time.monotonic())
                conn.sendall(b"554 5.3.2 mail service unavailable\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], connections
    finally:
        stop.set()
        thread.join()
        listener.close()


@pytest.mark.django_db(transaction=True)
def test_a_committed_step_succeeds_when_the_mail_server_fails_and_the_task_tries_again(settings, caplog):
    unit = UnitFactory()
    UserFactory(unit=unit, email="clerk@example.gov.cn")
    with refusing_mail_server() as (port, connections):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        # No exception leaves the commit.
        with tasks_run_in_process(), caplog.at_level(logging.WARNING, logger="bureau.tasks"), transaction.atomic():
            (note,) = notify(units=[unit], kind="test", title="请审核")
    assert Notification.objects.filter(pk=note.pk).exists()
    # The task tried, then tried again after each failure, and said so.
    assert len(connections) == tasks.EMAIL_RETRIES + 1
    assert Notification.objects.get(pk=note.pk).emailed_to == 0
    failures = [r for r in caplog.records if r.name == "bureau.tasks"]
    assert [r.levelname for r in failures] == ["WARNING"] * tasks.EMAIL_RETRIES + ["ERROR"]
    assert all(r.notification_ids == [note.pk] for r in failures)


@pytest.mark.django_db(transaction=True)
def test_notification_email_goes_out_from_the_task_after_commit(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unit = UnitFactory()
    UserFactory(unit=unit, email="clerk@example.gov.cn")
    UserFactory(unit=unit, email="")  # no address: nothing to send
    with tasks_run_in_process(), transaction.atomic():
        (note,) = notify(units=[unit], kind="test", title="请审核", body="申请待初审", url="/funds/1/")
        assert mail.outbox == []  # nothing before the commit
    assert [(m.subject, m.to) for m in mail.outbox] == [("请审核", ["clerk@example.gov.cn"])]
    assert mail.outbox[0].body == "申请待初审\n\n/funds/1/"
    assert Notification.objects.get(pk=note.pk).emailed_to == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_notification_email_is_sent_by_a_worker_process_not_by_the_request(celery_worker):
    unit = UnitFactory()
    UserFactory(unit=unit, email="clerk@example.gov.cn")
    with transaction.atomic():
        (note,) = notify(units=[unit], kind="test", title="请审核")
    assert mail.outbox == []  # this process sent nothing
    deadline = time.monotonic() + 30
    while Notification.objects.get(pk=note.pk).emailed_to == 0:
        assert time.monotonic() < deadline, "the worker did not send the e-mail"
        time.sleep(0.2)
    assert Notification.objects.get(pk=note.pk).emailed_to == 1


@pytest.mark.django_db
def test_sending_again_skips_notifications_already_emailed():
    unit = UnitFactory()
    UserFactory(unit=unit, email="clerk@example.gov.cn")
    first, second = (Notification.objects.create(unit=unit, kind="test", title=t) for t in ("一", "二"))
    assert send_notification_emails([first.pk]) == 1
    # A task tried again after the server failed midway sends only what did not go out.
    assert send_notification_emails([first.pk, second.pk]) == 1
    assert [m.subject for m in mail.outbox] == ["一", "二"]


def test_smtp_connections_give_up_after_email_timeout_seconds(settings):
    assert settings.EMAIL_TIMEOUT == 10
    assert get_connection("django.core.mail.backends.smtp.EmailBackend").timeout == 10


@contextmanager
def mail_server_refusing(refused: str) -> Iterator[tuple[int, list[str]]]:
    """A small SMTP server on the loopback that takes every message except to `refused` (550, for good).
    Yields its port and the recipients of the messages it took."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    delivered: list[str] = []
    stop = threading.Event()

    def session(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 test ESMTP\r\n")
        recipients: list[str] = []
        while line := reader.readline():
            command = line.decode().strip()
            verb = command.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                conn.sendall(b"250 test\r\n")
            elif verb == "MAIL":
                recipients = []
                conn.sendall(b"250 ok\r\n")
            elif verb == "RCPT":
                address = command.split("<", 1)[1].rstrip(">")
                if address == refused:
                    conn.sendall(b"550 5.1.1 no such mailbox\r\n")
                else:
                    recipients.append(address)
                    conn.sendall(b"250 ok\r\n")
            elif verb == "DATA":
                conn.sendall(b"354 go on\r\n")
                while reader.readline() not in (b".\r\n", b""):
                    pass
                delivered.extend(recipients)
                conn.sendall(b"250 queued\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            with conn:
                session(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], delivered
    finally:
        stop.set()
        thread.join()
        listener.close()


@pytest.mark.django_db(transaction=True)
def test_an_address_refused_for_good_does_not_hold_back_the_other_notices(settings, caplog):
    mistyped, good = UnitFactory(), UnitFactory()
    UserFactory(unit=mistyped, email="typo@example.gov.cn")
    UserFactory(unit=good, email="clerk@example.gov.cn")
    with mail_server_refusing("typo@example.gov.cn") as (port, delivered):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        with tasks_run_in_process(), caplog.at_level(logging.WARNING), transaction.atomic():
            first, second = notify(units=[mistyped, good], kind="test", title="纪要已发布")
    assert delivered == ["clerk@example.gov.cn"]  # once: no retry of the whole batch
    assert Notification.objects.get(pk=second.pk).emailed_to == 1
    assert Notification.objects.get(pk=first.pk).emailed_to == 0
    assert [r.levelname for r in caplog.records if r.name.startswith("bureau")] == ["ERROR"]
