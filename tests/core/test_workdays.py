import datetime

from core import workdays

D = datetime.date


def test_spring_festival_2026_holidays_are_not_working_days():
    # 2026: the holiday runs from Sunday 15 to Monday 23 February.
    for day in range(15, 24):
        assert not workdays.is_workday(D(2026, 2, day)), day
    assert workdays.is_workday(D(2026, 2, 13))
    assert workdays.is_workday(D(2026, 2, 24))


def test_adjusted_working_saturdays_count_as_working_days():
    assert D(2026, 2, 14).weekday() == 5
    assert workdays.is_workday(D(2026, 2, 14))
    assert D(2026, 2, 28).weekday() == 5
    assert workdays.is_workday(D(2026, 2, 28))
    assert not workdays.is_workday(D(2026, 3, 7))  # an ordinary Saturday


def test_adding_working_days_across_the_spring_festival():
    # Thursday 12 Feb + 5 working days: Fri 13, Sat 14 (adjusted), then Tue 24, Wed 25, Thu 26.
    assert workdays.add_workdays(D(2026, 2, 12), 5) == D(2026, 2, 26)
    assert workdays.add_workdays(D(2026, 2, 26), -5) == D(2026, 2, 12)
    assert workdays.add_workdays(D(2026, 2, 12), 0) == D(2026, 2, 12)


def test_counting_working_days_between_two_dates():
    assert workdays.workdays_between(D(2026, 2, 12), D(2026, 2, 26)) == 5
    assert workdays.workdays_between(D(2026, 2, 26), D(2026, 2, 12)) == -5
    assert workdays.workdays_between(D(2026, 3, 2), D(2026, 3, 9)) == 5  # an ordinary week


def test_next_workday_skips_the_holiday():
    assert workdays.next_workday(D(2026, 2, 16)) == D(2026, 2, 24)
    assert workdays.next_workday(D(2026, 2, 24)) == D(2026, 2, 24)


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday():
    assert workdays.is_workday(D(2099, 6, 1))  # a Monday
    assert not workdays.is_workday(D(2099, 6, 6))  # a Saturday
