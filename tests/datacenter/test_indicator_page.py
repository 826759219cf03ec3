"""The indicator dashboard: one query for the values of a page of indicators, paginated; and the upload page."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureau.roles import Role
from datacenter import selectors, services
from datacenter.models import IngestionJob
from datacenter.views import INDICATORS_PER_PAGE
from tests.bureau.factories import UserFactory
from tests.datacenter.factories import center_staff, city_with_center, credit_code, csv_bytes, load, make_dataset, row

pytestmark = pytest.mark.django_db

SALES_FIELDS = [
    {"name": "credit_code", "type": "credit_code", "required": True},
    {"name": "month", "type": "date"},
    {"name": "county", "type": "text"},
    {"name": "sales", "type": "decimal"},
]


@pytest.fixture
def world(client):
    units = city_with_center()
    staff = center_staff(units)
    client.force_login(staff)
    sales = make_dataset(units["commerce"], "sales", fields=SALES_FIELDS, natural_key=["credit_code", "month"])
    return {**units, "staff": staff, "sales": sales}


def define_indicators(world, count, *, start=0):
    """`count` indicators over the sales data set: sums (i even) and counts (i odd), by county."""
    for i in range(start, start + count):
        services.indicator_create(
            dataset=world["sales"], code=f"ind{i:02d}", name=f"指标{i:02d}", aggregation="count" if i % 2 else "sum",
            value_field="" if i % 2 else "sales", date_field="month", county_field="county", actor=None,
        )  # fmt: skip


def load_sales(world):
    rows = [f"{credit_code(1)},2024-01-05,鹿城区,10", f"{credit_code(2)},2024-01-09,瓯海区,5",
            f"{credit_code(1)},2024-02-03,鹿城区,7"]  # fmt: skip
    load(world["sales"], ("credit_code,month,county,sales\n" + "\n".join(rows) + "\n").encode())
    services.indicators_compute(dataset_id=world["sales"].pk)


def test_the_dashboard_takes_as_many_queries_for_six_indicators_as_for_one(
    client, world, django_assert_max_num_queries
):
    define_indicators(world, 1)
    load_sales(world)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/datacenter/indicators/").status_code == 200
    define_indicators(world, 5, start=1)
    services.indicators_compute(dataset_id=world["sales"].pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/datacenter/indicators/")
    charts = response.context["charts"]
    assert [c["name"] for c in charts] == [f"指标{i:02d}" for i in range(6)]
    # Each indicator draws its own values: the sums and the counts differ.
    assert charts[0]["months"] == ["2024-01", "2024-02"]
    assert charts[0]["series"] == [15.0, 7.0]
    assert charts[1]["series"] == [2.0, 1.0]
    assert charts[0]["last"] == "2024-02"
    assert charts[0]["counties"] == ["瓯海区", "鹿城区"]
    assert charts[0]["by_month"]["2024-02"] == [None, 7.0]


def test_the_dashboard_shows_a_page_of_indicators_and_links_to_the_next(client, world):
    define_indicators(world, INDICATORS_PER_PAGE + 1)
    load_sales(world)
    first = client.get("/datacenter/indicators/")
    assert len(first.context["charts"]) == INDICATORS_PER_PAGE
    assert "?page=2" in first.content.decode()
    second = client.get("/datacenter/indicators/?page=2")
    assert [c["name"] for c in second.context["charts"]] == [f"指标{INDICATORS_PER_PAGE:02d}"]
    assert second.context["charts"][0]["series"] == ([2.0, 1.0] if INDICATORS_PER_PAGE % 2 else [15.0, 7.0])


def test_the_dashboard_without_indicators_says_so(client, world):
    response = client.get("/datacenter/indicators/")
    page = response.content.decode()
    assert response.context["charts"] == []
    assert 'class="alert alert-light border"' in page
    assert 'id="indicator-data"' not in page


def test_the_values_of_several_indicators_are_only_those_the_user_may_see(world):
    define_indicators(world, 2)
    load_sales(world)
    indicators = list(selectors.indicator_list(user=world["staff"]))
    assert selectors.indicators_values(user=world["staff"], indicators=indicators).count() > 0
    outsider = UserFactory(roles=[Role.DIVISION_STAFF], unit=world["eitc"])
    assert not selectors.indicators_values(user=outsider, indicators=indicators).exists()


def test_an_upload_with_a_malformed_content_length_is_no_server_error(client, world):
    stores = make_dataset(world["commerce"], "stores")
    file = io.BytesIO(csv_bytes([row(1)]))
    file.name = "stores.csv"
    response = client.post(f"/datacenter/datasets/{stores.pk}/upload/", {"file": file}, CONTENT_LENGTH="abc")
    assert response.status_code == 200
    assert not IngestionJob.objects.exists()
    assert list(response.context["form"].errors) == ["file"]


def test_the_charts_show_missing_months_as_gaps_and_every_month_by_county(client, world):
    import json

    define_indicators(world, 2)
    rows = [f"{credit_code(1)},2024-01-05,鹿城区,10", f"{credit_code(2)},2024-01-09,瓯海区,5",
            f"{credit_code(1)},2024-04-03,鹿城区,7"]  # fmt: skip
    load(world["sales"], ("credit_code,month,county,sales\n" + "\n".join(rows) + "\n").encode())
    services.indicators_compute(dataset_id=world["sales"].pk)
    page = client.get("/datacenter/indicators/").content.decode()
    script = page.split('id="indicator-data" type="application/json">')[1].split("</script>")[0]
    total, count = json.loads(script)
    assert total["months"] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert total["series"] == [15.0, None, None, 7.0]
    assert total["counties"] == ["瓯海区", "鹿城区"]
    assert total["by_month"] == {"2024-01": [5.0, 10.0], "2024-04": [None, 7.0]}  # each month, not only the last
    assert total["last"] == "2024-04"
    assert (total["whole"], count["whole"]) == (False, True)  # a count's axis takes whole numbers
    assert "点击折线上的月份" in page
