"""The credit-code check in SQL agrees with python-stdnum's cn.uscc on every code."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from datacenter.ingestion import USCC_ALPHABET, uscc_check_sql
from tests.datacenter.factories import credit_code

pytestmark = pytest.mark.django_db

CHARS = USCC_ALPHABET + "abcdefghijklmnopqrstuvwxyzIOSVZ -\t\n\u3000０１企"


def sql_valid(codes):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {uscc_check_sql('c')} FROM unnest(%s::text[]) WITH ORDINALITY AS t(c, i) ORDER BY i",  # noqa: S608
            [codes],
        )
        return [bool(r[0]) for r in cursor.fetchall()]


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
    assert sql_valid(batch) == [uscc.is_valid(code) for code in batch]


def test_known_codes():
    assert sql_valid(["91110000600037341L", "91110000600037341M", "9111000060003734", ""]) == [
        True,
        False,
        False,
        False,
    ]
