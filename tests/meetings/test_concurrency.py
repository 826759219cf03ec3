"""Carrying action items over while minutes are published and a meeting opens at the same moment."""

import threading

import pytest
from django.db import connection, transaction

from meetings import services
from meetings.choices import AgendaItemKind
from tests.db_waits import until_another_session_waits_on_a_lock
from tests.meetings.factories import D, action_of, approved_minutes, held_meeting, schedule

pytestmark = pytest.mark.django_db(transaction=True)


def in_transaction_held_open(step, done: threading.Event, errors: list[BaseException]) -> threading.Thread:
    """Run `step` in a transaction that stays uncommitted after it is done, until the other path waits on its lock
    (or 10 s pass: without the lock, the other path never waits, and the test then finds what it missed)."""

    def run():
        try:
            with transaction.atomic():
                step()
                done.set()
                until_another_session_waits_on_a_lock()
        except Exception as exc:  # reported by the test
            errors.append(exc)
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def carried(meeting):
    return [i.carried_action for i in meeting.agenda.filter(kind=AgendaItemKind.CARRIED_OVER)]


def test_a_meeting_opened_while_minutes_are_published_takes_their_new_action_items(world):
    first = held_meeting(world, D(2026, 3, 10))
    minutes = approved_minutes(world, first)
    second = schedule(world, D(2026, 4, 14))
    published, errors = threading.Event(), []
    thread = in_transaction_held_open(
        lambda: services.minutes_publish(actor=world.convenor, minutes=minutes), published, errors
    )
    assert published.wait(10)
    services.meeting_open_agenda(actor=world.convenor, meeting=second)
    thread.join()
    assert errors == []
    assert carried(second) == [action_of(first)]


def test_minutes_published_while_a_meeting_opens_put_their_action_items_on_its_agenda(world):
    first = held_meeting(world, D(2026, 3, 10))
    minutes = approved_minutes(world, first)
    second = schedule(world, D(2026, 4, 14))
    opened, errors = threading.Event(), []
    thread = in_transaction_held_open(
        lambda: services.meeting_open_agenda(actor=world.convenor, meeting=second), opened, errors
    )
    assert opened.wait(10)
    services.minutes_publish(actor=world.convenor, minutes=minutes)
    thread.join()
    assert errors == []
    assert carried(second) == [action_of(first)]
