"""The credit-code check in SQL agrees with python-stdnum's cn.uscc on every code."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from datacenter.ingestion import USCC_ALPHABET, uscc_check_sql
from tests.datacenter.factories import credit_code

pytestmark = pytest.mark.django_db

CHARS = USCC_ALPHABET + "abcdefghijklmnopqrstuvwxyzIOSVZ -\t\n\u3000０１９Ａ－—\u2010\u00a0．企"


def sql_valid(codes):
    with connection.cursor() as cursor:
        sql = f"SELECT {uscc_check_sql('c')} FROM unnest(%s::text[]) WITH ORDINALITY AS t(c, i) ORDER BY i"  # noqa: S608
        cursor.execute(sql, [codes])
        return [bool(r[0]) for r in cursor.fetchall()]


def stdnum_valid(code):
    try:
        return uscc.is_valid(code)
    except ValueError:  # python-stdnum 2.2 raises instead of answering for a line break inside a code
        return False


def with_check(body):
    return body + uscc.calc_check_digit(body + "0")


codes = st.one_of(
    st.text(alphabet=CHARS, min_size=0, max_size=22),
    st.text(alphabet="0123456789", min_size=8, max_size=8).flatmap(
        lambda head: st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9).map(lambda tail: with_check(head + tail))
    ),
    st.builds(
        lambda n, pos, ch: (lambda c: c[:pos] + ch + c[pos + 1 :])(credit_code(n)),
        st.integers(0, 10_000),
        st.integers(0, 17),
        st.sampled_from(CHARS),
    ),
    st.builds(lambda n: credit_code(n).lower(), st.integers(0, 10_000)),
    st.builds(lambda n: " " + credit_code(n)[:6] + "-" + credit_code(n)[6:] + " ", st.integers(0, 10_000)),
)


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(codes, min_size=1, max_size=40))
def test_sql_check_agrees_with_stdnum(batch):
    assert sql_valid(batch) == [stdnum_valid(code) for code in batch]


def test_full_width_digits_and_dashes_are_read_as_stdnum_reads_them():
    code = credit_code(3)
    wide = code[:2].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "－" + code[2:]
    assert uscc.is_valid(wide)
    assert sql_valid([wide, "91000０24QWD18YGFC0"]) == [True, uscc.is_valid("91000０24QWD18YGFC0")]


def test_a_line_break_inside_a_code_is_invalid_where_stdnum_raises():
    code = "9133032\nQWD18YGFC0"
    with pytest.raises(ValueError, match="substring not found"):
        uscc.is_valid(code)
    assert sql_valid([code]) == [False]


def test_known_codes():
    assert sql_valid(["91110000600037341L", "91110000600037341M", "9111000060003734", ""]) == [
        True,
        False,
        False,
        False,
    ]
