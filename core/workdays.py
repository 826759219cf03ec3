"""Working-day arithmetic on the mainland China calendar, adjusted working Saturdays included.

Public holidays and the weekend days moved to make up for them (调休) come from the
`chinesecalendar` package, which knows the years the State Council has announced.
For a year it does not know yet, Monday to Friday are taken as working days.
"""

from __future__ import annotations

import datetime

import chinese_calendar


def is_workday(day: datetime.date) -> bool:
    """Whether `day` is a working day: a weekday that is no holiday, or an adjusted working weekend day."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the calendar does not cover yet
        return day.weekday() < 5


def add_workdays(start: datetime.date, count: int) -> datetime.date:
    """The working day `count` working days after `start` (before it when negative); `start` itself is not counted."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    day = start
    while remaining:
        day += datetime.timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
    if end < start:
        return -workdays_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_workday(start + datetime.timedelta(days=offset)))


def next_workday(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    return day
