import pytest

from bureau import demo as bureau_demo
from meetings import demo
from meetings.choices import ActionStatus, MinutesStatus
from meetings.models import ActionItem, AgendaItem, Brief, Meeting, Membership, Minutes

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Membership, Meeting, AgendaItem, Minutes, ActionItem, Brief)]


def test_demo_has_the_members_three_past_meetings_and_action_items_in_every_state():
    bureau_demo.seed()
    demo.seed()
    assert set(Membership.objects.values_list("unit__code", flat=True)) == {code for code, _r, _d in demo.MEMBERS}
    assert list(Meeting.objects.order_by("number").values_list("number", "status")) == [
        (1, "held"), (2, "held"), (3, "held"), (4, "agenda_open"),
    ]  # fmt: skip
    assert set(ActionItem.objects.values_list("status", flat=True)) == set(ActionStatus.values)
    assert set(Minutes.objects.values_list("status", flat=True)) == {MinutesStatus.PUBLISHED, MinutesStatus.SUPERSEDED}
    assert AgendaItem.objects.filter(meeting__number=4, kind="carried_over").count() == 5


def test_demo_seed_is_idempotent():
    bureau_demo.seed()
    demo.seed()
    before = counts()
    demo.seed()
    assert counts() == before
