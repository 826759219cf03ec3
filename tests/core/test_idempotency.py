"""`Idempotency-Key` on API POSTs, through a real workflow endpoint: advancing a staff transfer."""

import datetime
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from bureau import services
from bureau.choices import TransferStatus, UnitKind
from bureau.models import TransferStep
from bureau.roles import Role
from core.models import IdempotentRequest
from tests.bureau.factories import PersonFactory, UnitFactory, UserFactory

D = datetime.date


@pytest.fixture
def setup():
    city = UnitFactory(code="city", kind=UnitKind.CITY)
    division = UnitFactory(code="div", kind=UnitKind.DIVISION, parent=city)
    dept = UnitFactory(code="dept", parent=city)
    transfer = services.transfer_plan(
        actor=None, person=PersonFactory(home_unit=dept), to_unit=division, planned_on=D(2025, 1, 1)
    )
    staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=division)
    return transfer, staff


def advance(client, transfer, key, day="2025-03-01"):
    return client.post(f"/api/v1/transfers/{transfer.pk}/advance/", {"effective_date": day}, HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_repeated_key_returns_the_first_answer_and_acts_once(setup):
    transfer, staff = setup
    client = APIClient()
    client.force_authenticate(staff)
    first = advance(client, transfer, "retry-1")
    again = advance(client, transfer, "retry-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.VIRTUAL  # not advanced twice
    assert TransferStep.objects.filter(transfer=transfer).count() == 2


@pytest.mark.django_db
def test_a_key_reused_for_another_request_is_refused(setup):
    transfer, staff = setup
    client = APIClient()
    client.force_authenticate(staff)
    advance(client, transfer, "k")
    response = advance(client, transfer, "k", day="2025-04-01")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_a_refused_request_stores_nothing_and_may_be_retried(setup):
    transfer, staff = setup
    client = APIClient()
    client.force_authenticate(staff)
    assert advance(client, transfer, "k2", day="2024-01-01").status_code == 400
    assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db
def test_without_a_key_each_request_acts(setup):
    transfer, staff = setup
    client = APIClient()
    client.force_authenticate(staff)
    client.post(f"/api/v1/transfers/{transfer.pk}/advance/", {"effective_date": "2025-03-01"})
    client.post(f"/api/v1/transfers/{transfer.pk}/advance/", {"effective_date": "2026-03-01"})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PHYSICAL


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_repeats_of_one_key_act_once(setup):
    transfer, staff = setup
    statuses = []
    barrier = threading.Barrier(16)

    def work():
        client = APIClient()
        client.force_authenticate(staff)
        try:
            barrier.wait()
            statuses.append(advance(client, transfer, "burst").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 16
    assert TransferStep.objects.filter(transfer=transfer).count() == 2
