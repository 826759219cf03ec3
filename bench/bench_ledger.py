"""Ledger throughput and balance reads.

    .venv/bin/python bench/bench_ledger.py [--transfers 100000] [--clients 8] [--total 1000000]

(a) `--transfers` transfers posted through `funds.ledger.transfer_post` by `--clients`
    concurrent processes (each its own database connection), between 200 accounts
    picked at random: transfers per second, end to end.
(b) The ledger is then filled to `--total` transfers (bulk SQL, balances kept right) and
    reading one account's balance is timed (median and p99 of 1,000 reads), with
    `ledger_check` over the whole ledger.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
import uuid

import _django

ACCOUNTS = 200


def prepare() -> list[int]:
    from bureau.models import Unit
    from bureau.services import unit_create
    from funds.choices import AccountKind
    from funds.ledger import account_open

    unit = Unit.objects.filter(code="bench-fund-owner").first() or unit_create(
        actor=None, parent=None, code="bench-fund-owner", name="基准单位", kind="bureau"
    )
    source = account_open(code="bench-source", name="基准来源", kind=AccountKind.SOURCE, owner_unit=unit)
    # Every account may go negative here: the benchmark measures posting, not refusals.
    ids = [source.pk]
    for i in range(ACCOUNTS - 1):
        ids.append(
            account_open(code=f"bench-acct-{i}", name=f"基准账户{i}", kind=AccountKind.SOURCE, owner_unit=unit).pk
        )
    return ids


def client(args: tuple[list[int], int, int]) -> int:
    ids, count, seed = args
    import random

    _django.setup()
    from funds.choices import TransferKind
    from funds.ledger import transfer_post
    from funds.models import Account

    rng = random.Random(seed)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    for _ in range(count):
        a, b = rng.sample(ids, 2)
        transfer_post(
            from_account=accounts[a], to_account=accounts[b], amount_fen=rng.randint(1, 100_000),
            kind=TransferKind.ALLOCATION, idempotency_key=uuid.uuid4().hex, actor=None,
        )  # fmt: skip
    return count


def fill_to(total: int, ids: list[int]) -> float:
    """Insert transfers in bulk up to `total`, then set every balance from them."""
    from django.db import connection

    from funds.models import LedgerTransfer

    missing = total - LedgerTransfer.objects.count()
    started = time.perf_counter()
    if missing > 0:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO funds_ledgertransfer
                    (from_account_id, to_account_id, amount_fen, kind, idempotency_key, reference, memo, created_at)
                SELECT a.ids[1 + (g %% %(n)s)],
                       a.ids[1 + ((g + 1 + (g / %(n)s) %% (%(n)s - 1)) %% %(n)s)],
                       1 + (g %% 997), 'allocation', 'bulk-' || g || '-' || %(tag)s, '', '', now()
                FROM generate_series(1, %(missing)s) AS g, (SELECT %(ids)s::bigint[] AS ids) AS a
                """,
                {"missing": missing, "ids": ids, "n": len(ids), "tag": uuid.uuid4().hex[:8]},
            )
            cursor.execute(
                """
                WITH outs AS (SELECT from_account_id AS id, SUM(amount_fen) AS fen
                              FROM funds_ledgertransfer GROUP BY from_account_id),
                     ins AS (SELECT to_account_id AS id, SUM(amount_fen) AS fen
                             FROM funds_ledgertransfer GROUP BY to_account_id)
                UPDATE funds_account AS acc
                SET debits_fen = COALESCE(outs.fen, 0), credits_fen = COALESCE(ins.fen, 0),
                    balance_fen = COALESCE(ins.fen, 0) - COALESCE(outs.fen, 0)
                FROM funds_account AS a
                LEFT JOIN outs ON outs.id = a.id LEFT JOIN ins ON ins.id = a.id
                WHERE acc.id = a.id
                """
            )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--total", type=int, default=1_000_000)
    args = parser.parse_args()
    _django.setup("portal_bench_ledger")
    from django.db import connection

    from funds.ledger import ledger_check
    from funds.models import Account, LedgerTransfer

    ids = prepare()
    connection.close()
    per_client = args.transfers // args.clients
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.clients) as pool:
        posted = sum(pool.map(client, [(ids, per_client, seed) for seed in range(args.clients)]))
    elapsed = time.perf_counter() - started
    print(f"(a) {posted} transfers by {args.clients} clients in {elapsed:.1f} s: {posted / elapsed:.0f} transfers/s")

    filled = fill_to(args.total, ids)
    count = LedgerTransfer.objects.count()
    account_id = ids[len(ids) // 2]
    reads = []
    for _ in range(1000):
        t0 = time.perf_counter()
        Account.objects.filter(pk=account_id).values_list("balance_fen", flat=True).get()
        reads.append((time.perf_counter() - t0) * 1000)
    reads.sort()
    t0 = time.perf_counter()
    problems = ledger_check()
    check_s = time.perf_counter() - t0
    print(f"(b) {count} transfers (bulk fill {filled:.1f} s): balance read median {statistics.median(reads):.3f} ms, "
          f"p99 {reads[989]:.3f} ms; ledger_check {check_s:.1f} s, {len(problems)} problems")  # fmt: skip


if __name__ == "__main__":
    main()
