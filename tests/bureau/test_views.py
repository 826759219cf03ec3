import datetime
import re

import pytest
from django.urls import reverse

from bureau import demo, services
from bureau.choices import TransferStatus
from bureau.models import Appointment, Notification, Person, Transfer, Unit
from bureau.roles import Role
from tests.bureau.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo.seed()
    return {u.code: u for u in Unit.objects.all()}


def login(client, role, unit):
    user = UserFactory(roles=[role], unit=unit)
    client.force_login(user)
    return user


def test_org_chart_shows_the_paper_structure_with_concurrent_posts(client, seeded):
    login(client, Role.LEADER, seeded["bureau"])
    html = client.get(reverse("bureau:index")).content.decode()
    for text in (
        "温州市网络经济发展领导小组",
        "温州市网络经济发展局",
        "温州市大数据管理服务中心",
        "鹿城区网络经济发展局",
    ):
        assert text in html
    assert "黄立新" in html  # the director, held concurrently
    assert "代表 市府办" in html  # ... on behalf of the municipal government office
    # the center: 12 staff paid by it (the one in her virtual phase is still paid at home), of 15-20
    assert "编制 12 / 15–20" in html


def test_org_chart_as_of_a_past_date_leaves_out_later_appointments(client, seeded):
    login(client, Role.LEADER, seeded["bureau"])
    html = client.get(reverse("bureau:index"), {"as_of": "2013-01-01"}).content.decode()
    assert "黄立新" not in html
    assert "温州市网络经济发展局" in html


def test_org_chart_query_count_does_not_grow_with_the_organisation(client, seeded, django_assert_max_num_queries):
    login(client, Role.LEADER, seeded["bureau"])
    # 16: one loads the session's two-factor device (django-otp), once per request; two find which of
    # the holders' pages the reader may open (their roles, then the people among the holders); one is
    # the top bar's count of unseen notifications.
    with django_assert_max_num_queries(16):
        small = client.get(reverse("bureau:index"))
    assert small.status_code == 200
    for i in range(3):
        services.county_bureau_mirror(
            actor=None,
            source=seeded["bureau"],
            parent=seeded["bureau"],
            code=f"extra-{i}",
            name=f"新县{i}网络经济发展局",
        )
    with django_assert_max_num_queries(16):
        big = client.get(reverse("bureau:index"))
    assert "新县2网络经济发展局" in big.content.decode()


def test_unit_page_lists_posts_holders_and_vacancies(client, seeded):
    login(client, Role.LEADER, seeded["bureau"])
    html = client.get(reverse("bureau:unit-detail", args=[seeded["bureau"].pk])).content.decode()
    assert "常务副局长" in html
    assert "林海涛" in html
    county = seeded["county-01"]
    county_html = client.get(reverse("bureau:unit-detail", args=[county.pk])).content.decode()
    assert "空缺" in county_html


