import pytest

from bureau import demo as bureau_demo
from policies import demo
from tests.bureau import two_factor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, live_server, username):
    two_factor.sign_in(page, live_server.url, username, bureau_demo.demo_password(), next_path="/policies/")


def test_search_the_catalogue_and_open_a_result(live_server, page):
    bureau_demo.seed()
    demo.seed()
    sign_in(page, live_server, "division")
    page.get_by_role("searchbox").fill("智能制造")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/policies/?*q=*")
    results = page.locator("#policy-results .list-group-item")
    results.first.wait_for()
    first_title = results.first.locator(".policy-title").inner_text()
    assert "智造" in first_title or "物联网" in first_title
    assert results.first.locator("mark").count() >= 1
    # The draft written by bureau staff is not among a division's results.
    assert "征求意见稿" not in page.locator("#policy-results").inner_text()
    results.first.click()
    page.wait_for_url("**/policies/*/")
    assert page.get_by_role("heading", level=1).inner_text() == first_title
    assert page.get_by_text("全文").first.is_visible()


def test_the_coverage_map_is_drawn_by_echarts(live_server, page):
    bureau_demo.seed()
    demo.seed()
    sign_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/policies/coverage/?as_of=2016-01-01")
    page.wait_for_selector("#coverage-chart[data-ready='true']")
    assert page.locator("#coverage-chart canvas").count() >= 1
    assert page.locator("#coverage-table td.coverage-empty").count() >= 1
