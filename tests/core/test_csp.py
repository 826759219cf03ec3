"""The Content-Security-Policy forbids inline scripts, and the portal's pages still work under it."""

import pytest
from django.core.management import call_command

from tests.bureau import two_factor

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_policy_without_inline_scripts(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
def test_the_main_pages_run_without_a_policy_violation(live_server, browser):
    from bureau.demo import demo_password

    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    two_factor.sign_in(page, live_server.url, "leader", demo_password())
    for path in ("/", "/bureau/", "/funds/", "/policies/coverage/", "/meetings/", "/api/docs/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    # ECharts drew the fund dashboard under the policy (a canvas exists only if its script ran).
    page.goto(f"{live_server.url}/funds/?year=2026")
    page.locator("#chart-programmes canvas").first.wait_for()
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui").first.wait_for()
    context.close()
    assert violations == []