def test_person_page_shows_where_they_work_and_who_pays_during_the_virtual_phase(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-office"])
    person = Person.objects.get(name="李国栋")
    html = client.get(reverse("bureau:person-detail", args=[person.pk]), {"as_of": "2026-06-01"}).content.decode()
    works = html.split("工作单位")[1].split("</div></div>")[0]
    pays = html.split("发放工资单位")[1].split("</div></div>")[0]
    assert "网络经济发展局 电子商务处" in works
    assert "市商务局 电子商务处" in pays


def test_staff_advance_a_transfer_from_the_page(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-office"])
    transfer = Transfer.objects.get(person__name="李国栋")
    response = client.post(
        reverse("bureau:transfer-detail", args=[transfer.pk]), {"advance": "", "effective_date": "2027-03-01"}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PHYSICAL
    assert transfer.steps.last().actor is not None


def test_advancing_with_a_date_before_the_phase_shows_a_form_error(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-office"])
    transfer = Transfer.objects.get(person__name="李国栋")
    response = client.post(
        reverse("bureau:transfer-detail", args=[transfer.pk]), {"advance": "", "effective_date": "2020-01-01"}
    )
    assert response.status_code == 200
    assert "新阶段不能早于" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.VIRTUAL


def test_leaders_see_transfers_but_cannot_move_them(client, seeded):
    login(client, Role.LEADER, seeded["bureau"])
    transfer = Transfer.objects.get(person__name="李国栋")
    page = client.get(reverse("bureau:transfer-detail", args=[transfer.pk]))
    assert page.status_code == 200
    assert "推进至" not in page.content.decode()
    assert client.post(reverse("bureau:transfer-detail", args=[transfer.pk]), {"advance": ""}).status_code == 403


def test_appointing_through_the_page_refuses_a_second_director(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-office"])
    post = seeded["bureau"].posts.get(title="局长")
    person = Person.objects.get(name="林海涛")
    response = client.post(
        reverse("bureau:appointment-create", args=[seeded["bureau"].pk]),
        {"post": post.pk, "person": person.pk, "start_date": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "已满" in response.content.decode()
    assert post.appointments.count() == 1


def test_ending_an_appointment_keeps_it_in_the_history(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-office"])
    appointment = Appointment.objects.get(person__name="刘洋", post__title="副局长")
    client.post(reverse("bureau:appointment-end", args=[appointment.pk]), {"end_date": "2026-12-31"})
    appointment.refresh_from_db()
    assert appointment.end_date == datetime.date(2026, 12, 31)
    html = client.get(reverse("bureau:person-detail", args=[appointment.person_id])).content.decode()
    assert "2026-12-31" in html


def test_list_pages_use_a_constant_number_of_queries(client, seeded, django_assert_max_num_queries):
    login(client, Role.LEADER, seeded["bureau"])
    # 14: the person list reads the posts its page's people hold, in one query of its own; one is
    # the top bar's count of unseen notifications.
    for name in ("bureau:unit-list", "bureau:person-list", "bureau:transfer-list"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200


def test_division_staff_cannot_open_people_of_other_units(client, seeded):
    login(client, Role.DIVISION_STAFF, seeded["dept-commerce-ecommerce"])
    other = Person.objects.get(name="林海涛")
    own = Person.objects.filter(home_unit=seeded["dept-commerce-ecommerce"]).first()
    assert client.get(reverse("bureau:person-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("bureau:person-detail", args=[own.pk])).status_code == 200


def test_only_admins_open_the_county_mirror_page(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-office"])
    assert client.get(reverse("bureau:county-mirror")).status_code == 403
    login(client, Role.ADMIN, seeded["bureau-office"])
    response = client.post(
        reverse("bureau:county-mirror"),
        {
            "source": seeded["bureau"].pk,
            "parent": seeded["bureau"].pk,
            "kind": "county_bureau",
            "code": "new-county",
            "name": "新设县网络经济发展局",
        },
    )
    assert response.status_code == 302
    assert Unit.objects.filter(path__startswith=Unit.objects.get(code="new-county").path).count() > 5


def test_planning_needs_a_person_or_a_division_but_not_both(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-office"])
    response = client.post(
        reverse("bureau:transfer-plan"), {"to_unit": seeded["bureau-planning"].pk, "planned_on": "2026-12-01"}
    )
    assert response.status_code == 200
    assert "请选择一名人员或整个处室" in response.content.decode()


def test_planning_a_whole_division_from_the_page(client, seeded):
    login(client, Role.ADMIN, seeded["bureau-office"])
    before = Transfer.objects.count()
    response = client.post(
        reverse("bureau:transfer-plan"),
        {"division": seeded["dept-finance-industry"].pk,
         "to_unit": seeded["bureau-funds"].pk, "planned_on": "2026-12-01", "quota_override_reason": "市编办批复"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Transfer.objects.count() == before + 3  # the division's head, deputy and clerk


@pytest.fixture
def city_and_county():
    from bureau.choices import UnitKind
    from tests.bureau.factories import UnitFactory

    city = UnitFactory(code="city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=city)
    county = UnitFactory(code="county", kind=UnitKind.COUNTY_BUREAU, parent=bureau)
    return {
        "city_div": UnitFactory(code="city-div", kind=UnitKind.DIVISION, parent=bureau),
        "city_other": UnitFactory(code="city-other", kind=UnitKind.DIVISION, parent=bureau),
        "county_div": UnitFactory(code="county-div", kind=UnitKind.DIVISION, parent=county),
    }


def test_person_page_leaves_out_a_later_transfer_between_units_outside_the_readers_scope(client, city_and_county):
    units = city_and_county
    person = Person.objects.create(name="周明", home_unit=units["county_div"])
    into_city = services.transfer_plan(
        actor=None, person=person, to_unit=units["city_div"], planned_on=datetime.date(2024, 1, 1)
    )
    for day in ((2024, 2, 1), (2025, 2, 1), (2025, 3, 1)):
        services.transfer_advance(actor=None, transfer=into_city, effective_date=datetime.date(*day))
    within_city = services.transfer_plan(
        actor=None, person=person, to_unit=units["city_other"], planned_on=datetime.date(2025, 6, 1), reason="市内调整"
    )
    login(client, Role.DIVISION_STAFF, units["county_div"])
    response = client.get(reverse("bureau:person-detail", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("bureau:transfer-detail", args=[into_city.pk]) in html
    assert reverse("bureau:transfer-detail", args=[within_city.pk]) not in html
    assert "市内调整" not in html


def test_the_planning_page_offers_only_divisions_the_user_may_change(client, city_and_county):
    units = city_and_county
    post = services.post_create(actor=None, unit=units["city_div"], title="科员", max_holders=None)
    for name in ("甲", "乙"):
        person = Person.objects.create(name=name, home_unit=units["city_div"])
        services.appointment_create(actor=None, person=person, post=post, start_date=datetime.date(2024, 1, 1))
    body = {"division": units["city_div"].pk, "to_unit": units["county_div"].pk, "planned_on": "2025-02-01"}
    login(client, Role.BUREAU_STAFF, units["county_div"])
    response = client.post(reverse("bureau:transfer-plan"), body)
    assert response.status_code == 200
    assert "division" in response.context["form"].errors
    assert not Transfer.objects.exists()
    login(client, Role.BUREAU_STAFF, units["city_div"])
    assert client.post(reverse("bureau:transfer-plan"), body).status_code == 302
    assert Transfer.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "unit_code"),
    [
        (Role.EXPERT, "bureau"),
        (Role.DIVISION_STAFF, "dept-commerce-ecommerce"),
        (Role.BUREAU_STAFF, "bureau-funds"),
        (Role.LEADER, "bureau"),
    ],
)
def test_org_chart_links_a_person_only_when_the_reader_may_open_their_page(client, seeded, role, unit_code):
    import re

    login(client, role, seeded[unit_code])
    chart = client.get(reverse("bureau:index")).content.decode()
    assert "黄立新" in chart  # the chart itself is everyone's
    person_list = reverse("bureau:person-list")
    linked = set(re.findall(rf'href="{person_list}(\d+)/"', chart))
    for pk in linked:
        assert client.get(reverse("bureau:person-detail", args=[pk])).status_code == 200
    holders = set(Appointment.objects.filter(end_date__isnull=True).values_list("person_id", flat=True))
    for pk in holders - {int(p) for p in linked}:
        assert client.get(reverse("bureau:person-detail", args=[pk])).status_code in (403, 404)
    if role == Role.EXPERT:
        assert not linked
    if role in (Role.BUREAU_STAFF, Role.LEADER):
        assert linked


def _options(form, name):
    return [label for value, label in form.fields[name].choices if value != ""]


def test_transfer_form_names_units_with_their_parent_in_tree_order_and_people_with_their_unit(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-funds"])
    form = client.get(reverse("bureau:transfer-plan")).context["form"]
    into = _options(form, "to_unit")
    assert len(into) == len(set(into)), "every unit is named unambiguously"
    assert "温州市网络经济发展局 / 电子商务处" in into
    assert "温州市商务局 / 电子商务处" in into
    assert "电子商务处" not in into
    # the bureau's own divisions follow it, before the county bureaus below it
    bureau = into.index("温州市网络经济发展局")
    assert into.index("温州市网络经济发展局 / 办公室") == bureau + 1
    assert into.index("温州市网络经济发展局 / 信息化推进处") < into.index("鹿城区网络经济发展局")
    people = _options(form, "person")
    assert any(label.startswith("李国栋（") for label in people)
    assert all("（" in label and label.endswith("）") for label in people)


def test_people_and_transfer_filters_name_units_with_their_parent(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-funds"])
    for name in ("bureau:person-list", "bureau:transfer-list"):
        units = _options(client.get(reverse(name)).context["filterset"].form, "unit")
        assert "温州市商务局 / 电子商务处" in units
        assert units.count("电子商务处") == 0


def test_people_list_heads_names_as_names_and_shows_the_posts_people_hold(client, seeded):
    login(client, Role.LEADER, seeded["bureau"])
    holder = Appointment.objects.filter(end_date__isnull=True, person__title="").select_related("post").first()
    response = client.get(reverse("bureau:person-list"), {"q": holder.person.name})
    html = response.content.decode()
    assert "<th>姓名</th>" in html
    assert holder.post.title in html.split(holder.person.name, 2)[-1].split("</tr>")[0]


def test_the_transfer_form_offers_the_headcount_override_only_to_administrators(client, seeded):
    login(client, Role.BUREAU_STAFF, seeded["bureau-funds"])
    response = client.get(reverse("bureau:transfer-plan"))
    assert "quota_override_reason" not in response.context["form"].fields
    assert "超编审批理由" not in response.content.decode()
    client.logout()
    login(client, Role.ADMIN, seeded["bureau-office"])
    response = client.get(reverse("bureau:transfer-plan"))
    assert "quota_override_reason" in response.context["form"].fields
    assert "超编审批理由" in response.content.decode()


def test_the_transfer_list_offers_only_people_the_reader_may_read_in_its_person_filter(client, seeded):
    login(client, Role.DIVISION_STAFF, seeded["dept-commerce-ecommerce"])
    form = client.get(reverse("bureau:transfer-list")).context["filterset"].form
    offered = set(form.fields["person"].queryset)
    assert offered == set(Person.objects.filter(home_unit=seeded["dept-commerce-ecommerce"]))


# --- notifications: the page and the top bar's bell ---


def notice(unit, title, *, kind="invitation", body="", url="", at=None):
    note = Notification.objects.create(unit=unit, kind=kind, title=title, body=body, url=url)
    if at is not None:
        Notification.objects.filter(pk=note.pk).update(created_at=at)
    return note


def bell(html):
    """The unseen count the top bar shows, or None without one."""
    found = re.search(r'id="notification-count">([^<]*)<', html)
    return found.group(1) if found else None


def test_notifications_page_lists_the_users_unit_notices_and_not_another_units(client):
    own, other = UnitFactory(), UnitFactory()
    login(client, Role.DIVISION_STAFF, own)
    when = datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC)
    notice(own, "第三次联席会议通知", body="请派员参加。", url="/meetings/7/", at=when)
    notice(own, "没有链接的通知", kind="brief", at=when - datetime.timedelta(days=1))
    notice(other, "别的单位的通知")
    html = client.get(reverse("bureau:notification-list")).content.decode()
    assert '<a href="/meetings/7/" class="fw-semibold">第三次联席会议通知</a>' in html
    assert "请派员参加。" in html
    # the kinds in words
    assert '<span class="badge text-bg-light border me-1">会议通知</span>' in html
    assert '<span class="badge text-bg-light border me-1">信息通报</span>' in html
    assert "2026-03-02 09:30" in html  # Asia/Shanghai
    assert html.index("第三次联席会议通知") < html.index("没有链接的通知")  # newest first
    assert "没有链接的通知</span>" in html  # no link without a url
    assert "别的单位的通知" not in html


def test_notifications_page_filters_by_kind(client):
    own = UnitFactory()
    login(client, Role.DIVISION_STAFF, own)
    notice(own, "会议邀请", kind="invitation")
    notice(own, "信息通报一则", kind="brief")
    html = client.get(reverse("bureau:notification-list"), {"kind": "brief"}).content.decode()
    assert "信息通报一则" in html
    assert "会议邀请" not in html


def test_notifications_page_says_so_when_there_are_none(client):
    login(client, Role.DIVISION_STAFF, UnitFactory())
    html = client.get(reverse("bureau:notification-list")).content.decode()
    assert "本单位还没有通知" in html


def test_bell_counts_unseen_notices_and_drops_to_zero_once_the_page_is_opened(client):
    own, other = UnitFactory(), UnitFactory()
    user = login(client, Role.DIVISION_STAFF, own)
    notice(own, "一")
    notice(own, "二")
    notice(other, "别的单位的")
    home = client.get(reverse("home")).content.decode()
    assert bell(home) == "2"
    assert f'href="{reverse("bureau:notification-list")}"' in home
    page = client.get(reverse("bureau:notification-list")).content.decode()
    assert bell(page) is None
    user.refresh_from_db()
    assert user.notifications_seen_at is not None
    assert bell(client.get(reverse("home")).content.decode()) is None
    notice(own, "三")
    assert bell(client.get(reverse("home")).content.decode()) == "1"


def test_bell_counts_a_notice_stamped_before_the_list_was_read_that_it_did_not_show(client):
    import datetime

    own = UnitFactory()
    user = login(client, Role.DIVISION_STAFF, own)
    first = notice(own, "一")
    client.get(reverse("bureau:notification-list"))
    # Stamped after the newest notice the list showed but before it was read, committed after (a slow sender).
    late = notice(own, "迟到的")
    Notification.objects.filter(pk=late.pk).update(created_at=first.created_at + datetime.timedelta(microseconds=1))
    assert bell(client.get(reverse("home")).content.decode()) == "1"
    # A filtered list or a later page marks nothing; the mark never moves back.
    client.get(reverse("bureau:notification-list"), {"kind": "brief"})
    assert bell(client.get(reverse("home")).content.decode()) == "1"
    client.get(reverse("bureau:notification-list"))
    user.refresh_from_db()
    seen = user.notifications_seen_at
    from bureau import services as bureau_services

    bureau_services.notifications_mark_seen(actor=user, up_to=seen - datetime.timedelta(days=1))
    assert user.notifications_seen_at == seen


def test_bell_shows_99_plus_beyond_99_unseen_notices(client):
    own = UnitFactory()
    login(client, Role.DIVISION_STAFF, own)
    Notification.objects.bulk_create([Notification(unit=own, kind="brief", title=f"通知{i}") for i in range(120)])
    assert bell(client.get(reverse("home")).content.decode()) == "99+"


def test_notifications_page_query_count_does_not_grow_with_the_notices(client, django_assert_max_num_queries):
    own = UnitFactory()
    login(client, Role.DIVISION_STAFF, own)
    notice(own, "一", url="/meetings/1/")
    # 16: the session and the user, their permissions (two), their roles, the paginator's count, the page, then
    # marking the list seen (a savepoint, the update, its release) and saving the session, pghistory setting its
    # context before each of those writes, and the bell's count.
    with django_assert_max_num_queries(16) as few:
        assert client.get(reverse("bureau:notification-list")).status_code == 200
    Notification.objects.bulk_create(
        [Notification(unit=own, kind="brief", title=f"通知{i}", body="正文", url="/x/") for i in range(120)]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("bureau:notification-list"), {"page": 2}).content.decode()
    assert "第 2 页，共 3 页" in html


def test_an_open_list_filter_reads_all_not_dashes(client):
    own = UnitFactory()
    login(client, Role.DIVISION_STAFF, own)
    page = client.get(reverse("bureau:notification-list")).content.decode()
    assert '<option value="" selected>全部</option>' in page
    assert "---------" not in page


def test_a_department_systems_account_cannot_sign_in_to_the_pages(client):
    from tests.bureau.factories import DEFAULT_PASSWORD

    system = UserFactory(roles=[Role.API_CLIENT], unit=UnitFactory())
    response = client.post(reverse("login"), {"username": system.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "只能凭令牌通过接口调用" in response.content.decode()  # the portal speaks Chinese first


def test_a_person_who_also_holds_the_api_client_role_still_signs_in(client):
    from tests.bureau.factories import DEFAULT_PASSWORD

    person = UserFactory(roles=[Role.DIVISION_STAFF, Role.API_CLIENT], unit=UnitFactory())
    response = client.post(reverse("login"), {"username": person.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
