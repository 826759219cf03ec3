"""The staff transfer (划转) state machine and the as-of-date answers it gives."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bureau import selectors, services
from bureau.choices import TransferStatus
from bureau.models import Transfer, TransferStep
from bureau.roles import Role
from tests.bureau.factories import PersonFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def org():
    from bureau.choices import UnitKind

    city = UnitFactory(code="city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=city, headcount_min=2, headcount_max=5)
    division = UnitFactory(code="ecommerce", kind=UnitKind.DIVISION, parent=bureau)
    commerce = UnitFactory(code="commerce", kind=UnitKind.DEPARTMENT, parent=city)
    staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=division)
    return {"city": city, "bureau": bureau, "division": division, "commerce": commerce, "staff": staff}


NEW_YEAR_2025 = D(2025, 1, 1)


def plan(org, person=None, day=NEW_YEAR_2025, **kw):
    person = person or PersonFactory(home_unit=org["commerce"])
    return services.transfer_plan(actor=org["staff"], person=person, to_unit=org["division"], planned_on=day, **kw)


def test_a_transfer_moves_through_every_phase_in_order(org):
    transfer = plan(org)
    for status, day in [
        (TransferStatus.VIRTUAL, D(2025, 3, 1)),
        (TransferStatus.PHYSICAL, D(2026, 3, 1)),
        (TransferStatus.COMPLETED, D(2026, 6, 1)),
    ]:
        transfer = services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=day)
        assert transfer.status == status
    steps = list(transfer.steps.values_list("from_status", "to_status", "effective_date"))
    assert steps == [
        ("", "planned", D(2025, 1, 1)),
        ("planned", "virtual", D(2025, 3, 1)),
        ("virtual", "physical", D(2026, 3, 1)),
        ("physical", "completed", D(2026, 6, 1)),
    ]
    assert all(step.actor == org["staff"] for step in transfer.steps.all())


def test_the_physical_phase_starts_a_year_after_the_virtual_one_by_default(org):
    transfer = plan(org)
    transfer = services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=D(2025, 2, 28))
    transfer = services.transfer_advance(actor=org["staff"], transfer=transfer)
    assert transfer.physical_on == D(2026, 2, 28)


def test_a_completed_transfer_has_no_next_phase(org):
    transfer = plan(org)
    for day in (D(2025, 2, 1), D(2026, 2, 1), D(2026, 3, 1)):
        transfer = services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=day)
    with pytest.raises(ValidationError):
        services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=D(2026, 4, 1))
    assert TransferStep.objects.filter(transfer=transfer).count() == 4


def test_a_phase_cannot_start_before_the_current_one(org):
    transfer = plan(org, day=D(2025, 5, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=D(2025, 4, 30))
    assert "effective_date" in excinfo.value.message_dict
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PLANNED
    assert transfer.steps.count() == 1


def test_cancelling_needs_a_reason_and_ends_the_transfer(org):
    transfer = plan(org)
    services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=D(2025, 2, 1))
    with pytest.raises(ValidationError):
        services.transfer_cancel(actor=org["staff"], transfer=transfer, effective_date=D(2025, 3, 1), reason=" ")
    cancelled = services.transfer_cancel(
        actor=org["staff"], transfer=transfer, effective_date=D(2025, 3, 1), reason="原单位工作需要"
    )
    assert cancelled.status == TransferStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.transfer_advance(actor=org["staff"], transfer=cancelled, effective_date=D(2025, 4, 1))


def test_a_person_already_in_a_transfer_cannot_be_transferred_again(org):
    person = PersonFactory(home_unit=org["commerce"])
    plan(org, person=person)
    with pytest.raises(ValidationError):
        plan(org, person=person, day=D(2025, 2, 1))
    assert Transfer.objects.filter(person=person).count() == 1


def test_only_bureau_staff_and_admins_move_a_transfer(org):
    transfer = plan(org)
    for role in (Role.LEADER, Role.DIVISION_STAFF, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            services.transfer_advance(
                actor=UserFactory(roles=[role], unit=org["division"]), transfer=transfer, effective_date=D(2025, 2, 1)
            )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PLANNED


def test_county_staff_cannot_move_a_city_transfer(org):
    from bureau.choices import UnitKind

    county = UnitFactory(code="county", kind=UnitKind.COUNTY_BUREAU, parent=org["bureau"])
    transfer = plan(org)
    with pytest.raises(PermissionDenied):
        services.transfer_advance(
            actor=UserFactory(roles=[Role.BUREAU_STAFF], unit=county), transfer=transfer, effective_date=D(2025, 2, 1)
        )


def test_where_a_person_works_who_pays_and_who_assesses_on_any_date(org):
    person = PersonFactory(home_unit=org["commerce"])
    transfer = plan(org, person=person, day=D(2025, 1, 1))
    services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=D(2025, 3, 1))
    services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=D(2026, 3, 1))
    commerce, division = org["commerce"], org["division"]

    def where(day):
        p = selectors.placement_on(person, day)
        return (p.works_in, p.paid_by, p.assessed_by)

    assert where(D(2025, 2, 28)) == (commerce, commerce, commerce)  # planned: nothing moved yet
    assert where(D(2025, 3, 1)) == (division, commerce, commerce)  # virtual: works here, the rest stays
    assert where(D(2026, 2, 28)) == (division, commerce, commerce)
    assert where(D(2026, 3, 1)) == (division, division, division)  # physical: all of it moves


def test_a_cancelled_transfer_returns_everything_to_the_home_unit(org):
    person = PersonFactory(home_unit=org["commerce"])
    transfer = plan(org, person=person)
    services.transfer_advance(actor=org["staff"], transfer=transfer, effective_date=D(2025, 3, 1))
    services.transfer_cancel(actor=org["staff"], transfer=transfer, effective_date=D(2025, 6, 1), reason="调整")
    assert selectors.placement_on(person, D(2025, 4, 1)).works_in == org["division"]
    assert selectors.placement_on(person, D(2025, 6, 1)).works_in == org["commerce"]


def test_a_transfer_over_the_quota_is_refused_with_a_clear_message(org):
    for _ in range(5):
        PersonFactory(home_unit=org["division"])  # the bureau's 5 places are all taken
    with pytest.raises(ValidationError) as excinfo:
        plan(org)
    assert "5" in " ".join(excinfo.value.messages)
    assert not Transfer.objects.exists()


def test_open_incoming_transfers_count_against_the_quota(org):
    for _ in range(4):
        PersonFactory(home_unit=org["division"])
    plan(org)  # the fifth place is promised
    with pytest.raises(ValidationError):
        plan(org)


def test_only_an_admin_may_override_the_quota_and_the_reason_is_recorded(org):
    for _ in range(5):
        PersonFactory(home_unit=org["division"])
    with pytest.raises(PermissionDenied):
        plan(org, quota_override_reason="市委批准")
    admin = UserFactory(roles=[Role.ADMIN], unit=org["bureau"])
    transfer = services.transfer_plan(
        actor=admin, person=PersonFactory(home_unit=org["commerce"]), to_unit=org["division"],
        planned_on=D(2025, 1, 1), quota_override_reason="市委批准",
    )  # fmt: skip
    assert transfer.quota_override_reason == "市委批准"


def test_a_whole_division_is_planned_as_one_batch(org):
    source = UnitFactory(code="commerce-ecommerce", parent=org["commerce"])
    post = services.post_create(actor=None, unit=source, title="科员", max_holders=None)
    people = [PersonFactory(home_unit=org["commerce"]) for _ in range(3)]
    for person in people:
        services.appointment_create(actor=None, person=person, post=post, start_date=D(2024, 1, 1))
    concurrent = PersonFactory(home_unit=org["commerce"])
    services.appointment_create(actor=None, person=concurrent, post=post, start_date=D(2024, 1, 1), is_concurrent=True)
    transfers = services.transfer_plan_division(
        actor=org["staff"], division=source, to_unit=org["division"], planned_on=D(2025, 1, 1)
    )
    assert {t.person for t in transfers} == set(people)
    assert len({t.batch for t in transfers}) == 1


def test_a_division_too_big_for_the_quota_is_refused_whole(org):
    source = UnitFactory(code="commerce-ecommerce", parent=org["commerce"])
    post = services.post_create(actor=None, unit=source, title="科员", max_holders=None)
    for _ in range(6):
        services.appointment_create(
            actor=None, person=PersonFactory(home_unit=org["commerce"]), post=post, start_date=D(2024, 1, 1)
        )
    with pytest.raises(ValidationError):
        services.transfer_plan_division(
            actor=org["staff"], division=source, to_unit=org["division"], planned_on=D(2025, 1, 1)
        )
    assert not Transfer.objects.exists()


@pytest.fixture
def county(org):
    from bureau.choices import UnitKind

    county = UnitFactory(code="county", kind=UnitKind.COUNTY_BUREAU, parent=org["bureau"])
    county_div = UnitFactory(code="county-div", kind=UnitKind.DIVISION, parent=county)
    return {"div": county_div, "staff": UserFactory(roles=[Role.BUREAU_STAFF], unit=county_div)}


def test_county_staff_cannot_plan_the_transfer_of_a_city_person_into_the_county(org, county):
    person = PersonFactory(home_unit=org["commerce"])
    with pytest.raises(PermissionDenied):
        services.transfer_plan(actor=county["staff"], person=person, to_unit=county["div"], planned_on=NEW_YEAR_2025)
    assert not Transfer.objects.exists()
    transfer = services.transfer_plan(
        actor=org["staff"], person=person, to_unit=county["div"], planned_on=NEW_YEAR_2025
    )
    assert (transfer.from_unit, transfer.to_unit) == (org["commerce"], county["div"])


def test_county_staff_cannot_plan_a_transfer_out_of_the_city_unit_that_now_pays_their_own_person(org, county):
    person = PersonFactory(home_unit=county["div"])  # the county still sees them
    transfer = services.transfer_plan(actor=None, person=person, to_unit=org["division"], planned_on=D(2024, 1, 1))
    for day in (D(2024, 2, 1), D(2025, 2, 1), D(2025, 3, 1)):
        services.transfer_advance(actor=None, transfer=transfer, effective_date=day)
    with pytest.raises(PermissionDenied):
        services.transfer_plan(actor=county["staff"], person=person, to_unit=county["div"], planned_on=D(2025, 6, 1))
    assert Transfer.objects.filter(person=person).count() == 1


def _division_of_two(org):
    from bureau.choices import UnitKind

    source = UnitFactory(code="commerce-ecommerce", kind=UnitKind.DEPARTMENT_DIVISION, parent=org["commerce"])
    post = services.post_create(actor=None, unit=source, title="科员", max_holders=None)
    for _ in range(2):
        person = PersonFactory(home_unit=org["commerce"])
        services.appointment_create(actor=None, person=person, post=post, start_date=D(2024, 1, 1))
    return source


def test_county_staff_cannot_plan_the_transfer_of_a_city_division(org, county):
    source = _division_of_two(org)
    with pytest.raises(PermissionDenied):
        services.transfer_plan_division(
            actor=county["staff"], division=source, to_unit=county["div"], planned_on=NEW_YEAR_2025
        )
    assert not Transfer.objects.exists()
    transfers = services.transfer_plan_division(
        actor=org["staff"], division=source, to_unit=county["div"], planned_on=NEW_YEAR_2025
    )
    assert len(transfers) == 2


def test_a_division_plan_is_refused_whole_when_one_of_its_people_is_paid_beyond_the_actors_reach(org, county):
    post = services.post_create(actor=None, unit=county["div"], title="科员", max_holders=None)
    own = PersonFactory(home_unit=county["div"])
    seconded = PersonFactory(home_unit=org["commerce"])  # holds a county post, paid by the city
    for person in (own, seconded):
        services.appointment_create(actor=None, person=person, post=post, start_date=D(2024, 1, 1))
    county_dept = UnitFactory(code="county-dept", parent=county["div"].parent)
    with pytest.raises(PermissionDenied):
        services.transfer_plan_division(
            actor=county["staff"], division=county["div"], to_unit=county_dept, planned_on=NEW_YEAR_2025
        )
    assert not Transfer.objects.exists()


def test_county_staff_move_on_a_person_the_county_took_in_from_the_city(org, county):
    person = PersonFactory(home_unit=org["commerce"])  # their home unit stays the city's
    transfer = services.transfer_plan(actor=None, person=person, to_unit=county["div"], planned_on=D(2024, 1, 1))
    for day in (D(2024, 2, 1), D(2025, 2, 1), D(2025, 3, 1)):
        services.transfer_advance(actor=None, transfer=transfer, effective_date=day)
    county_dept = UnitFactory(code="county-dept2", parent=county["div"].parent)
    onward = services.transfer_plan(actor=county["staff"], person=person, to_unit=county_dept, planned_on=D(2025, 6, 1))
    assert (onward.from_unit, onward.to_unit) == (county["div"], county_dept)
