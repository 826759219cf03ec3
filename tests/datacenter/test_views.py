"""The data center's pages."""

import io

import pytest
from openpyxl import load_workbook

from bureau.roles import Role
from datacenter import services
from datacenter.models import IngestionJob
from tests.bureau.factories import UserFactory
from tests.datacenter.factories import center_staff, city_with_center, credit_code, csv_bytes, load, make_dataset, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    units = city_with_center()
    staff = center_staff(units)
    client.force_login(staff)
    return {**units, "staff": staff, "stores": make_dataset(units["commerce"])}


def test_the_catalogue_lists_data_sets_in_constant_queries(client, world, django_assert_max_num_queries):
    for i in range(5):
        make_dataset(world["commerce"], f"ds{i}")
    with django_assert_max_num_queries(22):
        response = client.get("/datacenter/")
    assert response.status_code == 200
    assert response.content.decode().count("/datacenter/datasets/") >= 6


def test_uploading_in_the_browser_queues_a_job_and_shows_it(client, world):
    file = io.BytesIO(csv_bytes([row(1)], encoding="gb18030"))
    file.name = "网店.csv"
    response = client.post(f"/datacenter/datasets/{world['stores'].pk}/upload/", {"file": file})
    job = IngestionJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/datacenter/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "datacenter/datacenter.js" in page


