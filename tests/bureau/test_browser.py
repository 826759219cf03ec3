import pytest

from bureau import demo
from bureau.choices import TransferStatus
from bureau.models import Transfer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.demo_password())
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_bureau_staff_advance_a_transfer_and_see_the_timeline_change(live_server, page, shot):
    demo.seed()
    transfer = Transfer.objects.get(person__name="李国栋")
    assert transfer.status == TransferStatus.VIRTUAL
    sign_in(page, live_server.url, "staff")

    page.get_by_role("link", name="组织机构").first.click()
    page.get_by_role("link", name="人员划转").click()
    page.get_by_role("link", name="李国栋").click()
    timeline = page.locator("#transfer-timeline li")
    assert timeline.count() == 2

    page.get_by_label("生效日期").first.fill("2027-03-01")
    page.once("dialog", lambda dialog: dialog.accept())  # the confirmation before an irreversible step
    page.get_by_role("button", name="推进", exact=True).click()

    page.get_by_text("划转已推进至下一阶段。").wait_for()
    assert timeline.count() == 3
    assert "实体划转期" in timeline.last.inner_text()
    assert "2027-03-01" in timeline.last.inner_text()
    assert page.locator("#transfer-status").inner_text() == "实体划转期"
    shot(page, "bureau-staff-transfer")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PHYSICAL


def test_dismissing_the_confirmation_changes_nothing(live_server, page):
    demo.seed()
    transfer = Transfer.objects.get(person__name="钱立伟")
    sign_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/bureau/transfers/{transfer.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="推进", exact=True).click()
    page.wait_for_timeout(300)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PLANNED
