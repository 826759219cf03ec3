"""Notices by e-mail: sent by a Celery worker process once the transaction commits, never by the request.

The worker is real (tests.workers) and sends to a small SMTP server this test module runs on the loopback,
which can take every message, refuse every connection, or refuse one address.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.db import transaction

from bureau import tasks
from bureau.models import Notification
from bureau.notifications import notify, send_notification_emails
from tests.bureau.factories import UnitFactory, UserFactory
from tests.conftest import ROOT
from tests.workers import start_worker, stop_worker

QUEUE = f"notifications-test-{os.getpid()}"
LOG = ROOT / ".local" / f"test-worker-mail-{os.getpid()}.log"


@dataclass
class MailServer:
    """An SMTP server on the loopback. `refuse_all`: every connection is answered "554", as by a broken
    server (smtplib raises SMTPConnectError); `refused`: an address answered "550", for good."""

    refuse_all: bool = False
    refused: str = ""
    connections: list[float] = field(default_factory=list)
    delivered: list[tuple[list[str], bytes]] = field(default_factory=list)

    def reset(self, *, refuse_all: bool = False, refused: str = "") -> None:
        self.refuse_all, self.refused = refuse_all, refused
        self.connections.clear()
        self.delivered.clear()

    def session(self, conn: socket.socket) -> None:
        self.connections.append(time.monotonic())
        if self.refuse_all:
            conn.sendall(b"554 5.3.2 mail service unavailable\r\n")
            return
        reader = conn.makefile("rb")
        conn.sendall(b"220 test ESMTP\r\n")
        recipients: list[str] = []
        while line := reader.readline():
            command = line.decode().strip()
            verb = command.split(" ")[0].upper()
            if verb == "MAIL":
                recipients = []
            if verb == "RCPT" and command.split("<", 1)[1].rstrip(">") == self.refused:
                conn.sendall(b"550 5.1.1 no such mailbox\r\n")
            elif verb == "RCPT":
                recipients.append(command.split("<", 1)[1].rstrip(">"))
                conn.sendall(b"250 ok\r\n")
            elif verb == "DATA":
                conn.sendall(b"354 go on\r\n")
                data = b""
                while (chunk := reader.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.delivered.append((recipients, data))
                conn.sendall(b"250 queued\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:  # EHLO, HELO, MAIL, RSET, NOOP
                conn.sendall(b"250 ok\r\n")


@pytest.fixture(scope="module")
def mail_server() -> Iterator[tuple[MailServer, int]]:
    server = MailServer()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            with conn:
                server.session(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server, listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


@pytest.fixture(scope="module")
def mail_worker(mail_server: tuple[MailServer, int], django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A real worker on a queue of this module's own, sending to the module's mail server and trying again
    at once (NOTIFICATION_EMAIL_RETRY_SECONDS=0) instead of after minutes."""
    _server, port = mail_server
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "NOTIFICATION_EMAIL_RETRY_SECONDS": "0"}
    with django_db_blocker.unblock():
        proc = start_worker(QUEUE, env=env, log_name=f"mail-{os.getpid()}")
    yield
    stop_worker(proc)


@pytest.fixture
def server(mail_server: tuple[MailServer, int], mail_worker: None, settings: Any) -> MailServer:
    settings.NOTIFICATIONS_QUEUE = QUEUE
    mail_server[0].reset()
    return mail_server[0]


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def log_lines(since: int, text: str) -> list[str]:
    return [line for line in Path(LOG).read_text(errors="replace")[since:].splitlines() if text in line]


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_notification_email_goes_out_from_the_worker_after_commit(server):
    unit = UnitFactory()
    UserFactory(unit=unit, email="clerk@example.gov.cn")
    UserFactory(unit=unit, email="")  # no address: nothing to send
    with transaction.atomic():
        (note,) = notify(units=[unit], kind="test", title="请审核", body="申请待初审", url="/funds/1/")
        time.sleep(0.5)
        assert server.delivered == []  # nothing before the commit
    wait_until(lambda: Notification.objects.get(pk=note.pk).emailed_to == 1, "the worker did not send the e-mail")
    ((recipients, data),) = server.delivered
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert (message["Subject"], recipients) == ("请审核", ["clerk@example.gov.cn"])
    assert message.get_content().replace("\r\n", "\n").strip() == "申请待初审\n\n/funds/1/"  # SMTP lines end in CRLF
    assert mail.outbox == []  # this process sent nothing


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_committed_step_succeeds_when_the_mail_server_fails_and_the_worker_tries_again(server):
    server.reset(refuse_all=True)
    unit = UnitFactory()
    UserFactory(unit=unit, email="clerk@example.gov.cn")
    since = Path(LOG).stat().st_size
    with transaction.atomic():  # no exception leaves the commit
        (note,) = notify(units=[unit], kind="test", title="请审核")
    # The task tried, then tried again after each failure, gave up, and said so.
    wait_until(lambda: log_lines(since, "given up"), "the worker did not give up")
    assert len(server.connections) == tasks.EMAIL_RETRIES + 1
    assert Notification.objects.get(pk=note.pk).emailed_to == 0
    assert len(log_lines(since, "notification e-mail failed (attempt")) == tasks.EMAIL_RETRIES
    assert len(log_lines(since, "notification e-mail failed 5 times, given up")) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_an_address_refused_for_good_does_not_hold_back_the_other_notices(server):
    server.reset(refused="typo@example.gov.cn")
    mistyped, good = UnitFactory(), UnitFactory()
    UserFactory(unit=mistyped, email="typo@example.gov.cn")
    UserFactory(unit=good, email="clerk@example.gov.cn")
    since = Path(LOG).stat().st_size
    with transaction.atomic():
        first, second = notify(units=[mistyped, good], kind="test", title="纪要已发布")
    wait_until(lambda: Notification.objects.get(pk=second.pk).emailed_to == 1, "the other notice was held back")
    assert [recipients for recipients, _data in server.delivered] == [["clerk@example.gov.cn"]]  # once: no retry
    assert Notification.objects.get(pk=first.pk).emailed_to == 0
    assert len(log_lines(since, f"notification {first.pk} not e-mailed, refused")) == 1
    assert log_lines(since, "trying again") == []


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
