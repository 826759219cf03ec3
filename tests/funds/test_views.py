import datetime
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from funds import services
from funds.choices import ApplicationStatus as S
from funds.models import Application
from tests.funds.conftest import new_application, to_decision

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_dashboard_shows_the_money_by_programme(client, fund):
    to_decision(fund, new_application(fund))
    application = Application.objects.get()
    services.application_decide(actor=fund["leader"], application=application, approve=True, amount_fen=200_000_00)
    client.force_login(fund["leader"])
    html = client.get(reverse("funds:index"), {"year": 2026}).content.decode()
    assert "智能制造专项" in html
    assert "200,000.00" in html  # committed
    assert "800,000.00" in html  # still available


def test_the_dashboard_query_count_does_not_grow_with_applications(client, fund, django_assert_max_num_queries):
    to_decision(fund, new_application(fund, n=100))
    client.force_login(fund["leader"])
    client.get(reverse("funds:index"))
    # 17: one is the top bar's count of unseen notifications
    with django_assert_max_num_queries(17) as few:
        assert client.get(reverse("funds:index")).status_code == 200
    for n in range(12):
        application = to_decision(fund, new_application(fund, n=n))
        services.application_decide(actor=fund["leader"], application=application, approve=True, amount_fen=1_000_00)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("funds:index")).status_code == 200


def test_the_dashboard_exports_to_excel(client, fund):
    from openpyxl import load_workbook

    client.force_login(fund["leader"])
    response = client.get(reverse("funds:dashboard-xlsx"), {"year": 2026})
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0]["A2"].value == "智能制造专项"


