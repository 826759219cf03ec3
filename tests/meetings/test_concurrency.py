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


@pytest.mark.parametrize("publish_first", [True, False], ids=["publish-then-open", "open-then-publish"])
def test_action_items_published_while_a_meeting_opens_reach_its_agenda_whichever_starts_first(world, publish_first):
    first = held_meeting(world, D(2026, 3, 10))
    minutes = approved_minutes(world, first)
    second = schedule(world, D(2026, 4, 14))
    steps = [
        lambda: services.minutes_publish(actor=world.convenor, minutes=minutes),
        lambda: services.meeting_open_agenda(actor=world.convenor, meeting=second),
    ]
    held, then = steps if publish_first else steps[::-1]
    done, errors = threading.Event(), []
    thread = in_transaction_held_open(held, done, errors)
    assert done.wait(10)
    then()
    thread.join()
    assert errors == []
    assert carried(second) == [action_of(first)]
