"""Every factory and every trait builds a row that passes model validation and the database's constraints, and
that is consistent with the rules the services keep (a user's organisation fits their role, a confirmed placement
has its check-ins and a placed pathway)."""

from datetime import timedelta

import pytest

from coalition.models import DEFAULT_CHECK_IN_DAYS, ROLE_ORGANISATION_KINDS, Organisation, Role
from pathways.journey.stages import CLOSED_STAGES, Stage
from pathways.models import CheckIn, Enrolment, Placement
from tests import factories

pytestmark = pytest.mark.django_db

CASES = [
    (factories.NeighbourhoodFactory, {}),
    (factories.OrganisationFactory, {}),
    (factories.OrganisationFactory, {"employer": True}),
    (factories.OrganisationFactory, {"school": True}),
    (factories.OrganisationFactory, {"inactive": True}),
    (factories.ProgrammeFactory, {}),
    (factories.UserFactory, {}),
    (factories.UserFactory, {"coordinator": True}),
    (factories.UserFactory, {"coach": True}),
    (factories.UserFactory, {"employer": True}),
    (factories.UserFactory, {"educator": True}),
    (factories.UserFactory, {"superuser": True}),
    (factories.ResidentFactory, {}),
    (factories.ResidentFactory, {"pathway": False}),
    (factories.ResidentFactory, {"pathway__stage": Stage.JOB_SEARCH}),
    (factories.PathwayFactory, {}),
    (factories.PathwayFactory, {"learning": True}),
    (factories.PathwayFactory, {"job_search": True}),
    (factories.PathwayFactory, {"placed": True}),
    (factories.PathwayFactory, {"completed": True}),
    (factories.PathwayFactory, {"exited": True}),
    (factories.StageChangeFactory, {}),
    (factories.ModuleFactory, {}),
    (factories.EnrolmentFactory, {}),
    (factories.EnrolmentFactory, {"completed": True}),
    (factories.EnrolmentFactory, {"dropped": True}),
    (factories.PlacementFactory, {}),
    (factories.PlacementFactory, {"confirmed": True}),
    (factories.PlacementFactory, {"declined": True}),
    (factories.PlacementFactory, {"ended": True}),
    (factories.PlacementFactory, {"confirmed": True, "check_ins": False}),
    (factories.CheckInFactory, {}),
    (factories.CheckInFactory, {"due": True}),
    (factories.CheckInFactory, {"missed": True}),
    (factories.CheckInFactory, {"cancelled": True}),
    (factories.CheckInFactory, {"completed": True}),
    (factories.NotificationFactory, {}),
    (factories.NotificationFactory, {"read": True}),
    (factories.AllocationFactory, {}),
    (factories.TransactionFactory, {}),
    (factories.TransactionFactory, {"kind": "commitment"}),
    (factories.CoFinancingFactory, {}),
]


def _case_id(case) -> str:
    factory, traits = case
    return factory.__name__ + "".join(f"-{name}={value}" for name, value in traits.items())


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_factory_builds_a_valid_row(case):
    factory, traits = case
    instance = factory(**traits)
    instance.refresh_from_db()
    instance.full_clean()  # field validators, choices and the model's check and unique constraints


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COACH, Role.EMPLOYER, Role.EDUCATOR])
def test_user_traits_give_the_role_an_organisation_that_fits_it(role):
    user = factories.UserFactory(**{role: True})
    assert user.role == role
    assert user.organisation is not None
    kinds = ROLE_ORGANISATION_KINDS[role]
    assert kinds is None or user.organisation.kind in kinds
    assert user.check_password(factories.PASSWORD)


def test_superuser_trait_acts_as_a_coordinator():
    assert factories.UserFactory(superuser=True).acting_role == Role.COORDINATOR


def test_organisation_traits_set_their_kind():
    assert factories.OrganisationFactory(employer=True).kind == Organisation.Kind.EMPLOYER
    assert factories.OrganisationFactory(school=True).kind == Organisation.Kind.EDUCATION
    assert factories.OrganisationFactory(inactive=True).is_active is False


def test_resident_factory_opens_a_current_pathway_with_its_opening_in_the_history():
    resident = factories.ResidentFactory()
    pathway = resident.current_pathway
    assert pathway is not None and pathway.resident == resident and pathway.stage == Stage.INTAKE
    assert list(pathway.history.values_list("sequence", "from_stage", "to_stage")) == [(1, "", Stage.INTAKE)]
    assert factories.ResidentFactory(pathway=False).current_pathway is None


