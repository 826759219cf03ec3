import uuid

import pytest
from rest_framework.test import APIClient

from bureau.choices import UnitKind
from bureau.roles import Role
from funds.choices import AccountKind, TransferKind
from funds.ledger import transfer_post
from tests.bureau.factories import UnitFactory, UserFactory
from tests.funds.factories import account

pytestmark = pytest.mark.django_db


def client_as(role, unit):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[role], unit=unit))
    return client


def test_accounts_show_balances_as_yuan_strings():
    unit = UnitFactory(code="city", kind=UnitKind.CITY)
    source, pool = account(AccountKind.SOURCE, unit=unit), account(AccountKind.POOL, unit=unit)
    transfer_post(from_account=source, to_account=pool, amount_fen=1_234_50, kind=TransferKind.CONTRIBUTION,
                  idempotency_key=uuid.uuid4().hex, actor=None)  # fmt: skip
    body = client_as(Role.LEADER, unit).get(f"/api/v1/ledger/accounts/{pool.pk}/").json()
    assert body["balance"] == "1234.50"
    assert body["total_in"] == "1234.50"
    transfers = client_as(Role.AUDITOR, unit).get("/api/v1/ledger/transfers/", {"account": pool.pk}).json()
    assert [t["amount"] for t in transfers["results"]] == ["1234.50"]


def test_the_ledger_api_is_read_only():
    unit = UnitFactory(code="city", kind=UnitKind.CITY)
    client = client_as(Role.ADMIN, unit)
    assert client.post("/api/v1/ledger/transfers/", {}).status_code == 405
    assert client.delete(f"/api/v1/ledger/accounts/{account(unit=unit).pk}/").status_code == 405


def test_division_staff_and_experts_do_not_read_the_ledger():
    unit = UnitFactory(code="city", kind=UnitKind.CITY)
    for role in (Role.DIVISION_STAFF, Role.EXPERT, Role.API_CLIENT):
        assert client_as(role, unit).get("/api/v1/ledger/accounts/").status_code == 403


def test_transfer_list_query_count_is_constant(django_assert_max_num_queries):
    unit = UnitFactory(code="city", kind=UnitKind.CITY)
    a, b = account(AccountKind.SOURCE, unit=unit), account(unit=unit)
    for _ in range(40):
        transfer_post(from_account=a, to_account=b, amount_fen=1, kind=TransferKind.ALLOCATION,
                      idempotency_key=uuid.uuid4().hex, actor=None)  # fmt: skip
    client = client_as(Role.AUDITOR, unit)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/ledger/transfers/", {"page_size": 100}).json()["results"]) == 40
