"""funds_ledger_post(): a ledger posting in one round trip (PL/pgSQL, part of core PostgreSQL).

It does what funds.ledger.transfer_post describes, inside the database: lock both
accounts in key order, return the earlier transfer for a repeated idempotency key,
refuse a forbidden negative, move both balances and insert the transfer.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION funds_ledger_post(
    p_from bigint, p_to bigint, p_amount bigint, p_kind text, p_key text,
    p_reference text, p_memo text, p_actor bigint
) RETURNS TABLE (transfer_id bigint, posted_at timestamptz, replayed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    earlier funds_ledgertransfer%ROWTYPE;
    source_balance bigint;
    source_may_go_negative boolean;
BEGIN
    PERFORM 1 FROM funds_account WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE;
    SELECT * INTO earlier FROM funds_ledgertransfer WHERE idempotency_key = p_key;
    IF FOUND THEN
        IF (earlier.from_account_id, earlier.to_account_id, earlier.amount_fen, earlier.kind)
           IS DISTINCT FROM (p_from, p_to, p_amount, p_kind) THEN
            RAISE EXCEPTION 'idempotency key reused for a different transfer' USING HINT = 'idempotency_conflict';
        END IF;
        RETURN QUERY SELECT earlier.id, earlier.created_at, true;
        RETURN;
    END IF;
    SELECT balance_fen, allow_negative INTO source_balance, source_may_go_negative
        FROM funds_account WHERE id = p_from;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such account' USING HINT = 'no_account';
    END IF;
    IF NOT source_may_go_negative AND source_balance < p_amount THEN
        RAISE EXCEPTION 'insufficient balance' USING HINT = 'insufficient', DETAIL = source_balance::text;
    END IF;
    UPDATE funds_account SET balance_fen = balance_fen - p_amount, debits_fen = debits_fen + p_amount
        WHERE id = p_from;
    UPDATE funds_account SET balance_fen = balance_fen + p_amount, credits_fen = credits_fen + p_amount
        WHERE id = p_to;
    RETURN QUERY
        INSERT INTO funds_ledgertransfer
            (from_account_id, to_account_id, amount_fen, kind, idempotency_key, reference, memo, actor_id, created_at)
        VALUES (p_from, p_to, p_amount, p_kind, p_key, p_reference, p_memo, p_actor, now())
        RETURNING id, created_at, false;
END;
$$;
"""

DROP = "DROP FUNCTION IF EXISTS funds_ledger_post(bigint, bigint, bigint, text, text, text, text, bigint);"


class Migration(migrations.Migration):
    dependencies = [("funds", "0002_workflow")]
    operations = [migrations.RunSQL(CREATE, DROP)]
