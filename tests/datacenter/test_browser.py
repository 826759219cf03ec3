"""In Chromium: a department uploads a GB18030 CSV and watches the job finish, run by a real worker."""

import pytest

from bureau.roles import Role
from datacenter.models import Record
from tests.bureau.factories import DEFAULT_PASSWORD, UserFactory
from tests.datacenter.factories import city_with_center, credit_code, csv_bytes, make_dataset, row

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.worker]


def test_a_department_uploads_a_gb18030_csv_and_watches_the_job_finish(live_server, page, worker_queue, tmp_path, shot):
    units = city_with_center()
    dataset = make_dataset(units["commerce"])
    user = UserFactory(roles=[Role.DIVISION_STAFF], unit=units["commerce"])
    header = ",".join(f["label"] for f in dataset.current_schema.fields)
    upload = tmp_path / "网店名录.csv"
    upload.write_bytes(csv_bytes([row(i, name=f"温州鞋业{i}号") for i in range(500)] + [row(900, credit_code="坏代码")],
                                 header=header, encoding="gb18030"))  # fmt: skip

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
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
    assert Record.objects.filter(dataset=dataset).count() == 500
    assert Record.objects.get(key=credit_code(7)).payload["name"] == "温州鞋业7号"
    shot(page, "department-upload-job")