def test_staff_move_an_application_through_the_pages(client, fund):
    application = new_application(fund)
    client.force_login(fund["staff"])
    url = lambda action: reverse("funds:application-action", args=[application.pk, action])  # noqa: E731
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    assert client.post(url("review"), {"review-outcome": "pass"}).status_code == 302
    client.post(url("assign"), {"assign-experts": [fund["expert1"].pk, fund["expert2"].pk]})
    for expert in ("expert1", "expert2"):
        client.force_login(fund[expert])
        response = client.post(url("score"), {"score-c0": 35, "score-c1": 25, "score-c2": 20})
        assert response.status_code == 302
    client.force_login(fund["leader"])
    response = client.post(url("decide"), {"decide-approve": "1", "decide-amount_fen": "150000.00"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.PUBLIC_NOTICE
    assert application.approved_fen == 150_000_00


def test_a_refused_step_shows_the_reason_on_the_page(client, fund):
    application = to_decision(fund, new_application(fund))
    client.force_login(fund["leader"])
    response = client.post(
        reverse("funds:application-action", args=[application.pk, "decide"]),
        {"decide-approve": "1", "decide-amount_fen": "999999.00"},
    )
    assert response.status_code == 200
    assert "批准金额不能超过申请金额" in response.content.decode()


def test_experts_score_only_their_own_applications_on_the_page(client, fund):
    application = new_application(fund)
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    services.application_review(actor=fund["division"], application=application, outcome="pass")
    client.force_login(fund["expert1"])
    assert client.get(reverse("funds:application-detail", args=[application.pk])).status_code == 404
    services.application_assign_experts(actor=fund["staff"], application=application, experts=[fund["expert1"]])
    page = client.get(reverse("funds:application-detail", args=[application.pk]))
    assert page.status_code == 200
    assert "提交我的评分" in page.content.decode()


def test_an_expert_sees_the_other_experts_scores_only_after_scoring(client, fund):
    from tests.funds.conftest import SCORES

    application = new_application(fund)
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    services.application_review(actor=fund["division"], application=application, outcome="pass")
    services.application_assign_experts(
        actor=fund["staff"], application=application, experts=[fund["expert1"], fund["expert2"]]
    )
    services.application_score(actor=fund["expert2"], application=application, scores=SCORES)
    detail = reverse("funds:application-detail", args=[application.pk])
    client.force_login(fund["expert1"])
    heading = '<h2 class="h5 mt-3">专家评审</h2>'
    assert heading not in client.get(detail).content.decode()
    services.application_score(actor=fund["expert1"], application=application, scores=SCORES)
    assert heading in client.get(detail).content.decode()


def test_the_score_is_explained_as_the_experts_average_and_the_priority_bonus(client, fund):
    from datacenter.models import Enterprise
    from tests.funds.conftest import to_decision

    application = new_application(fund)
    Enterprise.objects.filter(pk=application.enterprise_id).update(size_class="small")
    application = to_decision(fund, application)
    assert application.score == 85  # 80 from both experts, 5 for a small enterprise
    client.force_login(fund["staff"])
    page = client.get(reverse("funds:application-detail", args=[application.pk])).content.decode()
    assert "专家平均分 80.00，优先加分 +5.00" in page
    assert "本专项对小微企业加 5 分" in page


def test_the_page_offers_a_department_only_the_steps_of_its_own_side(client, fund):
    from bureau.roles import Role
    from tests.bureau.factories import UserFactory

    dept_staff = UserFactory(roles=[Role.DIVISION_STAFF], unit=fund["dept"])
    application = new_application(fund, 41, submitted_by_unit=fund["dept"])
    services.application_submit(actor=dept_staff, application=application, today=D(2026, 3, 2))
    detail = reverse("funds:application-detail", args=[application.pk])
    client.force_login(dept_staff)
    action = lambda name: reverse("funds:application-action", args=[application.pk, name])  # noqa: E731
    page = client.get(detail).content.decode()
    assert action("withdraw") in page
    assert action("review") not in page
    client.force_login(fund["division"])
    assert action("review") in client.get(detail).content.decode()


def test_a_policy_page_lists_the_programmes_it_governs(client, fund):
    client.force_login(fund["leader"])
    html = client.get(reverse("policies:detail", args=[fund["programme"].policy_id])).content.decode()
    assert "智能制造专项" in html


def test_application_list_page_uses_a_constant_number_of_queries(client, fund, django_assert_max_num_queries):
    for n in range(20):
        new_application(fund, n=n)
    client.force_login(fund["auditor"])
    # 12: one of them the programmes offered by the programme filter, one the top bar's count of unseen notifications
    with django_assert_max_num_queries(12):
        response = client.get(reverse("funds:application-list"))
    assert "智能产线改造项目19" in response.content.decode()
    for n in range(20, 40):
        new_application(fund, n=n)
    with django_assert_max_num_queries(12):
        assert "智能产线改造项目39" in client.get(reverse("funds:application-list")).content.decode()


def test_the_enterprise_profile_shows_its_applications_and_the_policies_for_its_segment(client, fund):
    from datacenter.models import Enterprise

    application = new_application(fund, n=40)
    Enterprise.objects.filter(pk=application.enterprise_id).update(chain_segment="end")
    client.force_login(fund["leader"])
    html = client.get(reverse("datacenter:enterprise", args=[application.enterprise_id])).content.decode()
    assert 'id="section-funds"' in html
    assert "智能产线改造项目40" in html
    assert 'id="section-policies"' in html
    assert fund["programme"].policy.title in html  # published for the end of the chain (the factory's default)


def test_the_dashboards_pool_is_the_one_of_the_readers_own_jurisdiction(fund):
    from bureau.choices import UnitKind
    from bureau.roles import Role
    from funds import selectors
    from tests.bureau.factories import UnitFactory, UserFactory

    county = UnitFactory(code="county-p", kind=UnitKind.COUNTY_BUREAU, parent=fund["city"])
    county_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=county)
    assert selectors.dashboard(user=fund["staff"], year=2026).pool > 0
    assert selectors.dashboard(user=county_staff, year=2026).pool == 0
    assert selectors.dashboard(user=fund["division"], year=2026).pool is None  # reads no accounts: no card


def test_an_expert_lists_exactly_the_applications_assigned_to_them(client, fund):
    assigned, other = new_application(fund, 60), new_application(fund, 61)
    for application in (assigned, other):
        services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
        services.application_review(actor=fund["division"], application=application, outcome="pass")
    services.application_assign_experts(actor=fund["staff"], application=assigned, experts=[fund["expert1"]])
    client.force_login(fund["expert1"])
    response = client.get(reverse("funds:application-list"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["page"].object_list] == [assigned.pk]
    api = APIClient()
    api.force_authenticate(fund["expert1"])
    assert [row["id"] for row in api.get("/api/v1/applications/").json()["results"]] == [assigned.pk]


def in_public_notice(fund, **kw):
    """An application approved today: its public notice runs for five more working days."""
    application = to_decision(fund, new_application(fund, **kw))
    return services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=200_000_00
    )


def test_a_refused_step_answers_in_its_own_form_and_fills_no_other(client, fund):
    application = in_public_notice(fund)
    client.force_login(fund["staff"])
    # What the walkthrough typed into the "end the public notice" box, sent as the old page sent it.
    response = client.post(
        reverse("funds:application-action", args=[application.pk, "close_notice"]), {"reason": "公示无异议"}
    )
    html = response.content.decode()
    day = application.notice_ends_on.isoformat()
    assert html.count(f"公示期至 {day}，尚未结束。") == 1
    assert "公示无异议" not in html  # not in the cancel form's reason either
    assert 'name="cancel-reason"' in html


def test_a_tranche_beyond_the_commitment_is_refused_in_yuan(client, fund):
    application = in_public_notice(fund)
    services.application_close_notice(actor=fund["staff"], application=application, today=D(2099, 1, 1))
    client.force_login(fund["staff"])
    html = client.post(
        reverse("funds:application-action", args=[application.pk, "disburse"]),
        {"disburse-amount_fen": "300000.00", "disburse-tranche_key": "t-1"},
    ).content.decode()
    assert "每笔拨付须大于零，且不超过尚余的承诺资金 200,000.00 元。" in html
    assert "20000000" not in html


def test_the_application_page_shows_the_project_description_and_submits_with_a_comment(client, fund):
    from funds.models import Programme

    Programme.objects.filter(pk=fund["programme"].pk).update(opens_on=D(2000, 1, 1), closes_on=D(2099, 12, 31))
    application = new_application(fund, description="建设三条智能产线，年产能提高三成。")
    client.force_login(fund["staff"])
    detail = reverse("funds:application-detail", args=[application.pk])
    html = client.get(detail).content.decode()
    assert "建设三条智能产线，年产能提高三成。" in html
    assert "备注（选填）" in html
    response = client.post(
        reverse("funds:application-action", args=[application.pk, "submit"]), {"submit-comment": "材料已补齐"}
    )
    assert response.status_code == 302
    assert application.steps.order_by("-pk").first().reason == "材料已补齐"


def test_the_steps_without_an_outcome_select_ask_before_they_are_taken(client, fund):
    application = in_public_notice(fund)
    client.force_login(fund["staff"])
    html = client.get(reverse("funds:application-detail", args=[application.pk])).content.decode()
    for action in ("object", "close_notice"):
        url = reverse("funds:application-action", args=[application.pk, action])
        form = html[html.index(f'action="{url}"') :].split(">", 1)[0]
        assert "data-confirm=" in form, action
    assert "公示暂停" in html


def test_the_timeline_names_each_step_and_the_enterprise_links_to_its_profile(client, fund):
    application = to_decision(fund, new_application(fund))
    client.force_login(fund["leader"])
    html = client.get(reverse("funds:application-detail", args=[application.pk])).content.decode()
    steps = html[html.index('id="application-steps"') :].split("</ul>", 1)[0]
    labels = [part.split("</strong>", 1)[0] for part in steps.split("<strong>")[1:]]
    assert labels == ["录入草稿", "提交申请", "初审通过，转专家评审", "分配专家", "专家评分完成"]
    profile = reverse("datacenter:enterprise", args=[application.enterprise_id])
    assert f'href="{profile}"' in html
    client.force_login(fund["expert1"])
    assert (
        f'href="{profile}"'
        not in client.get(reverse("funds:application-detail", args=[application.pk])).content.decode()
    )


def test_the_application_list_filters_by_programme_and_year_on_the_page_and_in_the_api(client, fund):
    from tests.datacenter.factories import credit_code
    from tests.policies.factories import published

    older = services.programme_create(
        actor=None, code="ecom-2025", name="电子商务专项", fiscal_year=2025, policy=published(),
        owner_unit=fund["programme"].owner_unit, opens_on=D(2025, 1, 1), closes_on=D(2025, 12, 31),
    )  # fmt: skip
    new_application(fund, n=1)
    services.application_create(
        actor=fund["staff"], programme=older, credit_code=credit_code(2),
        title="跨境电商平台项目", requested_fen=100_000_00,
    )  # fmt: skip
    client.force_login(fund["auditor"])
    url = reverse("funds:application-list")
    by_year = client.get(url, {"fiscal_year": 2025}).content.decode()
    assert "跨境电商平台项目" in by_year
    assert "智能产线改造项目1" not in by_year
    by_programme = client.get(url, {"programme": fund["programme"].pk}).content.decode()
    assert "跨境电商平台项目" not in by_programme
    assert "智能产线改造项目1" in by_programme
    assert f'<option value="{older.pk}"' in by_programme
    assert '<option value="2025"' in by_programme
    api = APIClient()
    api.force_authenticate(fund["auditor"])
    rows = api.get("/api/v1/applications/", {"fiscal_year": 2025}).json()["results"]
    assert [r["title"] for r in rows] == ["跨境电商平台项目"]


def test_a_units_notifications_name_the_funds_notices_by_their_kind(client, fund):
    application = new_application(fund)
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    client.force_login(fund["division"])
    page = client.get("/bureau/notifications/").content.decode()
    assert application.title in page
    assert "资金申请" in page
    assert 'value="application"' in page  # a kind the filter offers
