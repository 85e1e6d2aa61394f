"""One factory per model; traits name the states (`PlacementFactory(confirmed=True)`).

Factories build rows directly, for arranging a test's world. The behaviour under test goes through services.
"""

from datetime import date, timedelta

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from coalition.models import (
    DEFAULT_CHECK_IN_DAYS,
    Domain,
    Neighbourhood,
    Organisation,
    Programme,
    Project,
    ProjectDomain,
    Role,
    User,
)
from evaluation.models import Decision, Evaluation, Indicator, IndicatorPeriod, Result
from evaluation.reviews import Status
from funding.models import Allocation, CoFinancing, Transaction
from funding.services import RUNNING_SUM
from notifications.models import Notification
from pathways.journey.stages import Stage
from pathways.models import AccessLogEntry, CheckIn, Enrolment, Module, Pathway, Placement, Resident, StageChange
from pathways.placements.reminders import CHECK_IN_DUE

PASSWORD = "correct-horse-battery-staple"


class NeighbourhoodFactory(DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("name", "city")

    name = factory.Sequence(lambda n: f"Wijk {n}")
    city = "Den Haag"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.OTHER
    is_active = True

    class Params:
        employer = factory.Trait(kind=Organisation.Kind.EMPLOYER, name=factory.Sequence(lambda n: f"Employer {n} BV"))
        school = factory.Trait(kind=Organisation.Kind.EDUCATION, name=factory.Sequence(lambda n: f"ROC {n}"))
        inactive = factory.Trait(is_active=False)


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Regio Deal {n}")
    budget = "2500000.00"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3 * 365))
    check_in_days = factory.LazyFunction(lambda: list(DEFAULT_CHECK_IN_DAYS))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@werkpad.example")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    role = Role.COACH
    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.NEIGHBOURHOOD_ORGANISATION)
    password = factory.django.Password(PASSWORD)

    class Params:
        coordinator = factory.Trait(
            role=Role.COORDINATOR, organisation=factory.SubFactory(OrganisationFactory, kind="municipality")
        )
        coach = factory.Trait(role=Role.COACH)
        employer = factory.Trait(
            role=Role.EMPLOYER, organisation=factory.SubFactory(OrganisationFactory, employer=True)
        )
        educator = factory.Trait(role=Role.EDUCATOR, organisation=factory.SubFactory(OrganisationFactory, school=True))
        superuser = factory.Trait(is_superuser=True, is_staff=True, role=Role.COACH, organisation=None)
        partner = factory.Trait(role=Role.PARTNER)