@pytest.mark.parametrize("stage", list(Stage))
def test_pathway_stage_traits_keep_closed_at_and_exit_reason_consistent(stage):
    pathway = factories.PathwayFactory(**({} if stage == Stage.INTAKE else {stage.value: True}))
    assert pathway.stage == stage
    assert (pathway.closed_at is not None) == (stage in CLOSED_STAGES)
    assert bool(pathway.exit_reason) == (stage == Stage.EXITED)


def test_enrolment_traits():
    assert factories.EnrolmentFactory().status == Enrolment.Status.ENROLLED
    completed = factories.EnrolmentFactory(completed=True)
    assert completed.status == Enrolment.Status.COMPLETED and completed.completed_at is not None
    assert completed.attended_hours <= completed.module.hours
    dropped = factories.EnrolmentFactory(dropped=True)
    assert dropped.status == Enrolment.Status.DROPPED and dropped.dropped_at is not None


def test_placement_traits_plan_check_ins_as_confirmation_does():
    proposed = factories.PlacementFactory()
    assert proposed.status == Placement.Status.PROPOSED and not proposed.check_ins.exists()
    assert proposed.pathway.stage == Stage.JOB_SEARCH
    assert proposed.employer.kind == Organisation.Kind.EMPLOYER

    confirmed = factories.PlacementFactory(confirmed=True)
    assert confirmed.pathway.stage == Stage.PLACED and confirmed.confirmed_at is not None
    assert [(c.day, c.due_on) for c in confirmed.check_ins.order_by("day")] == [
        (day, confirmed.start_date + timedelta(days=day)) for day in DEFAULT_CHECK_IN_DAYS
    ]
    assert not factories.PlacementFactory(confirmed=True, check_ins=False).check_ins.exists()

    declined = factories.PlacementFactory(declined=True)
    assert declined.status == Placement.Status.DECLINED and declined.decline_reason
    assert not declined.check_ins.exists()

    ended = factories.PlacementFactory(ended=True)
    assert ended.status == Placement.Status.ENDED and ended.end_date and ended.end_reason
    assert ended.pathway.stage == Stage.JOB_SEARCH  # ending a placement sends the pathway back


@pytest.mark.parametrize(
    ("traits", "status"),
    [
        ({}, CheckIn.Status.SCHEDULED),
        ({"due": True}, CheckIn.Status.DUE),
        ({"missed": True}, CheckIn.Status.MISSED),
        ({"cancelled": True}, CheckIn.Status.CANCELLED),
        ({"completed": True}, CheckIn.Status.COMPLETED),
    ],
)
def test_check_in_traits(traits, status):
    check_in = factories.CheckInFactory(**traits)
    assert check_in.status == status
    assert check_in.placement.status == Placement.Status.CONFIRMED
    assert check_in.due_on == check_in.placement.start_date + timedelta(days=check_in.day)
    assert (check_in.completed_at is not None) == (status == CheckIn.Status.COMPLETED)
    assert bool(check_in.outcome) == (status == CheckIn.Status.COMPLETED)


def test_notification_read_trait():
    assert factories.NotificationFactory().read_at is None
    assert factories.NotificationFactory(read=True).read_at is not None


def test_a_transaction_keeps_its_allocations_running_sum_as_the_services_do():
    allocation = factories.AllocationFactory(amount="500.00")
    for amount in ("120.50", "-20.50"):
        factories.TransactionFactory(allocation=allocation, amount=amount)
    factories.TransactionFactory(allocation=allocation, amount="70.00", kind="disbursement")
    allocation.refresh_from_db()
    assert (allocation.spent, allocation.disbursed, allocation.committed) == (100, 70, 0)


def test_a_transaction_adds_to_its_allocations_running_sum_of_its_kind():
    allocation = factories.AllocationFactory()
    factories.TransactionFactory(allocation=allocation, amount="100.00")
    factories.TransactionFactory(allocation=allocation, kind="commitment", amount="40.00")
    allocation.refresh_from_db()
    assert (allocation.spent, allocation.committed, allocation.disbursed) == (100, 40, 0)
