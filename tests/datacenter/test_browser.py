"""In Chromium: a department's journey with a GB18030 CSV run by a real worker; the center's schema editor."""

import csv
import io

import pytest

from bureau.roles import Role
from tests.bureau import two_factor
from tests.bureau.factories import DEFAULT_PASSWORD, UserFactory
from tests.datacenter.factories import (
    center_staff,
    city_with_center,
    credit_code,
    csv_bytes,
    make_dataset,
    record,
    records,
    row,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, live_server, user):
    # Through the code page too for center staff (bureau staff sign in with a second factor).
    two_factor.sign_in(page, live_server.url, user.username, DEFAULT_PASSWORD)


@pytest.mark.worker
def test_a_department_uploads_a_gb18030_csv_watches_the_job_and_browses_the_result(
    live_server, page, worker_queue, tmp_path, shot
):
    units = city_with_center()
    dataset = make_dataset(units["commerce"])
    user = UserFactory(roles=[Role.DIVISION_STAFF], unit=units["commerce"])
    header = ",".join(f["label"] for f in dataset.current_schema.fields)
    upload = tmp_path / "网店名录.csv"
    upload.write_bytes(csv_bytes([row(i, name=f"温州鞋业{i}号") for i in range(500)] + [row(900, credit_code="坏代码")],
                                 header=header, encoding="gb18030"))  # fmt: skip

    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/datacenter/datasets/{dataset.pk}/")
    page.get_by_role("link", name="上传文件").click()
    page.get_by_label("文件").set_input_files(str(upload))
    page.get_by_role("button", name="上传并载入").click()
    page.wait_for_url("**/datacenter/jobs/*/")
    # htmx polls the progress every second until the worker is done.
    page.locator('#job-progress[data-status="succeeded"]').wait_for(timeout=60_000)
    assert page.locator("#job-status").inner_text() == "已成功"
    assert "GB18030" in page.locator("#job-progress").inner_text()
    assert page.get_by_text("不是有效的统一社会信用代码").is_visible()
    assert len(records(dataset)) == 500
    assert record(credit_code(7)).payload["name"] == "温州鞋业7号"
    shot(page, "department-upload-job")

    # The error report downloads as a CSV naming the rejected line.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    report = download.value.path().read_bytes().decode("utf-8-sig")
    rejected = [r for r in csv.reader(io.StringIO(report)) if "坏代码" in ",".join(r)]
    assert len(rejected) == 1
    assert "502" in rejected[0]  # the header is line 1, the 501st row line 502

    # From the job to the data set, then its records, filtered by name.
    page.get_by_role("link", name=dataset.name).first.click()
    page.get_by_role("link", name="浏览记录").click()
    page.wait_for_url("**/records/")
    assert page.locator("table tbody tr").count() == 50  # the first page
    page.get_by_label("企业名称").fill("温州鞋业7号")
    page.get_by_label("企业名称").press("Enter")
    page.wait_for_url("**/records/?*")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert credit_code(7) in rows.first.inner_text()
    # Typed filters: a number that is not one is explained under its box, and filters nothing.
    page.get_by_label("从业人数").fill("很多")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert page.locator("#e-employees").inner_text() == "“很多”不是这个字段的有效值。"
    assert page.locator("table tbody tr").count() == 1
    page.get_by_label("从业人数").fill("")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert page.locator(".is-invalid").count() == 0
    shot(page, "department-records")