class ProjectFactory(DjangoModelFactory):
    """An active project of a neighbourhood organisation, working 60/40 in work and social cohesion."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Project {n}")
    lead_organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.NEIGHBOURHOOD_ORGANISATION)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=200))

    class Params:
        stopped = factory.Trait(stopped_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def domains(project, create, extracted, **kwargs):
        if create:
            shares = extracted or {Domain.WORK_ECONOMY: 60, Domain.SOCIAL_COHESION: 40}
            ProjectDomain.objects.bulk_create(
                ProjectDomain(project=project, domain=domain, share=share) for domain, share in shares.items()
            )

    @factory.post_generation
    def partners(project, create, extracted, **kwargs):
        if create and extracted:
            project.partners.set(extracted)


class ResidentFactory(DjangoModelFactory):
    """A resident with an open pathway at intake (`stage=` puts it elsewhere; `pathway=None` leaves none)."""

    class Meta:
        model = Resident
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"bewoner{n}@example.nl")  # names can hold letters an address cannot
    phone = "+31 6 12345678"
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=64)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    coach = factory.SubFactory(UserFactory, coach=True)
    programme = None
    consent_given_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))

    @factory.post_generation
    def pathway(resident, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        pathway = extracted or PathwayFactory(resident=resident, **kwargs)
        resident.current_pathway = pathway
        resident.save(update_fields=["current_pathway"])


class PathwayFactory(DjangoModelFactory):
    class Meta:
        model = Pathway
        skip_postgeneration_save = True

    resident = factory.SubFactory(ResidentFactory, pathway=False)
    stage = Stage.INTAKE
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=20))
    closed_at = factory.LazyAttribute(lambda p: timezone.now() if p.stage in (Stage.COMPLETED, Stage.EXITED) else None)
    exit_reason = factory.LazyAttribute(lambda p: "Moved away" if p.stage == Stage.EXITED else "")

    class Params:
        learning = factory.Trait(stage=Stage.LEARNING)
        job_search = factory.Trait(stage=Stage.JOB_SEARCH)
        placed = factory.Trait(stage=Stage.PLACED)
        completed = factory.Trait(stage=Stage.COMPLETED)
        exited = factory.Trait(stage=Stage.EXITED)

    @factory.post_generation
    def opened(pathway, create, extracted, **kwargs):
        """The opening row of the history, as the service writes it."""
        if create:
            StageChange.objects.create(
                pathway=pathway, sequence=1, from_stage="", to_stage=Stage.INTAKE, at=pathway.started_at
            )


class StageChangeFactory(DjangoModelFactory):
    class Meta:
        model = StageChange

    pathway = factory.SubFactory(PathwayFactory)
    sequence = factory.Sequence(lambda n: n + 2)
    from_stage = Stage.INTAKE
    to_stage = Stage.LEARNING
    at = factory.LazyFunction(timezone.now)
    note = ""


class ModuleFactory(DjangoModelFactory):
    class Meta:
        model = Module

    title = factory.Sequence(lambda n: f"Warmtepompmonteur {n}")
    theme = Module.Theme.ENERGY_TRANSITION
    provider = factory.SubFactory(OrganisationFactory, school=True)
    hours = 80
    capacity = 12
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=80))


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    pathway = factory.SubFactory(PathwayFactory, learning=True)
    module = factory.SubFactory(ModuleFactory)
    status = Enrolment.Status.ENROLLED
    enrolled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    attended_hours = 0

    class Params:
        completed = factory.Trait(
            status=Enrolment.Status.COMPLETED, completed_at=factory.LazyFunction(timezone.now), attended_hours=80
        )
        dropped = factory.Trait(status=Enrolment.Status.DROPPED, dropped_at=factory.LazyFunction(timezone.now))


class PlacementFactory(DjangoModelFactory):
    """A proposed placement; `confirmed=True` also plans its check-ins as the service does."""

    class Meta:
        model = Placement
        skip_postgeneration_save = True

    pathway = factory.SubFactory(PathwayFactory, job_search=True)
    employer = factory.SubFactory(OrganisationFactory, employer=True)
    job_title = "Monteur zonnepanelen"
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    hours_per_week = 32
    contract_type = Placement.ContractType.FIXED_TERM
    status = Placement.Status.PROPOSED
    proposed_at = factory.LazyFunction(timezone.now)

    class Params:
        confirmed = factory.Trait(
            status=Placement.Status.CONFIRMED,
            confirmed_at=factory.LazyFunction(timezone.now),
            pathway=factory.SubFactory(PathwayFactory, placed=True),
        )
        declined = factory.Trait(
            status=Placement.Status.DECLINED, declined_at=factory.LazyFunction(timezone.now), decline_reason="Full"
        )
        ended = factory.Trait(
            status=Placement.Status.ENDED,
            confirmed_at=factory.LazyFunction(timezone.now),
            end_date=factory.LazyFunction(timezone.localdate),
            end_reason=Placement.EndReason.CONTRACT_ENDED,
        )

    @factory.post_generation
    def check_ins(placement, create, extracted, **kwargs):
        planned = placement.status in (Placement.Status.CONFIRMED, Placement.Status.ENDED)
        if create and planned and extracted is not False:
            CheckIn.objects.bulk_create(
                CheckIn(placement=placement, day=day, due_on=placement.start_date + timedelta(days=day))
                for day in DEFAULT_CHECK_IN_DAYS
            )


class CheckInFactory(DjangoModelFactory):
    class Meta:
        model = CheckIn

    placement = factory.SubFactory(PlacementFactory, confirmed=True, check_ins=False)
    day = 30
    due_on = factory.LazyAttribute(lambda c: c.placement.start_date + timedelta(days=c.day))
    status = CheckIn.Status.SCHEDULED

    class Params:
        due = factory.Trait(status=CheckIn.Status.DUE)
        missed = factory.Trait(status=CheckIn.Status.MISSED)
        cancelled = factory.Trait(status=CheckIn.Status.CANCELLED)
        completed = factory.Trait(
            status=CheckIn.Status.COMPLETED,
            completed_at=factory.LazyFunction(timezone.now),
            outcome=CheckIn.Outcome.EMPLOYED,
            notes="Goes well.",
        )


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory, coach=True)
    kind = CHECK_IN_DUE
    subject = "Check-in due"
    body = "A check-in is due."
    object_type = "check_in"
    object_id = factory.Sequence(lambda n: n + 1)

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))


class AccessLogEntryFactory(DjangoModelFactory):
    """An entry as the API writes one: a coach looked at one of their residents."""

    class Meta:
        model = AccessLogEntry

    at = factory.LazyFunction(timezone.now)
    resident = factory.SubFactory(ResidentFactory)
    user = factory.SelfAttribute("resident.coach")
    role = factory.LazyAttribute(lambda entry: entry.user.acting_role)
    method = "GET"
    path = factory.LazyAttribute(lambda entry: f"/api/v1/residents/{entry.resident.pk}")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    name = factory.Sequence(lambda n: f"Visitors a week {n}")
    unit = "visitors"
    direction = Indicator.Direction.INCREASE
    aggregation = Indicator.Aggregation.SUM
    source = Indicator.Source.MANUAL


class IndicatorPeriodFactory(DjangoModelFactory):
    """This year's period of a project, in which today lies."""

    class Meta:
        model = IndicatorPeriod

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    period_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    period_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=100))
    baseline = "800.00"
    target = "1000.00"


