"""The data center's REST API."""

import datetime
import io
import json

import pytest
from rest_framework.test import APIClient

from bureau.roles import Role
from datacenter import services
from datacenter.models import IngestionJob
from tests.bureau.factories import UserFactory
from tests.datacenter.factories import (
    center_staff,
    city_with_center,
    credit_code,
    csv_bytes,
    load,
    make_dataset,
    row,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    units = city_with_center()
    api_user = UserFactory(roles=[Role.API_CLIENT], unit=units["commerce"])
    client = APIClient()
    client.force_authenticate(api_user)
    return {**units, "stores": make_dataset(units["commerce"]), "software": make_dataset(units["eitc"], "software"),
            "client": client, "user": api_user}  # fmt: skip


def test_the_catalogue_lists_what_the_client_may_see(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = world["client"].get("/api/v1/datasets/")
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["results"]] == ["stores"]
    assert response.json()["results"][0]["schema"]["natural_key"] == ["credit_code"]


def test_the_catalogues_query_count_does_not_grow_with_its_data_sets(world, django_assert_max_num_queries):
    for n in range(8):
        make_dataset(world["commerce"], f"more{n}")
    with django_assert_max_num_queries(12):
        response = world["client"].get("/api/v1/datasets/")
    assert len(response.json()["results"]) == 9
    assert all(d["schema"]["version"] == 1 for d in response.json()["results"])


def test_an_empty_json_lines_push_is_a_400(world):
    response = world["client"].generic(
        "POST", f"/api/v1/datasets/{world['stores'].pk}/uploads/", b"", content_type="application/x-ndjson"
    )
    assert response.status_code == 400, response.content
    assert "file" in response.json()["error"]["details"]


def test_a_multipart_upload_answers_202_with_the_job(world):
    file = io.BytesIO(csv_bytes([row(1), row(2)]))
    file.name = "stores.csv"
    response = world["client"].post(
        f"/api/v1/datasets/{world['stores'].pk}/uploads/", {"file": file}, format="multipart"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    assert response["Location"].endswith(f"/api/v1/ingestion-jobs/{body['id']}/")
    services.job_run(job_id=body["id"])
    detail = world["client"].get(f"/api/v1/ingestion-jobs/{body['id']}/").json()
    assert (detail["status"], detail["rows_inserted"]) == ("succeeded", 2)


def test_json_lines_can_be_pushed_as_the_body(world):
    lines = "\n".join(
        json.dumps({"credit_code": credit_code(i), "name": f"企业{i}"}, ensure_ascii=False) for i in range(3)
    )
    response = world["client"].generic("POST", f"/api/v1/datasets/{world['stores'].pk}/uploads/",
                                       lines.encode(), content_type="application/x-ndjson")  # fmt: skip
    assert response.status_code == 202, response.content
    job = IngestionJob.objects.get(pk=response.json()["id"])
    assert job.declared_format == "jsonl"
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.rows_inserted == 3


def test_uploading_to_another_department_is_refused(world):
    file = io.BytesIO(csv_bytes([row(1)]))
    file.name = "x.csv"
    response = world["client"].post(
        f"/api/v1/datasets/{world['software'].pk}/uploads/", {"file": file}, format="multipart"
    )
    assert response.status_code == 404  # not even visible
    assert not IngestionJob.objects.exists()


def test_an_upload_over_the_limit_is_refused_before_the_body_is_read(world, settings):
    settings.UPLOAD_MAX_BYTES = 1000

    class Exploding(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the body was read")

    response = world["client"].generic("POST", f"/api/v1/datasets/{world['stores'].pk}/uploads/", b"",
                                       content_type="application/x-ndjson", CONTENT_LENGTH="50000000",
                                       **{"wsgi.input": Exploding()})  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not IngestionJob.objects.exists()


def test_records_enterprises_and_profile(world):
    load(world["stores"], csv_bytes([row(1), row(2)]))
    other = make_dataset(world["commerce"], "licences", name="许可证")
    load(other, csv_bytes([row(1, name="另一个名字")]))
    records = world["client"].get(f"/api/v1/datasets/{world['stores'].pk}/records/?name=企业2").json()
    assert [r["key"] for r in records["results"]] == [credit_code(2)]
    staff = APIClient()
    staff.force_authenticate(center_staff(world))
    listed = staff.get("/api/v1/enterprises/?county=鹿城区").json()
    assert listed["count"] == 2
    profile = staff.get(f"/api/v1/enterprises/{credit_code(1)}/profile/").json()
    sections = {s["key"]: s["data"] for s in profile["sections"]}
    name = next(a for a in sections["departments"]["attributes"] if a["attribute"] == "name")
    assert name["conflict"] is True
    assert {v["value"] for v in name["values"]} == {"企业1", "另一个名字"}
    assert {v["dataset"] for v in name["values"]} == {"网店名录", "许可证"}


def test_records_are_filtered_by_typed_values_and_a_bad_value_is_a_400(world):
    load(world["stores"], csv_bytes([row(1, employees=10), row(2, employees=20), row(3, employees=20)]))
    url = f"/api/v1/datasets/{world['stores'].pk}/records/"
    found = world["client"].get(url, {"employees": "20", "registered_on": "2024-03-01", "online": "是"}).json()
    assert [r["key"] for r in found["results"]] == [credit_code(2), credit_code(3)]
    assert found["results"][0]["payload"]["employees"] == 20
    assert found["results"][0]["payload"]["registered_on"] == "2024-03-01"
    bad = world["client"].get(url, {"employees": "many", "registered_on": "2024-02-30"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]) == {"employees", "registered_on"}


def test_error_report_downloads_as_csv_with_formulas_neutralised(world):
    rows = [row(i) for i in range(40)] + [row(99, credit_code="=HYPERLINK(1)")]
    job = load(world["stores"], csv_bytes(rows))
    response = world["client"].get(f"/api/v1/ingestion-jobs/{job.pk}/errors/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "42,credit_code" in text
    assert "\"'=HYPERLINK(1)," in text


def test_cancel_and_retry_through_the_api(world):
    job = upload(world["stores"], csv_bytes([row(1)]))
    assert world["client"].post(f"/api/v1/ingestion-jobs/{job.pk}/cancel/").json()["status"] == "cancelled"
    services.job_run(job_id=job.pk)  # a late worker does nothing
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert world["client"].post(f"/api/v1/ingestion-jobs/{job.pk}/retry/").json()["status"] == "queued"
    again = world["client"].post(f"/api/v1/ingestion-jobs/{job.pk}/retry/")
    assert again.status_code == 400


def test_indicators_are_listed_with_their_values(world):
    fields = [{"name": "credit_code", "type": "credit_code", "required": True}, {"name": "month", "type": "date"},
              {"name": "county", "type": "text"}, {"name": "sales", "type": "decimal"}]  # fmt: skip
    ds = make_dataset(world["commerce"], "sales", fields=fields, natural_key=["credit_code", "month"])
    services.indicator_create(dataset=ds, code="sales", name="网络零售额", aggregation="sum", value_field="sales",
                              date_field="month", county_field="county", actor=None)  # fmt: skip
    header = "credit_code,month,county,sales"
    load(ds, "\n".join([header, f"{credit_code(1)},2024-01-05,鹿城区,10", f"{credit_code(2)},2024-01-09,瓯海区,5",
                        f"{credit_code(1)},2024-02-01,鹿城区,7"]).encode())  # fmt: skip
    services.indicators_compute(dataset_id=ds.pk)
    listed = world["client"].get("/api/v1/indicators/").json()["results"]
    assert [i["code"] for i in listed] == ["sales"]
    values = world["client"].get(f"/api/v1/indicators/{listed[0]['id']}/values/").json()
    got = {(v["period"], v["county"]): float(v["value"]) for v in values}
    assert got == {("2024-01-01", ""): 15.0, ("2024-01-01", "鹿城区"): 10.0, ("2024-01-01", "瓯海区"): 5.0,
                   ("2024-02-01", ""): 7.0, ("2024-02-01", "鹿城区"): 7.0}  # fmt: skip


def test_profile_sections_reach_the_api_as_plain_json():
    from decimal import Decimal

    from bureau.models import Unit
    from datacenter.api.serializers import as_json

    unit = Unit(pk=3, name="电子商务处")
    data = {"items": [unit], "on": datetime.date(2026, 1, 2), "amount": Decimal("1.50"), "n": 2}
    assert as_json(data) == {"items": [{"id": 3, "name": str(unit)}], "on": "2026-01-02", "amount": "1.50", "n": 2}


def test_list_filters_never_narrow_the_look_up_of_one_data_set(world):
    url = f"/api/v1/datasets/{world['stores'].pk}/"
    assert world["client"].get("/api/v1/datasets/", {"sensitivity": "public"}).json()["count"] == 0
    assert world["client"].get(url, {"sensitivity": "public"}).status_code == 200
    records = world["client"].get(f"{url}records/", {"sensitivity": "public", "name": "无此企业"})
    assert (records.status_code, records.json()["count"]) == (200, 0)