def test_center_staff_edit_a_schema_with_the_script(live_server, page, shot):
    units = city_with_center()
    dataset = make_dataset(units["commerce"], fields=[
        {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
        {"name": "name", "label": "企业名称", "type": "text", "required": True},
        {"name": "platform", "label": "平台", "type": "enum", "choices": ["淘宝", "京东"]},
    ])  # fmt: skip
    sign_in(page, live_server, center_staff(units))
    page.goto(f"{live_server.url}/datacenter/datasets/{dataset.pk}/")
    page.get_by_role("link", name="编辑数据结构").click()
    page.wait_for_url("**/schema/")
    rows = page.locator("[data-schema-row]:visible")
    assert rows.count() == 4  # three fields and the empty row
    # The script takes over: buttons instead of order numbers and Remove boxes; values only for the enumeration.
    assert not page.locator("#id_fields-0-ORDER").is_visible()
    assert not page.locator("#id_fields-0-choices").is_visible()
    assert page.locator("#id_fields-2-choices").is_visible()

    page.get_by_role("button", name="添加字段").click()
    assert rows.count() == 5
    assert page.locator("#id_fields-TOTAL_FORMS").input_value() == "5"
    new = page.locator("[data-schema-row]").filter(has=page.locator("#id_fields-4-name"))
    new.locator('[name$="-name"]').fill("county")
    new.locator('[name$="-label"]').fill("县区")
    new.locator('[name$="-type"]').select_option("enum")
    assert new.locator('[name$="-choices"]').is_visible()
    new.locator('[name$="-type"]').select_option("text")
    assert not new.locator('[name$="-choices"]').is_visible()
    # Up past the empty row and the platform and name fields: second place.
    for _ in range(3):
        new.get_by_role("button", name="上移").click()
    platform = page.locator("[data-schema-row]").filter(has=page.locator("#id_fields-2-name"))
    platform.get_by_role("button", name="删除").click()
    assert rows.count() == 4
    assert [rows.nth(i).locator('[name$="-name"]').input_value() for i in range(4)] == ["credit_code", "county",
                                                                                        "name", ""]  # fmt: skip

    shot(page, "center-schema-editor")
    page.get_by_role("button", name="保存为新版本").click()
    page.wait_for_url(f"**/datacenter/datasets/{dataset.pk}/")
    assert page.get_by_text("数据结构第 2 版已保存").is_visible()

    schema = dataset.current_schema
    assert schema.version == 2
    assert schema.field_names() == ["credit_code", "county", "name"]
    assert [f["label"] for f in schema.fields] == ["统一社会信用代码", "县区", "企业名称"]
    page.get_by_role("link", name="版本历史").click()
    assert page.get_by_text("新增字段“county”（文本）。").is_visible()
    assert page.get_by_text("删除字段“platform”（枚举）。").is_visible()


def test_clicking_a_month_on_an_indicator_line_shows_that_month_by_county(live_server, page, shot):
    from datacenter import services
    from tests.datacenter.factories import load

    units = city_with_center()
    fields = [{"name": "credit_code", "type": "credit_code", "required": True}, {"name": "month", "type": "date"},
              {"name": "county", "type": "text"}, {"name": "sales", "type": "decimal"}]  # fmt: skip
    sales = make_dataset(units["commerce"], "sales", fields=fields, natural_key=["credit_code", "month"])
    services.indicator_create(dataset=sales, code="sales", name="网络零售额", aggregation="sum", value_field="sales",
                              date_field="month", county_field="county", actor=None)  # fmt: skip
    rows = [f"{credit_code(1)},2024-01-05,鹿城区,10", f"{credit_code(2)},2024-01-09,瓯海区,5",
            f"{credit_code(1)},2024-03-03,鹿城区,7"]  # fmt: skip
    load(sales, ("credit_code,month,county,sales\n" + "\n".join(rows) + "\n").encode())
    services.indicators_compute(dataset_id=sales.pk)

    sign_in(page, live_server, center_staff(units))
    page.goto(f"{live_server.url}/datacenter/indicators/")
    county_chart = "document.querySelector('.dc-chart[data-kind=\"county\"]')"
    option = f"window.echarts.getInstanceByDom({county_chart}).getOption()"
    assert page.evaluate(f"{option}.title[0].text") == "2024-03"
    assert page.evaluate(f"{option}.series[0].data") == [None, 7]
    trend = page.locator('.dc-chart[data-kind="trend"]')
    box = trend.bounding_box()
    # The first month sits at the left of the plot: click on the line there (the grid starts 10% in).
    point = page.evaluate(
        "(() => { const c = window.echarts.getInstanceByDom(document.querySelector('.dc-chart[data-kind=\"trend\"]'));"
        " return c.convertToPixel({seriesIndex: 0}, [0, 15]); })()"
    )
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_function(f"{option}.title[0].text === '2024-01'")
    assert page.evaluate(f"{option}.series[0].data") == [5, 10]
    shot(page, "indicator-by-county")