class ResultFactory(DjangoModelFactory):
    class Meta:
        model = Result

    period = factory.SubFactory(IndicatorPeriodFactory)
    value = "900.00"
    measured_on = factory.LazyFunction(timezone.localdate)
    status = Status.DRAFT
    created_by = factory.SubFactory(UserFactory, partner=True)

    class Params:
        submitted = factory.Trait(status=Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now))
        approved = factory.Trait(status=Status.APPROVED, reviewed_at=factory.LazyFunction(timezone.now))
        returned = factory.Trait(status=Status.RETURNED, review_note="Count the week, not the day.")


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    project = factory.SubFactory(ProjectFactory)
    round = factory.Sequence(lambda n: str(2000 + n))
    impact = "4.0"
    effort = "2.0"
    decision = Decision.CONTINUE
    decided_by = factory.SubFactory(UserFactory, coordinator=True)
    decided_at = factory.LazyFunction(timezone.now)


class AllocationFactory(DjangoModelFactory):
    """This year's allocation of a programme to a project, nothing spent yet."""

    class Meta:
        model = Allocation

    programme = factory.SubFactory(ProgrammeFactory)
    project = factory.SubFactory(ProjectFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = "100000.00"


class TransactionFactory(DjangoModelFactory):
    """An expenditure of today against a fresh allocation, added to the allocation's running sum as the service
    adds it."""

    class Meta:
        model = Transaction

    allocation = factory.SubFactory(AllocationFactory)
    kind = Transaction.Kind.EXPENDITURE
    date = factory.LazyAttribute(lambda t: min(timezone.localdate(), date(t.allocation.year, 12, 31)))
    amount = "1250.00"
    description = factory.Sequence(lambda n: f"Invoice {n}")
    created_by = factory.SubFactory(UserFactory, coordinator=True)
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        booked = super()._create(model_class, *args, **kwargs)
        field = RUNNING_SUM[booked.kind]
        Allocation.objects.filter(pk=booked.allocation_id).update(**{field: F(field) + booked.amount})
        return booked


class CoFinancingFactory(DjangoModelFactory):
    class Meta:
        model = CoFinancing

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.HOUSING_CORPORATION)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = "25000.00"
    form = CoFinancing.Form.IN_KIND
    sector = CoFinancing.Sector.PRIVATE