def test_the_progress_fragment_stops_polling_when_the_job_ends(client, world):
    job = load(world["stores"], csv_bytes([row(1), row(2)]))
    fragment = client.get(f"/datacenter/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="job-progress" data-status="succeeded"')
    assert "hx-trigger" not in fragment
    assert "<html" not in fragment


def test_an_upload_over_the_limit_is_refused(client, world, settings):
    settings.UPLOAD_MAX_BYTES = 100
    file = io.BytesIO(csv_bytes([row(i) for i in range(10)]))
    file.name = "big.csv"
    response = client.post(f"/datacenter/datasets/{world['stores'].pk}/upload/", {"file": file})
    assert response.status_code == 413
    assert not IngestionJob.objects.exists()


def test_the_error_report_downloads_as_an_attachment(client, world):
    job = load(world["stores"], csv_bytes([row(i) for i in range(30)] + [row(50, credit_code="x")]))
    response = client.get(f"/datacenter/jobs/{job.pk}/errors.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="job-{job.pk}-errors.csv"'


def test_records_browse_filter_and_export_without_formulas(client, world, django_assert_max_num_queries):
    load(world["stores"], csv_bytes([row(i) for i in range(60)] + [row(70, name="=cmd|' /C calc'!A0")]))
    with django_assert_max_num_queries(22):
        page = client.get(f"/datacenter/datasets/{world['stores'].pk}/records/")
    assert page.status_code == 200
    filtered = client.get(f"/datacenter/datasets/{world['stores'].pk}/records/", {"name": "企业7"}).content.decode()
    assert credit_code(7) in filtered
    assert credit_code(8) not in filtered
    csv_text = b"".join(client.get(f"/datacenter/datasets/{world['stores'].pk}/records/?export=csv").streaming_content)
    assert "'=cmd" in csv_text.decode("utf-8-sig")
    xlsx = client.get(f"/datacenter/datasets/{world['stores'].pk}/records/?export=xlsx")
    values = [c for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in r]
    assert "'=cmd|' /C calc'!A0" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_records_filter_by_every_field_type_and_a_bad_value_is_explained(client, world):
    load(world["stores"], csv_bytes([row(1, employees=10), row(2, employees=20, online="否"), row(3, employees=20)]))
    url = f"/datacenter/datasets/{world['stores'].pk}/records/"
    page = client.get(url, {"employees": "20", "online": "true"}).content.decode()
    assert credit_code(3) in page
    assert credit_code(1) not in page
    assert credit_code(2) not in page
    assert f'href="/datacenter/enterprises/{credit_code(3)}/"' in page
    bad = client.get(url, {"employees": "二十", "registered_on": "2024-02-30"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert text.count('class="invalid-feedback"') == 2
    assert "不是这个字段的有效值" in text
    assert credit_code(1) in text  # the bad filters filter nothing


def test_the_unfiltered_records_page_takes_the_count_from_the_data_set_not_from_counting_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load(world["stores"], csv_bytes([row(i, county="鹿城区" if i % 10 == 0 else "瓯海区") for i in range(60)]))
    url = f"/datacenter/datasets/{world['stores'].pk}/records/"
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "共 60 条记录" in page
    assert not [q["sql"] for q in queries if "count(*) FROM dc_records_" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        filtered = client.get(url, {"county": "鹿城区"}).content.decode()
    assert "共 6 条记录" in filtered
    assert [q["sql"] for q in queries if "count(*) FROM dc_records_" in q["sql"]]


def test_job_cancel_needs_confirmation_markup_and_works(client, world):
    from tests.datacenter.factories import upload

    job = upload(world["stores"], csv_bytes([row(1)]))
    page = client.get(f"/datacenter/jobs/{job.pk}/").content.decode()
    assert "data-confirm=" in page
    client.post(f"/datacenter/jobs/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == "cancelled"
    client.post(f"/datacenter/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert job.status == "queued"


def test_enterprise_list_and_profile_show_conflicts(client, world, django_assert_max_num_queries):
    load(world["stores"], csv_bytes([row(i) for i in range(20)]))
    other = make_dataset(world["eitc"], "software", name="软件企业名录")
    load(other, csv_bytes([row(1, name="温州软件有限公司")]))
    with django_assert_max_num_queries(22):
        listing = client.get("/datacenter/enterprises/")
    assert listing.content.decode().count("/datacenter/enterprises/9") == 20
    profile = client.get(f"/datacenter/enterprises/{credit_code(1)}/").content.decode()
    assert "温州软件有限公司" in profile
    assert "企业1" in profile
    assert "table-warning" in profile


def test_the_profile_shows_sections_other_apps_register(client, world):
    from datacenter.registry import register_section, unregister_section

    load(world["stores"], csv_bytes([row(1)]))
    register_section("funds-test", title="资金申请", build=lambda e, u: {"n": 3}, order=50)
    try:
        page = client.get(f"/datacenter/enterprises/{credit_code(1)}/").content.decode()
    finally:
        unregister_section("funds-test")
    assert 'id="section-funds-test"' in page
    assert "资金申请" in page


def test_the_indicator_dashboard_draws_with_echarts(client, world):
    fields = [{"name": "credit_code", "type": "credit_code", "required": True}, {"name": "month", "type": "date"},
              {"name": "sales", "type": "decimal"}]  # fmt: skip
    ds = make_dataset(world["commerce"], "sales", fields=fields, natural_key=["credit_code", "month"])
    services.indicator_create(dataset=ds, code="sales", name="网络零售额", aggregation="sum", value_field="sales",
                              date_field="month", actor=None)  # fmt: skip
    load(ds, f"credit_code,month,sales\n{credit_code(1)},2024-01-05,10\n".encode())
    services.indicators_compute(dataset_id=ds.pk)
    page = client.get("/datacenter/indicators/").content.decode()
    assert "vendor/echarts/echarts.min.js" in page
    assert 'id="indicator-data"' in page
    assert "2024-01" in page


def test_a_department_user_cannot_open_another_departments_data_set(client, world):
    outsider = UserFactory(roles=[Role.DIVISION_STAFF], unit=world["eitc"])
    client.force_login(outsider)
    assert client.get(f"/datacenter/datasets/{world['stores'].pk}/").status_code == 404
    assert client.get(f"/datacenter/datasets/{world['stores'].pk}/upload/").status_code == 404


def test_center_staff_define_an_indicator_in_the_browser(client, world):
    response = client.post("/datacenter/indicators/new/", {
        "dataset": world["stores"].pk, "code": "staff", "name": "从业人数合计", "aggregation": "sum",
        "value_field": "employees", "date_field": "registered_on", "county_field": "county", "unit_label": "人",
    })  # fmt: skip
    assert response.status_code == 302
    assert world["stores"].indicators.get().name == "从业人数合计"
    bad = client.post("/datacenter/indicators/new/", {
        "dataset": world["stores"].pk, "code": "bad", "name": "x", "aggregation": "sum", "value_field": "name",
        "date_field": "name",
    })  # fmt: skip
    assert bad.status_code == 200
    assert not world["stores"].indicators.filter(code="bad").exists()


def test_a_department_user_is_offered_no_enterprise_page_it_cannot_open(client, world):
    load(world["stores"], csv_bytes([row(1), row(2)]))
    department = UserFactory(roles=[Role.DIVISION_STAFF], unit=world["commerce"])
    client.force_login(department)
    page = client.get(f"/datacenter/datasets/{world['stores'].pk}/records/?page=2").content.decode()
    assert credit_code(1) in page
    assert "/datacenter/enterprises/" not in page  # neither the tab nor a link on the credit codes
    assert client.get("/datacenter/enterprises/").status_code == 403
    assert "export=csv" in page
    assert "page=" not in page.split("export=csv")[0].rsplit("href=", 1)[1]  # an export is the whole list


def test_a_failed_load_names_fields_by_their_labels_and_says_what_a_retry_can_change(client, world):
    upload_page = client.get(f"/datacenter/datasets/{world['stores'].pk}/upload/").content.decode()
    assert "拒收行超过5%（本数据集的阈值）" in upload_page
    job = load(world["stores"], csv_bytes([row(1), row(2, employees="很多")]))
    assert job.status == "failed"
    page = client.get(f"/datacenter/jobs/{job.pk}/").content.decode()
    label = next(f["label"] for f in world["stores"].current_schema.fields if f["name"] == "employees")
    assert f"<td>{label}</td>" in page
    assert "<td>employees</td>" not in page
    assert "两者都未改变时仍会失败" in page


def test_a_county_reader_gets_links_only_to_the_enterprises_of_its_county(client, world):
    load(world["stores"], csv_bytes([row(2, county="瓯海区")]))  # the city's load: 瓯海区 has no bureau here
    county_data = make_dataset(world["county"], "county-stores")
    load(county_data, csv_bytes([row(1, county="鹿城区"), row(2, county="瓯海区")]))
    county_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["county"])
    client.force_login(county_staff)
    page = client.get(f"/datacenter/datasets/{county_data.pk}/records/").content.decode()
    assert f'href="/datacenter/enterprises/{credit_code(1)}/"' in page
    assert credit_code(2) in page
    assert f'href="/datacenter/enterprises/{credit_code(2)}/"' not in page  # the city's: its page would be a 404
    assert client.get(f"/datacenter/enterprises/{credit_code(2)}/").status_code == 404
