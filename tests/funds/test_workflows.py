"""The application workflow end to end, its money, and every refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funds import services
from funds.choices import ApplicationStatus as S
from funds.ledger import ledger_check
from funds.models import Application, LedgerTransfer
from tests.datacenter.factories import credit_code
from tests.funds.conftest import (
    SCORES,
    enterprise,
    new_application,
    programme_balance,
    to_approval,
    to_decision,
    tranche,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_application_goes_from_draft_to_closed_with_its_money(fund):
    application = new_application(fund)
    application = to_decision(fund, application)
    assert application.status == S.AWAITING_DECISION
    assert application.score == 80  # both experts gave 80; no priority bonus for an unknown size class

    application = services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=250_000_00, today=D(2026, 4, 1)
    )
    assert application.status == S.PUBLIC_NOTICE
    assert programme_balance(fund["programme"]) == (750_000_00, 250_000_00)
    # Five working days after Wednesday 1 April: the 2nd and 3rd, Qingming (4th-6th) off, then the 7th, 8th, 9th.
    assert application.notice_ends_on == D(2026, 4, 9)

    with pytest.raises(ValidationError):  # not before the notice ends
        services.application_close_notice(actor=fund["staff"], application=application, today=D(2026, 4, 8))
    services.application_close_notice(actor=fund["staff"], application=application, today=D(2026, 4, 9))

    services.application_disburse(
        actor=fund["staff"], application=application, amount_fen=100_000_00, tranche_key=tranche()
    )
    application = services.application_disburse(
        actor=fund["staff"], application=application, amount_fen=150_000_00, tranche_key=tranche()
    )
    assert application.status == S.AWAITING_ACCEPTANCE
    assert programme_balance(fund["programme"]) == (750_000_00, 0)
    application = services.application_accept(actor=fund["division"], application=application)
    assert application.status == S.CLOSED
    assert [s.to_status for s in application.steps.all()] == [
        S.DRAFT, S.SUBMITTED, S.EXPERT_REVIEW, S.EXPERT_REVIEW, S.AWAITING_DECISION, S.PUBLIC_NOTICE,
        S.APPROVED, S.APPROVED, S.AWAITING_ACCEPTANCE, S.CLOSED,
    ]  # fmt: skip
    assert ledger_check() == []


def test_the_first_application_creates_the_enterprise_with_a_valid_credit_code(fund):
    new_application(fund, n=7)
    assert enterprise(7).name == "温州某科技有限公司7"


# The second: python-stdnum 2.2 raises ValueError, not its own error, for a line break inside a code.
@pytest.mark.parametrize("code", ["91330300MA2AB1234X", "9133032\nQWD18YGFC0"])
def test_an_invalid_credit_code_is_refused_and_nothing_is_saved(fund, code):
    with pytest.raises(ValidationError) as excinfo:
        services.application_create(
            actor=fund["staff"], programme=fund["programme"], credit_code=code, title="项目", requested_fen=100,
        )  # fmt: skip
    assert "credit_code" in excinfo.value.message_dict
    assert not Application.objects.exists()


@pytest.mark.parametrize("amount", [0, -5])
def test_a_request_of_nothing_is_refused(fund, amount):
    with pytest.raises(ValidationError):
        new_application(fund, requested=amount)


def test_a_request_above_the_programme_maximum_is_refused(fund):
    with pytest.raises(ValidationError):
        new_application(fund, requested=1_000_000_01)


def test_submitting_outside_the_window_is_refused(fund):
    application = new_application(fund)
    with pytest.raises(ValidationError):
        services.application_submit(actor=fund["staff"], application=application, today=D(2027, 1, 1))
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_returning_or_rejecting_needs_a_reason(fund):
    application = new_application(fund)
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    with pytest.raises(ValidationError):
        services.application_review(actor=fund["division"], application=application, outcome="return")
    returned = services.application_review(
        actor=fund["division"], application=application, outcome="return", reason="缺少财务报表"
    )
    assert returned.status == S.RETURNED
    again = services.application_submit(actor=fund["staff"], application=returned, today=D(2026, 3, 9))
    assert again.status == S.SUBMITTED


def test_steps_out_of_order_are_refused(fund):
    application = new_application(fund)
    with pytest.raises(ValidationError):
        services.application_decide(actor=fund["leader"], application=application, approve=True, amount_fen=1)
    with pytest.raises(ValidationError):
        services.application_disburse(actor=fund["staff"], application=application, amount_fen=1, tranche_key=tranche())
    assert not LedgerTransfer.objects.filter(reference=f"application:{application.pk}").exists()


def test_the_wrong_role_or_unit_cannot_take_a_step(fund):
    application = new_application(fund)
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    for who in ("leader", "expert1", "other_division", "auditor"):
        with pytest.raises(PermissionDenied):
            services.application_review(actor=fund[who], application=application, outcome="pass")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_an_application_needs_two_experts_and_only_assigned_experts_score(fund):
    application = new_application(fund)
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    services.application_review(actor=fund["division"], application=application, outcome="pass")
    services.application_assign_experts(actor=fund["staff"], application=application, experts=[fund["expert1"]])
    after_one = services.application_score(actor=fund["expert1"], application=application, scores=SCORES)
    assert after_one.status == S.EXPERT_REVIEW  # one expert is not enough
    with pytest.raises(PermissionDenied):
        services.application_score(actor=fund["expert3"], application=application, scores=SCORES)


def test_scores_outside_the_rubric_are_refused(fund):
    application = new_application(fund)
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    services.application_review(actor=fund["division"], application=application, outcome="pass")
    services.application_assign_experts(
        actor=fund["staff"], application=application, experts=[fund["expert1"], fund["expert2"]]
    )
    with pytest.raises(ValidationError):
        services.application_score(actor=fund["expert1"], application=application, scores={**SCORES, "技术创新": 41})
    with pytest.raises(ValidationError):
        services.application_score(actor=fund["expert1"], application=application, scores={"技术创新": 10})


def test_micro_firms_in_the_middle_of_the_chain_get_the_priority_bonus(fund):
    application = new_application(fund, n=3)
    enterprise(3).__class__.objects.filter(pk=enterprise(3).pk).update(size_class="micro", chain_segment="middle")
    application = to_decision(fund, application)
    assert application.score == 90  # 80 from the experts + 5 + 5


def test_approving_more_than_requested_or_than_the_budget_is_refused(fund):
    application = to_decision(fund, new_application(fund, requested=300_000_00))
    with pytest.raises(ValidationError):
        services.application_decide(actor=fund["leader"], application=application, approve=True, amount_fen=300_000_01)
    big = to_decision(fund, new_application(fund, n=2, requested=1_000_000_00))
    services.application_decide(actor=fund["leader"], application=big, approve=True, amount_fen=900_000_00)
    with pytest.raises(ValidationError):  # only 100,000 yuan left in the budget
        services.application_decide(actor=fund["leader"], application=application, approve=True, amount_fen=200_000_00)
    application.refresh_from_db()
    assert application.status == S.AWAITING_DECISION
    assert programme_balance(fund["programme"]) == (100_000_00, 900_000_00)


def test_an_objection_suspends_the_notice_and_resolving_restarts_it(fund):
    application = to_decision(fund, new_application(fund))
    services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=100_000_00, today=D(2026, 5, 6)
    )
    services.application_object(
        actor=fund["staff"], application=application, raised_by="匿名来信", content="企业资质存疑"
    )
    application.refresh_from_db()
    assert application.status == S.SUSPENDED
    with pytest.raises(ValidationError):
        services.application_disburse(actor=fund["staff"], application=application, amount_fen=1, tranche_key=tranche())
    resumed = services.application_resolve_objection(
        actor=fund["leader"], application=application, resolution="经核查资质合规", today=D(2026, 5, 11)
    )
    assert resumed.status == S.PUBLIC_NOTICE
    assert resumed.notice_ends_on == D(2026, 5, 18)


def test_cancelling_an_approval_releases_what_was_not_paid(fund):
    application = to_decision(fund, new_application(fund))
    services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=200_000_00, today=D(2026, 4, 1)
    )
    services.application_close_notice(actor=fund["staff"], application=application, today=D(2026, 4, 9))
    services.application_disburse(
        actor=fund["staff"], application=application, amount_fen=50_000_00, tranche_key=tranche()
    )
    cancelled = services.application_cancel(actor=fund["leader"], application=application, reason="企业迁出本市")
    assert cancelled.status == S.CANCELLED
    assert cancelled.released_fen == 150_000_00
    assert programme_balance(fund["programme"]) == (950_000_00, 0)
    assert ledger_check() == []


def test_a_second_disbursement_beyond_the_commitment_is_refused(fund):
    application = to_approval(fund, to_decision(fund, new_application(fund)))
    services.application_disburse(
        actor=fund["staff"], application=application, amount_fen=60_000_00, tranche_key=tranche()
    )
    with pytest.raises(ValidationError):
        services.application_disburse(
            actor=fund["staff"], application=application, amount_fen=40_000_01, tranche_key=tranche()
        )
    application.refresh_from_db()
    assert application.disbursed_fen == 60_000_00


def test_a_repeated_tranche_pays_once(fund):
    application = to_approval(fund, to_decision(fund, new_application(fund)))
    key = tranche()
    services.application_disburse(actor=fund["staff"], application=application, amount_fen=30_000_00, tranche_key=key)
    services.application_disburse(actor=fund["staff"], application=application, amount_fen=30_000_00, tranche_key=key)
    application.refresh_from_db()
    assert application.disbursed_fen == 30_000_00


def test_a_repeated_tranche_key_with_another_amount_or_by_someone_else_is_refused(fund):
    from funds.ledger import IdempotencyConflict

    application = to_approval(fund, to_decision(fund, new_application(fund)))
    key = tranche()
    services.application_disburse(actor=fund["staff"], application=application, amount_fen=100_000_00, tranche_key=key)
    # The whole commitment is paid and the application awaits its acceptance check: a replay still answers.
    services.application_disburse(actor=fund["staff"], application=application, amount_fen=100_000_00, tranche_key=key)
    with pytest.raises(IdempotencyConflict):
        services.application_disburse(actor=fund["staff"], application=application, amount_fen=1_00, tranche_key=key)
    with pytest.raises(PermissionDenied):
        services.application_disburse(
            actor=fund["division"], application=application, amount_fen=100_000_00, tranche_key=key
        )
    application.refresh_from_db()
    assert (application.disbursed_fen, application.status) == (100_000_00, S.AWAITING_ACCEPTANCE)


def test_a_department_never_pays_in_more_than_it_pledged_even_from_a_stale_record(fund):
    from funds.models import FundSource

    source = services.fund_source_create(
        actor=fund["staff"], department=fund["dept"], fiscal_year=2026, name="专项", pledged_fen=100_00
    )
    services.contribution_post(actor=fund["staff"], source=source, amount_fen=60_00, idempotency_key="c-1")
    with pytest.raises(ValidationError):  # `source` still says nothing was paid
        services.contribution_post(actor=fund["staff"], source=source, amount_fen=60_00, idempotency_key="c-2")
    services.contribution_post(actor=fund["staff"], source=source, amount_fen=40_00, idempotency_key="c-3")
    # The pledge is used up; a repeat of an earlier request answers with its transfer instead of a refusal.
    again = services.contribution_post(actor=fund["staff"], source=source, amount_fen=40_00, idempotency_key="c-3")
    assert again.amount_fen == 40_00
    source = FundSource.objects.get(pk=source.pk)
    assert source.account.debits_fen == 100_00


def test_county_bureau_staff_raise_no_money_for_the_citys_departments_or_programmes(fund):
    from bureau.choices import UnitKind
    from bureau.roles import Role
    from tests.bureau.factories import UnitFactory, UserFactory

    county = UnitFactory(code="county-f", kind=UnitKind.COUNTY_BUREAU, parent=fund["city"])
    county_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=county)
    with pytest.raises(PermissionDenied):
        services.fund_source_create(
            actor=county_staff, department=fund["dept"], fiscal_year=2026, name="专项", pledged_fen=100_00
        )
    with pytest.raises(PermissionDenied):
        services.allocation_post(actor=county_staff, programme=fund["programme"], amount_fen=1_00, idempotency_key="a")
    source = services.fund_source_create(
        actor=fund["staff"], department=fund["dept"], fiscal_year=2026, name="专项", pledged_fen=100_00
    )
    with pytest.raises(PermissionDenied):
        services.contribution_post(actor=county_staff, source=source, amount_fen=1_00, idempotency_key="c")


def test_a_warning_when_a_decision_would_push_a_priority_share_below_target(fund):
    from funds.models import YearTarget

    YearTarget.objects.create(fiscal_year=2026, small_micro_share=60, middle_share=50)
    application = to_decision(fund, new_application(fund, n=5))  # an enterprise of unknown size and segment
    warnings = services.priority_warnings(application, 100_000_00)
    assert len(warnings) == 2
    assert "60%" in warnings[0]


def test_withdrawing_ends_an_application_before_the_decision(fund):
    application = new_application(fund)
    withdrawn = services.application_withdraw(actor=fund["staff"], application=application, reason="企业放弃申报")
    assert withdrawn.status == S.WITHDRAWN
    with pytest.raises(ValidationError):
        services.application_submit(actor=fund["staff"], application=withdrawn, today=D(2026, 3, 2))


def test_each_step_notifies_the_units_that_act_next_once(fund):
    from bureau.models import Notification

    # A department applies; the funds division reviews.
    application = services.application_create(
        actor=fund["api"], programme=fund["programme"], credit_code=credit_code(21), title="电商项目", requested_fen=100
    )
    services.application_submit(actor=fund["api"], application=application, today=D(2026, 3, 2))
    assert list(Notification.objects.values_list("unit__code", flat=True)) == ["funds-div"]
    services.application_review(actor=fund["division"], application=application, outcome="return", reason="补充材料")
    latest = Notification.objects.order_by("-pk").first()
    assert (latest.unit.code, latest.body) == ("commerce", "补充材料")
    assert latest.url == f"/funds/applications/{application.pk}/"
    assert Notification.objects.count() == 2


def test_the_public_notice_counts_working_days_across_the_spring_festival(fund):
    application = to_decision(fund, new_application(fund))
    decided = services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=100_000_00, today=D(2026, 2, 12)
    )
    # Friday the 13th, the adjusted working Saturday the 14th, the holiday (15th-23rd), then the 24th, 25th, 26th.
    assert decided.notice_ends_on == D(2026, 2, 26)
    with pytest.raises(ValidationError):
        services.application_close_notice(actor=fund["staff"], application=decided, today=D(2026, 2, 25))
    assert (
        services.application_close_notice(actor=fund["staff"], application=decided, today=D(2026, 2, 26)).status
        == S.APPROVED
    )


def test_an_enterprise_outside_the_programmes_segments_is_refused_naming_both(fund):
    from funds.models import Programme

    new_application(fund, n=70)
    enterprise(70).__class__.objects.filter(pk=enterprise(70).pk).update(chain_segment="end")
    Programme.objects.filter(pk=fund["programme"].pk).update(segments=["front", "middle"])
    fund["programme"].refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        new_application(fund, n=70)
    assert refused.value.messages == ["本专项（智能制造专项）不支持产业链“末端：销售应用”环节的企业。"]
