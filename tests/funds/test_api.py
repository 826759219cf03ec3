import datetime as _dt
import uuid

import pytest
from rest_framework.test import APIClient

from bureau.choices import UnitKind
from bureau.roles import Role
from funds import services
from funds.choices import AccountKind, TransferKind
from funds.choices import ApplicationStatus as S
from funds.ledger import transfer_post
from funds.models import Application, LedgerTransfer
from tests.bureau.factories import UnitFactory, UserFactory
from tests.datacenter.factories import credit_code
from tests.funds.conftest import SCORES, new_application, to_decision
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


# --- the application workflow through the API ---


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_department_applies_through_the_api_in_its_own_name(fund):
    response = api_as(fund["api"]).post(
        "/api/v1/applications/",
        {"programme": fund["programme"].pk, "credit_code": credit_code(11), "enterprise_name": "温州网店科技",
         "title": "跨境电商平台建设", "requested": "120000.50"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["requested"] == "120000.50"
    assert body["status"] == S.DRAFT
    assert body["submitted_by_unit"] == fund["dept"].pk
    assert body["enterprise"] == credit_code(11)


@pytest.mark.parametrize("amount", ["0", "-1.00", "100.001", "abc", 12.5])
def test_bad_amounts_get_400_and_nothing_is_saved(fund, amount):
    response = api_as(fund["api"]).post(
        "/api/v1/applications/",
        {"programme": fund["programme"].pk, "credit_code": credit_code(12), "title": "项目", "requested": amount},
        format="json",
    )
    assert response.status_code == 400
    assert "requested" in response.json()["error"]["details"]
    assert not Application.objects.exists()


def test_an_invalid_credit_code_gets_400(fund):
    response = api_as(fund["staff"]).post(
        "/api/v1/applications/",
        {"programme": fund["programme"].pk, "credit_code": "123", "title": "项目", "requested": "1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "credit_code" in response.json()["error"]["details"]


def test_deciding_with_an_idempotency_key_commits_once(fund):
    application = to_decision(fund, new_application(fund))
    client = api_as(fund["leader"])
    url = f"/api/v1/applications/{application.pk}/decide/"
    first = client.post(url, {"approve": True, "amount": "100000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    again = client.post(url, {"approve": True, "amount": "100000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["approved"] == "100000.00"
    assert LedgerTransfer.objects.filter(kind="commitment").count() == 1


def test_a_step_by_the_wrong_role_is_403_and_out_of_order_is_400(fund):
    application = new_application(fund)
    assert api_as(fund["leader"]).post(f"/api/v1/applications/{application.pk}/submit/").status_code == 403
    response = api_as(fund["staff"]).post(
        f"/api/v1/applications/{application.pk}/disburse/", {"amount": "1.00", "tranche_key": "t"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_department_submits_through_the_api_with_a_comment(fund):
    from django.utils import timezone

    today = timezone.localdate()
    type(fund["programme"]).objects.filter(pk=fund["programme"].pk).update(
        opens_on=today - _dt.timedelta(days=1), closes_on=today + _dt.timedelta(days=30)
    )
    application = new_application(fund)
    response = api_as(fund["staff"]).post(
        f"/api/v1/applications/{application.pk}/submit/", {"comment": "材料已齐"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == S.SUBMITTED
    assert response.json()["steps"][-1]["reason"] == "材料已齐"


def test_experts_see_only_the_applications_assigned_to_them(fund):
    assigned = new_application(fund, n=1)
    other = new_application(fund, n=2)
    for application in (assigned, other):
        services.application_submit(actor=fund["staff"], application=application, today=_dt.date(2026, 3, 2))
        services.application_review(actor=fund["division"], application=application, outcome="pass")
    services.application_assign_experts(actor=fund["staff"], application=assigned, experts=[fund["expert1"]])
    client = api_as(fund["expert1"])
    listed = [a["id"] for a in client.get("/api/v1/applications/").json()["results"]]
    assert listed == [assigned.pk]
    assert client.get(f"/api/v1/applications/{other.pk}/").status_code == 404
    scored = client.post(f"/api/v1/applications/{assigned.pk}/score/", {"scores": SCORES}, format="json")
    assert scored.status_code == 200


def test_application_list_query_count_is_constant(fund, django_assert_max_num_queries):
    for n in range(15):
        new_application(fund, n=n)
    client = api_as(fund["auditor"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/applications/", {"page_size": 50})
    assert response.json()["count"] == 15


def test_the_browsable_filter_form_offers_no_enterprise_the_caller_cannot_read(fund):
    from bureau.roles import Role
    from tests.bureau.factories import UserFactory

    application = new_application(fund)
    outsider = UserFactory(roles=[Role.DIVISION_STAFF], unit=fund["dept"])
    page = api_as(outsider).get("/api/v1/applications/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="programme"' in html  # the filter form is there (programmes are public)
    assert page.data["count"] == 0
    assert application.enterprise.name not in html
    # The enterprise is a credit code typed in, and still filters.
    auditor = api_as(fund["auditor"])
    assert [
        r["id"]
        for r in auditor.get("/api/v1/applications/", {"enterprise": application.enterprise_id}).json()["results"]
    ] == [application.pk]
    assert auditor.get("/api/v1/applications/", {"enterprise": "91330000000000000X"}).json()["results"] == []
