"""The ledger's invariants: positive amounts, no forbidden negative, immutability, exactly-once posting."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from funds.choices import AccountKind, TransferKind
from funds.ledger import IdempotencyConflict, ledger_check, transfer_post
from funds.models import Account, LedgerTransfer
from tests.funds.factories import account

pytestmark = pytest.mark.django_db


def post(a, b, amount, key=None, kind=TransferKind.ALLOCATION):
    return transfer_post(
        from_account=a, to_account=b, amount_fen=amount, kind=kind, idempotency_key=key or uuid.uuid4().hex, actor=None
    )


def balances(*accounts):
    return [Account.objects.get(pk=a.pk).balance_fen for a in accounts]


def test_a_transfer_moves_money_and_keeps_debits_equal_to_credits():
    source, pool = account(AccountKind.SOURCE), account(AccountKind.POOL)
    post(source, pool, 500_00, kind=TransferKind.CONTRIBUTION)
    assert balances(source, pool) == [-500_00, 500_00]
    assert ledger_check() == []


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_only_positive_whole_fen_move(amount):
    a, b = account(AccountKind.SOURCE), account()
    with pytest.raises(ValidationError):
        post(a, b, amount)
    assert not LedgerTransfer.objects.exists()


def test_an_account_that_forbids_it_never_goes_negative():
    pool, programme = account(AccountKind.POOL), account()
    with pytest.raises(ValidationError):
        post(pool, programme, 1)
    assert balances(pool, programme) == [0, 0]


def test_the_database_refuses_a_negative_balance_even_behind_the_services_back():
    pool = account(AccountKind.POOL)
    with pytest.raises(DatabaseError), transaction.atomic():
        Account.objects.filter(pk=pool.pk).update(balance_fen=-1, debits_fen=1)


def test_posted_transfers_are_never_updated_or_deleted():
    a, b = account(AccountKind.SOURCE), account()
    transfer = post(a, b, 100)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerTransfer.objects.filter(pk=transfer.pk).update(amount_fen=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerTransfer.objects.filter(pk=transfer.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_ledgertransfer SET amount_fen = 1 WHERE id = %s", [transfer.pk])
    assert LedgerTransfer.objects.get(pk=transfer.pk).amount_fen == 100


def test_the_same_idempotency_key_posts_once():
    a, b = account(AccountKind.SOURCE), account()
    first = post(a, b, 100, key="k-1")
    again = post(a, b, 100, key="k-1")
    assert again.pk == first.pk
    assert LedgerTransfer.objects.count() == 1
    assert balances(b) == [100]


def test_a_key_reused_for_a_different_transfer_is_refused():
    a, b = account(AccountKind.SOURCE), account()
    post(a, b, 100, key="k-1")
    with pytest.raises(IdempotencyConflict):
        post(a, b, 200, key="k-1")
    assert balances(b) == [100]


def test_ledger_check_names_an_account_whose_balance_disagrees_with_its_transfers():
    a, b = account(AccountKind.SOURCE), account()
    post(a, b, 100)
    # Tamper with the stored balance (keeping its own row consistent) as a bug or a hand edit might.
    Account.objects.filter(pk=b.pk).update(balance_fen=150, credits_fen=150)
    problems = ledger_check()
    assert [p.account for p in problems] == [b.code, "*"]
    with pytest.raises(CommandError):
        call_command("ledger_check")


def test_ledger_check_command_passes_on_a_sound_ledger(capsys):
    a, b = account(AccountKind.SOURCE), account()
    post(a, b, 100)
    call_command("ledger_check")
    assert "ledger check passed" in capsys.readouterr().out


# --- property-based: random operations against a reference model ---


class LedgerMachine(RuleBasedStateMachine):
    """Random sequences of postings, checked after every step against plain dictionaries.

    As TigerBeetle's auditor does: the model predicts each balance; the ledger must agree.
    """

    accounts = Bundle("accounts")

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.expected: dict[int, int] = {}
        self.may_go_negative: dict[int, bool] = {}
        self.posted: dict[str, tuple[int, int, int]] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @initialize(target=accounts)
    def source(self):
        return self._open(AccountKind.SOURCE)

    @rule(
        target=accounts, kind=st.sampled_from([AccountKind.POOL, AccountKind.PROGRAMME_BUDGET, AccountKind.DISBURSED])
    )
    def open_account(self, kind):
        return self._open(kind)

    def _open(self, kind):
        acct = account(kind)
        self.expected[acct.pk] = 0
        self.may_go_negative[acct.pk] = acct.allow_negative
        return acct

    @rule(a=accounts, b=accounts, amount=st.integers(min_value=-5, max_value=10_000), reuse=st.booleans())
    def transfer(self, a, b, amount, reuse):
        key = next(iter(self.posted)) if reuse and self.posted else uuid.uuid4().hex
        should_work = (
            amount > 0 and a.pk != b.pk
            and (self.may_go_negative[a.pk] or self.expected[a.pk] >= amount)
        )  # fmt: skip
        repeat = self.posted.get(key)
        try:
            post(a, b, amount, key=key)
        except ValidationError:
            assert not should_work or (repeat is not None and repeat != (a.pk, b.pk, amount))
            return
        if repeat is not None:
            assert repeat == (a.pk, b.pk, amount)  # the earlier transfer came back; nothing moved
            return
        assert should_work
        self.expected[a.pk] -= amount
        self.expected[b.pk] += amount
        self.posted[key] = (a.pk, b.pk, amount)

    @invariant()
    def balances_match_the_model(self):
        actual = dict(Account.objects.filter(pk__in=self.expected).values_list("pk", "balance_fen"))
        assert actual == self.expected

    @invariant()
    def ledger_check_passes(self):
        assert ledger_check() == []

    @invariant()
    def money_is_conserved(self):
        assert sum(self.expected.values()) == 0


def test_ledger_keeps_every_invariant_under_random_operations():
    machine = LedgerMachine.TestCase
    machine.settings = settings(
        max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
    )
    machine().runTest()


# --- concurrency against real PostgreSQL ---


def run_in_threads(n, work):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def target(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_commitments_never_overspend_a_budget():
    budget, commitments = account(AccountKind.PROGRAMME_BUDGET), account(AccountKind.PROGRAMME_COMMITMENTS)
    source = account(AccountKind.SOURCE)
    post(source, budget, 1_000_00)  # room for 6 of 16 commitments of 150 yuan
    results, errors = run_in_threads(
        16, lambda i: post(budget, commitments, 150_00, key=f"approve-{i}", kind=TransferKind.COMMITMENT)
    )
    assert len(results) == 6
    assert len(errors) == 10
    assert all(isinstance(e, ValidationError) for e in errors)
    assert balances(budget, commitments) == [1_000_00 - 6 * 150_00, 6 * 150_00]
    assert ledger_check() == []


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_repeats_of_one_key_post_exactly_once():
    source, budget = account(AccountKind.SOURCE), account()
    results, errors = run_in_threads(16, lambda i: post(source, budget, 700, key="same-request"))
    assert errors == []
    assert len({t.pk for t in results}) == 1
    assert LedgerTransfer.objects.count() == 1
    assert balances(budget) == [700]
