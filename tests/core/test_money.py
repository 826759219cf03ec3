import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import MoneyError, fen_to_yuan, format_wan, format_yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1234.50", 123450), ("1,234.5", 123450), ("0.01", 1), ("100", 10000), ("-3.20", -320)],
)
def test_yuan_strings_become_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["1.001", "abc", "", "NaN", "Infinity", "1e-3"])
def test_fractions_of_a_fen_and_non_numbers_are_refused(text):
    with pytest.raises(MoneyError):
        yuan_to_fen(text)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_fen_survive_the_round_trip_through_yuan_strings(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


def test_pages_show_yuan_and_wan():
    assert format_yuan(123456789) == "1,234,567.89"
    assert format_wan(1234500000) == "1,234.50"
