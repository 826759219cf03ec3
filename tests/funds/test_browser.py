import datetime

import pytest

from funds import services
from funds.choices import ApplicationStatus as S
from tests.bureau import two_factor
from tests.bureau.factories import DEFAULT_PASSWORD
from tests.charts import layout
from tests.funds.conftest import SCORES, new_application, to_decision

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
D = datetime.date


def test_bureau_staff_take_an_application_to_approval_and_the_dashboard_changes(live_server, page, fund, shot):
    application = new_application(fund, requested=300_000_00)
    services.application_submit(actor=fund["staff"], application=application, today=datetime.date(2026, 3, 2))
    base = live_server.url

    two_factor.sign_in(page, base, fund["staff"].username, DEFAULT_PASSWORD)

    page.goto(f"{base}/funds/?year=2026")
    assert page.locator("#total-committed").inner_text().startswith("0.00")

    page.goto(f"{base}/funds/applications/{application.pk}/")
    page.get_by_label("初审结果").select_option("pass")
    confirmations = []
    page.once("dialog", lambda dialog: (confirmations.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="记录初审结果").click()
    page.get_by_text("操作完成").wait_for()
    assert confirmations == ["确认初审通过，送专家评审？"]  # the question of the outcome chosen
    page.get_by_label("专家").select_option([str(fund["expert1"].pk), str(fund["expert2"].pk)])
    page.get_by_role("button", name="指派专家").click()
    page.get_by_text("已指派专家").wait_for()

    for expert in ("expert1", "expert2"):  # the experts score in their own sessions
        services.application_score(actor=fund[expert], application=application, scores=SCORES)

    page.reload()
    page.get_by_label("决定").select_option("1")
    page.get_by_label("批准金额（元）").fill("250000")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="记录决定").click()
    page.get_by_text("操作完成").wait_for()
    assert page.locator("#application-status").inner_text() == "公示中"
    shot(page, "bureau-staff-fund-application")

    page.goto(f"{base}/funds/?year=2026")
    assert page.locator("#total-committed").inner_text().startswith("25.00")  # 万元
    page.locator("#chart-programmes canvas").first.wait_for()
    shot(page, "leader-fund-dashboard")
    application.refresh_from_db()
    assert application.status == S.PUBLIC_NOTICE


def test_the_decision_asks_the_question_of_the_outcome_chosen(live_server, page, fund):
    application = to_decision(fund, new_application(fund, requested=300_000_00))
    two_factor.sign_in(page, live_server.url, fund["leader"].username, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/funds/applications/{application.pk}/")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_label("决定").select_option("1")
    page.get_by_role("button", name="记录决定").click()
    page.get_by_label("决定").select_option("0")
    page.get_by_label("原因").fill("不符合专项支持方向")
    page.get_by_role("button", name="记录决定").click()
    assert questions == ["确认批准此申报？批准金额将立即承诺，并开始公示。", "确认驳回此申报？驳回后申请即告终止。"]
    application.refresh_from_db()
    assert application.status == S.AWAITING_DECISION  # both dismissed: nothing was recorded


def test_the_dashboard_charts_show_every_label_whole_and_keep_the_legend_off_the_axes(live_server, page, fund):
    from funds.models import Programme

    for n, requested in ((1, 300_000_00), (2, 500_000_00)):
        application = to_decision(fund, new_application(fund, n=n, requested=requested))
        services.application_decide(
            actor=fund["leader"], application=application, approve=True, amount_fen=requested, today=D(2026, 4, 1)
        )
    Programme.objects.filter(pk=fund["programme"].pk).update(name="“温州智造”网络化改造专项")
    two_factor.sign_in(page, live_server.url, fund["leader"].username, DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/funds/?year=2026")
    for chart_id in ("chart-programmes", "chart-departments"):
        chart = layout(page, chart_id)
        assert chart.cut_off() == [], chart_id
        assert chart.covered() == [], chart_id
    assert {b.text for b in layout(page, "chart-programmes").legend} == {"已拨付", "已承诺", "可用"}
