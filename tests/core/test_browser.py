import io

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from bureau import demo
from bureau.models import User
from tests.bureau import two_factor
from tests.bureau.two_factor import code_for, enrol

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_demo_user_signs_in_and_sees_the_home_page_in_chinese(live_server, page, shot):
    demo.seed()
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    device = enrol(User.objects.get(username="leader"))
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(demo.demo_password())
    page.get_by_role("button", name="登录").click()
    # A leader's second factor: the code the phone shows, computed from the device's key.
    page.get_by_label("验证码").fill(code_for(device))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="网络经济发展局工作门户").is_visible()
    assert page.get_by_text("欢迎您，陈局长。").is_visible()
    nav = page.locator("#main-nav")
    for area in ("组织机构", "政策体系", "资金池", "大数据中心", "处长联席会议"):
        assert nav.get_by_role("link", name=area).is_visible()
    # Bootstrap's styles are served by the portal: the navbar is coloured, not a bare list.
    colour = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    shot(page, "leader-home", full_page=False)


def test_switching_to_english_in_the_browser(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Sign in to the portal").is_visible()


def test_a_leader_signs_in_with_a_code_and_reads_every_dashboard(live_server, page, shot):
    # The officials' journey on the whole demo: the organisation, the coverage map, the fund, the data
    # center's indicators and the joint meeting's statistics, each drawn in the browser.
    call_command("seed_demo", force=True, stdout=io.StringIO())
    two_factor.sign_in(page, live_server.url, "leader", demo.demo_password())
    visits = [
        ("/bureau/", "Organisation", None, "leader-org-chart"),
        ("/policies/coverage/", "Coverage map of the value chain", "#coverage-chart canvas", "leader-coverage-map"),
        ("/funds/", "Pooled fund", "#chart-programmes canvas", None),
        ("/datacenter/indicators/", "Indicator dashboard", ".dc-chart canvas", "leader-indicators"),
        ("/meetings/statistics/", "Member statistics", "canvas", None),
    ]
    with translation.override("zh-hans"):
        for path, heading, chart, name in visits:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None, path
            assert response.status == 200, path
            assert page.get_by_role("heading", name=gettext(heading), exact=True).is_visible(), path
            if chart:
                page.locator(chart).first.wait_for()
            if name:
                shot(page, name)
    # The org chart names who holds the bureau's posts, the leader among them.
    page.goto(f"{live_server.url}/bureau/")
    assert page.get_by_text("陈局长").first.is_visible()
