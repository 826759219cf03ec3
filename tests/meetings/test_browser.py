"""In the browser: the recording division files the minutes, the owner division posts progress."""

import re

import pytest

from bureau.choices import UnitKind
from meetings import services
from meetings.models import ActionItem, Minutes
from tests.bureau import two_factor
from tests.bureau.factories import DEFAULT_PASSWORD, UnitFactory
from tests.charts import layout
from tests.meetings.factories import D, build_world, held_meeting, schedule

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, live_server, user):
    two_factor.sign_in(page, live_server.url, user.username, DEFAULT_PASSWORD)


def test_recording_division_files_minutes_and_owner_posts_progress(live_server, page, shot):
    world = build_world()
    meeting = held_meeting(world)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before each step

    sign_in(page, live_server, world.recorder)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_role("button", name="报送纪要").click()
    page.wait_for_url(re.compile(r"/meetings/minutes/\d+/$"))
    assert page.locator("#minutes-status").inner_text() == "草稿"

    card = page.locator(".card", has_text="推进跨境电商试点")
    card.get_by_label("纪要内容").fill("会议议定由电子商务处牵头制定试点方案。")
    card.get_by_label("事项类型").select_option(label="督办事项")
    card.get_by_role("button", name="保存本议题").click()
    # No owner or due date: the form says so and nothing is saved.
    assert page.get_by_text("督办事项需要责任处室。").is_visible()
    card = page.locator(".card", has_text="推进跨境电商试点")
    card.get_by_label("责任处室").select_option(label="市商务局 / 电子商务处")  # a division named with its department
    card.get_by_label("完成时限").fill("2027-04-30")
    card.get_by_label("预期成果").fill("试点方案印发")
    card.get_by_role("button", name="保存本议题").click()
    assert page.get_by_text("已保存。").is_visible()

    page.get_by_label("意见反馈截止").fill("2099-01-01T12:00")
    page.get_by_role("button", name="传阅征求意见").click()
    page.wait_for_load_state()
    assert page.locator("#minutes-status").inner_text() == "传阅中"

    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.filed_by == world.recorder
    services.minutes_approve(actor=world.convenor, minutes=minutes)
    services.minutes_publish(actor=world.convenor, minutes=minutes)
    action = ActionItem.objects.get(meeting=meeting)

    page.context.clear_cookies()
    sign_in(page, live_server, world.user_a)
    page.goto(f"{live_server.url}/meetings/actions/")
    page.get_by_role("link", name="推进跨境电商试点").click()
    page.get_by_label("工作进展").fill("试点方案已经局务会审议通过并印发。")
    page.get_by_label("已完成").check()
    page.get_by_label("完成证明").fill("温商务〔2027〕5号")
    page.get_by_role("button", name="报告进展").click()
    page.wait_for_load_state()
    assert page.locator("#action-status").inner_text() == "已完成"
    assert page.get_by_text("试点方案已经局务会审议通过并印发。").is_visible()
    action.refresh_from_db()
    assert (action.status, action.evidence) == ("done", "温商务〔2027〕5号")

    # The member statistics draw their chart with ECharts, served by the portal.
    page.get_by_role("link", name="成员单位统计").click()
    page.wait_for_selector('#member-chart[data-rendered="true"] canvas')
    assert page.locator("table").get_by_text("电子商务处").is_visible()
    shot(page, "division-meeting-statistics")


def test_each_confirmation_on_meeting_and_minutes_pages_is_asked_once(live_server, page):
    world = build_world()
    meeting = held_meeting(world)
    later = schedule(world, D(2026, 3, 24))
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))

    sign_in(page, live_server, world.convenor)
    page.goto(f"{live_server.url}/meetings/{later.pk}/")
    page.get_by_role("button", name="取消会议").click()
    page.wait_for_load_state()
    assert page.locator("#meeting-status").inner_text() == "已取消"
    assert len(questions) == 1
    assert "不可撤销" in questions[0]

    page.context.clear_cookies()
    sign_in(page, live_server, world.recorder)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_role("button", name="报送纪要").click()
    page.wait_for_url(re.compile(r"/meetings/minutes/\d+/$"))
    card = page.locator(".card", has_text="推进跨境电商试点")
    card.get_by_label("纪要内容").fill("会议听取了汇报。")
    card.get_by_role("button", name="保存本议题").click()
    page.get_by_label("意见反馈截止").fill("2099-01-01T12:00")
    page.get_by_role("button", name="传阅征求意见").click()
    page.get_by_text("传阅中", exact=True).wait_for()
    assert len(questions) == 3  # filing the minutes and circulating them: one question each


def test_the_statistics_legend_stays_clear_of_the_rotated_unit_names(live_server, page):
    world = build_world()
    for code, name in (("m-credit", "高技术产业与信用建设处"), ("m-assoc2", "温州市电子商务行业协会")):
        unit = UnitFactory(code=code, name=name, kind=UnitKind.DIVISION, parent=world.convening.parent)
        services.membership_add(actor=None, unit=unit, joined_on=D(2025, 1, 1), representative_name="处长")
    held_meeting(world)

    sign_in(page, live_server, world.leader)
    page.goto(f"{live_server.url}/meetings/statistics/")
    chart = layout(page, "member-chart")
    assert {b.text for b in chart.legend} >= {"按时完成", "逾期"}
    assert "高技术产业与信用建设处" in {b.text for b in chart.labels}
    assert chart.covered() == []
    assert chart.cut_off() == []
