"""Who may take each step of an application: every role, for an application of their unit or another's."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funds import services
from tests.bureau.factories import UserFactory
from tests.funds.conftest import new_application, to_decision, tranche

pytestmark = pytest.mark.django_db
D = datetime.date

ROLES = ["staff", "division", "other_division", "leader", "api", "expert1", "auditor"]


def at_submitted(fund):
    application = new_application(fund)
    return services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))


def at_decision(fund):
    return to_decision(fund, new_application(fund))


def at_approved(fund):
    application = at_decision(fund)
    services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=100_000_00, today=D(2026, 4, 1)
    )
    return services.application_close_notice(actor=fund["staff"], application=application, today=D(2026, 4, 9))


STEPS = {
    "review": (at_submitted, lambda a, u: services.application_review(actor=u, application=a, outcome="pass")),
    "decide": (
        at_decision,
        lambda a, u: services.application_decide(actor=u, application=a, approve=True, amount_fen=1_00),
    ),
    "disburse": (
        at_approved,
        lambda a, u: services.application_disburse(actor=u, application=a, amount_fen=1_00, tranche_key=tranche()),
    ),
    "cancel": (at_approved, lambda a, u: services.application_cancel(actor=u, application=a, reason="撤销")),
    "withdraw": (at_submitted, lambda a, u: services.application_withdraw(actor=u, application=a, reason="放弃")),
}

# step -> the roles that may take it (everyone else is refused)
ALLOWED = {
    "review": {"staff", "division"},
    "decide": {"staff", "leader"},
    "disburse": {"staff"},
    "cancel": {"staff", "leader"},
    "withdraw": {"staff", "division"},
}


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(fund, step, role):
    prepare, act = STEPS[step]
    application = prepare(fund)
    before, steps = application.status, application.steps.count()
    if role in ALLOWED[step]:
        act(application, fund[role])
        assert application.steps.count() == steps + 1
    else:
        with pytest.raises(PermissionDenied):
            act(application, fund[role])
        application.refresh_from_db()
        assert application.status == before


def test_a_county_bureau_staff_member_cannot_act_on_the_citys_applications(fund):
    from bureau.choices import UnitKind
    from bureau.roles import Role
    from tests.bureau.factories import UnitFactory

    county = UnitFactory(code="county", kind=UnitKind.COUNTY_BUREAU, parent=fund["bureau"])
    county_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=county)
    application = at_submitted(fund)
    with pytest.raises(PermissionDenied):
        services.application_review(actor=county_staff, application=application, outcome="pass")


def test_an_api_client_applies_only_in_its_own_departments_name(fund):
    from tests.datacenter.factories import credit_code

    application = services.application_create(
        actor=fund["api"], programme=fund["programme"], credit_code=credit_code(30), title="项目", requested_fen=100,
        submitted_by_unit=fund["division"],
    )  # fmt: skip
    assert application.submitted_by_unit == fund["dept"]


def test_refusals_for_a_step_out_of_order_are_validation_errors_not_permission_errors(fund):
    application = at_submitted(fund)
    with pytest.raises(ValidationError):
        services.application_decide(actor=fund["leader"], application=application, approve=True, amount_fen=1_00)


def test_a_departments_own_staff_enter_and_withdraw_their_application_but_never_review_it(fund):
    from bureau.roles import Role

    dept_staff = UserFactory(roles=[Role.DIVISION_STAFF], unit=fund["dept"])
    application = new_application(fund, 40)
    application.submitted_by_unit = fund["dept"]
    application.save(update_fields=["submitted_by_unit"])
    services.application_submit(actor=dept_staff, application=application, today=D(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        services.application_review(actor=dept_staff, application=application, outcome="pass")
    services.application_review(actor=fund["division"], application=application, outcome="pass")
    with pytest.raises(PermissionDenied):
        services.application_assign_experts(actor=dept_staff, application=application, experts=[fund["expert1"]])
    services.application_withdraw(actor=dept_staff, application=application, reason="不再申请")
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_a_county_leader_cannot_decide_the_citys_applications(fund):
    from bureau.choices import UnitKind
    from bureau.roles import Role
    from tests.bureau.factories import UnitFactory

    county = UnitFactory(code="county-l", kind=UnitKind.COUNTY_BUREAU, parent=fund["city"])
    county_leader = UserFactory(roles=[Role.LEADER], unit=county)
    application = at_decision(fund)
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=county_leader, application=application, approve=True, amount_fen=1_00)
    services.application_decide(actor=fund["leader"], application=application, approve=True, amount_fen=1_00)
