import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from policies import services, workflows
from policies.choices import PolicyStatus as S
from policies.models import Policy, PolicyStep
from tests.policies import factories

pytestmark = pytest.mark.django_db


def test_lifecycle_from_draft_to_published_records_every_step_with_who(staff):
    policy = factories.draft(actor=staff)
    assert policy.status == S.DRAFT
    services.policy_submit(actor=staff, policy=policy)
    services.policy_publish(actor=staff, policy=policy)
    policy.refresh_from_db()
    assert policy.status == S.PUBLISHED
    steps = list(PolicyStep.objects.filter(policy=policy).values_list("from_status", "to_status", "actor"))
    assert steps == [
        ("", S.DRAFT, staff.pk),
        (S.DRAFT, S.UNDER_REVIEW, staff.pk),
        (S.UNDER_REVIEW, S.PUBLISHED, staff.pk),
    ]
    assert all(step.at is not None for step in policy.steps.all())


def test_a_draft_cannot_be_published_without_review(staff):
    policy = factories.draft(actor=staff)
    with pytest.raises(ValidationError) as exc:
        services.policy_publish(actor=staff, policy=policy)
    assert exc.value.code == "invalid_transition"
    assert Policy.objects.get(pk=policy.pk).status == S.DRAFT


def test_review_can_send_a_policy_back_to_draft(staff):
    policy = factories.draft(actor=staff)
    services.policy_submit(actor=staff, policy=policy)
    services.policy_return(actor=staff, policy=policy, note="请补充附件")
    assert Policy.objects.get(pk=policy.pk).status == S.DRAFT
    assert policy.steps.last().note == "请补充附件"


def test_repealed_policy_cannot_be_published_again(staff):
    policy = factories.published(actor=staff)
    services.policy_repeal(actor=staff, policy=policy, repealing_document="温政发〔2016〕1号")
    with pytest.raises(ValidationError):
        services.policy_publish(actor=staff, policy=policy)


def test_only_staff_roles_may_move_policies(staff, division, leader):
    policy = factories.draft(actor=staff)
    for outsider in (division, leader):
        with pytest.raises(PermissionDenied):
            services.policy_submit(actor=outsider, policy=policy)
    assert Policy.objects.get(pk=policy.pk).status == S.DRAFT


def test_county_staff_may_not_move_a_city_policy(city, staff):
    from bureau.choices import UnitKind
    from bureau.roles import Role
    from tests.bureau.factories import UnitFactory, UserFactory

    county = UnitFactory(code="county-x", kind=UnitKind.COUNTY_BUREAU, parent=city["bureau"])
    county_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=county)
    policy = factories.draft(actor=staff)
    with pytest.raises(PermissionDenied):
        services.policy_submit(actor=county_staff, policy=policy)


def test_next_statuses_follow_the_table(staff, division):
    assert workflows.next_statuses(staff, S.DRAFT) == [S.UNDER_REVIEW]
    assert workflows.next_statuses(staff, S.UNDER_REVIEW) == [S.DRAFT, S.PUBLISHED]
    assert set(workflows.next_statuses(staff, S.PUBLISHED)) == {S.AMENDED, S.REPEALED, S.EXPIRED}
    assert workflows.next_statuses(division, S.DRAFT) == []
    assert workflows.next_statuses(staff, S.REPEALED) == []


def test_expire_only_after_the_expiry_date(staff):
    policy = factories.published(actor=staff, expires_on=datetime.date(2016, 12, 31))
    with pytest.raises(ValidationError):
        services.policy_expire(actor=None, policy=policy, today=datetime.date(2016, 6, 1))
    services.policy_expire(actor=None, policy=policy, today=datetime.date(2017, 1, 1))
    policy.refresh_from_db()
    assert policy.status == S.EXPIRED
    assert policy.ended_on == datetime.date(2016, 12, 31)
