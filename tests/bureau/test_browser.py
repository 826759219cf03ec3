import time

import pytest

from bureau import demo
from bureau.choices import TransferStatus
from bureau.models import Transfer
from tests.bureau import two_factor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, base, username):
    # Bureau staff sign in with a second factor: the code is computed from their device's key.
    two_factor.sign_in(page, base, username, demo.demo_password())


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


def test_a_leader_enrols_an_authenticator_and_signs_in_with_a_code(live_server, page, shot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bureau.roles import Role
    from tests.bureau.factories import DEFAULT_PASSWORD, UserFactory
    from tests.bureau.two_factor import code_for, code_for_key

    leader = UserFactory(username="new-leader", roles=[Role.LEADER])
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(leader.username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    # No page before enrolment: the QR code (an SVG drawn by the server) and the key to type in.
    page.wait_for_url("**/account/two-factor/setup/**")
    assert page.locator("#two-factor-qr svg").count() == 1
    key = page.locator("#two-factor-key").inner_text()
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="确认").click()
    assert page.get_by_text("验证码不正确").is_visible()
    page.get_by_label("验证码").fill(code_for_key(key))
    page.get_by_role("button", name="确认").click()
    assert page.locator("#recovery-codes li").count() == 10
    shot(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{base}/")

    # Next sign-in: password, then a code from the app.
    page.locator("#user-menu").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("用户名").fill(leader.username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/account/two-factor/?**")
    page.get_by_label("验证码").fill("111111")
    page.get_by_role("button", name="验证").click()
    assert page.get_by_text("验证码不正确或已过期").is_visible()
    time.sleep(1.1)  # django-otp holds the device back for a second after a wrong code
    device = TOTPDevice.objects.get(user=leader, confirmed=True)
    page.get_by_label("验证码").fill(code_for(device, steps_ahead=1))  # the enrolment used up this period's code
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", name="网络经济发展局工作门户").is_visible()
