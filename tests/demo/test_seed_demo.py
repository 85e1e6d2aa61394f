"""`manage.py seed_demo`: every state of every pathway is there, the data keeps the rules the services keep, the
logins work, a second run adds nothing and a larger --residents tops up."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from coalition.models import (
    DEFAULT_CHECK_IN_DAYS,
    Neighbourhood,
    Organisation,
    Programme,
    Project,
    ProjectDomain,
    RiskKind,
    Role,
    User,
)
from coalition.selectors import project_members
from demo.evaluation import MEALS, VISITORS
from demo.residents import DEMO_PASSWORD, USERS
from evaluation.models import SUGGESTED, Decision, Evaluation, Indicator, IndicatorPeriod, Quadrant, Result
from evaluation.reminders import CONTINUITY_RISK, EVALUATION_DUE, PROJECT_STOPPED, RESULT_DUE
from evaluation.reviews import Status
from evaluation.selectors import with_actual
from funding.models import Allocation, CoFinancing, Transaction
from notifications.models import Notification, OutboxEmail
from notifications.sources import sources
from pathways.journey import stages
from pathways.journey.stages import Cause, Stage
from pathways.models import CheckIn, Enrolment, Module, Pathway, Placement, Resident, StageChange
from pathways.placements import services
from pathways.placements.reminders import CHECK_IN_DUE, CHECK_IN_MISSED

pytestmark = pytest.mark.django_db

MODELS = [
    Neighbourhood,
    Organisation,
    Programme,
    User,
    Module,
    Resident,
    Pathway,
    StageChange,
    Enrolment,
    Placement,
    CheckIn,
    Notification,
    OutboxEmail,
    Project,
    ProjectDomain,
    Indicator,
    IndicatorPeriod,
    Result,
    Evaluation,
    Allocation,
    Transaction,
    CoFinancing,
]


def seed(residents: int) -> str:
    out = StringIO()
    call_command("seed_demo", residents=residents, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_every_state_is_there_and_the_logins_work():
    output = seed(40)

    assert Resident.objects.count() == 40
    assert set(Pathway.objects.values_list("stage", flat=True)) == set(Stage)
    assert set(Enrolment.objects.values_list("status", flat=True)) == set(Enrolment.Status)
    assert set(Placement.objects.values_list("status", flat=True)) == set(Placement.Status)
    assert set(CheckIn.objects.values_list("status", flat=True)) == set(CheckIn.Status)
    assert set(CheckIn.objects.values_list("outcome", flat=True)) == {"", *CheckIn.Outcome}
    # Every registered reminder: those about residents and the projects' own.
    every_kind = {reminder.kind for source in sources() for reminder in source.reminders}
    assert set(Notification.objects.values_list("kind", flat=True)) == every_kind
    assert set(Module.objects.values_list("theme", flat=True)) == set(Module.Theme)
    assert Programme.objects.count() == 3
    assert set(Neighbourhood.objects.values_list("name", flat=True)) == {
        "Moerwijk", "Morgenstond", "Bouwlust", "Vrederust", "Overvecht", "Batau", "Vollenhove",
    }  # fmt: skip
    assert set(Organisation.objects.values_list("kind", flat=True)) >= {
        Organisation.Kind.MUNICIPALITY,
        Organisation.Kind.HOUSING_CORPORATION,
        Organisation.Kind.EMPLOYER,
        Organisation.Kind.EDUCATION,
        Organisation.Kind.NEIGHBOURHOOD_ORGANISATION,
    }

    roles = set()
    for username, role, *_ in USERS:
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None and user.role == role, username
        assert f"{username} " in output
        roles.add(role)
    assert roles == set(Role)
    assert DEMO_PASSWORD in output
    # Coordinators reach the back office.
    coordinator = User.objects.get(username="coordinator.denhaag")
    assert coordinator.is_staff and coordinator.has_perm("pathways.view_resident")
    # Each demo login sees something of its own.
    assert Resident.objects.filter(coach__username="coach.allekanten").exists()
    assert Placement.objects.filter(employer__members__role=Role.EMPLOYER).exists()
    assert Enrolment.objects.filter(module__provider__name="ROC Mondriaan").exists()


def test_the_data_keeps_the_rules_of_the_services():
    seed(60)
    assert_the_rules_hold()


def test_the_projects_tell_the_story_of_their_evaluation():
    seed(40)
    now = timezone.now()
    coordinators = set(User.objects.filter(role=Role.COORDINATOR).values_list("pk", flat=True))
    notified = defaultdict(set)  # (kind, object id) → recipients
    for kind, object_id, recipient in Notification.objects.values_list("kind", "object_id", "recipient"):
        notified[kind, object_id].add(recipient)

    # Two rounds, each with every quadrant; decisions against the suggestion are explained.
    evaluations = list(Evaluation.objects.select_related("project"))
    rounds = {evaluation.round for evaluation in evaluations}
    assert len(rounds) == 2
    for name in rounds:
        assert {e.quadrant for e in evaluations if e.round == name} == set(Quadrant), name
    for evaluation in evaluations:
        assert evaluation.decided_at <= now
        assert evaluation.decision == evaluation.suggested_decision or evaluation.rationale
    assert {e.decision for e in evaluations} == set(Decision)
    assert any(e.decision != SUGGESTED[e.quadrant] for e in evaluations)

    # Pearls, Allekanten among them; a stopped project, whose members were told; an evaluation overdue.
    projects = {project.name: project for project in Project.objects.prefetch_related("domains")}
    assert projects["Allekanten: buurthuis en lokaal werkbedrijf"].is_pearl
    assert projects["De Participatiekeuken"].is_pearl
    assert not all(project.is_pearl for project in projects.values())
    stopped = [project for project in projects.values() if project.status == "stopped"]
    assert len(stopped) == 1
    assert stopped[0].evaluations.latest("decided_at").decision == Decision.STOP
    members = set(project_members(project=stopped[0]).values_list("pk", flat=True))
    assert members and notified[PROJECT_STOPPED, stopped[0].pk] == members
    assert not stopped[0].modules.exists()  # its modules would take no new enrolments
    assert any(kind == EVALUATION_DUE for kind, _ in notified)

    # Allekanten at risk: incidental funding, its building to be demolished within a year, nothing agreed for after.
    allekanten = projects["Allekanten: buurthuis en lokaal werkbedrijf"]
    assert {risk["kind"] for risk in allekanten.risks} >= {RiskKind.INCIDENTAL_FUNDING, RiskKind.LOCATION}
    assert allekanten.location_demolition_on <= timezone.localdate(now) + timedelta(days=365)
    assert allekanten.continuity_plan == "" and allekanten.successor_funder is None
    assert notified[CONTINUITY_RISK, allekanten.pk] == coordinators
    assert {module.title for module in allekanten.modules.all()} >= {"Werken in de wijk: schoon en veilig"}

    # Results in every state of the review, within their periods; a returned one says why.
    results = list(Result.objects.select_related("period__indicator", "period__project"))
    assert {result.status for result in results} == set(Status)
    for result in results:
        assert result.period.contains(result.measured_on)
        assert (result.status == Status.RETURNED) <= bool(result.review_note)
        if result.status == Status.APPROVED:
            assert result.submitted_at <= result.reviewed_at <= now
    visitors = [r.value for r in results if r.period.indicator.name == VISITORS and r.status == Status.APPROVED]
    assert len(visitors) > 52 and all(800 <= value <= 1000 for value in visitors)
    assert any(kind == RESULT_DUE for kind, _ in notified)

    # The figures of the article, and computed indicators that count the demo's residents.
    actual = {
        (period.project.name, period.indicator.name, period.period_end): period.actual
        for period in with_actual(IndicatorPeriod.objects.select_related("project", "indicator"))
    }
    meals = [value for (_, name, _), value in sorted(actual.items()) if name == MEALS]
    assert 110_000 <= meals[0] <= 130_000  # the year before the last: every month approved
    computed = [
        value
        for (_, name, _), value in actual.items()
        if Indicator.objects.get(name=name).source != Indicator.Source.MANUAL
    ]
    assert computed and any(value for value in computed)


def test_the_money_adds_up():
    seed(40)
    today = timezone.localdate()

    programmes = {programme.name: programme for programme in Programme.objects.all()}
    regio_deal = programmes["Regio Deal Den Haag Zuidwest"]
    assert (regio_deal.kind, regio_deal.budget, regio_deal.co_financing_ratio) == (
        "regio_deal",
        7_500_000,
        Decimal("1.67"),
    )
    assert {programme.kind for programme in programmes.values()} == {"regio_deal", "nplv"}
    assert all(programme.funder is not None for programme in programmes.values())
    # Each resident under at most one programme, and every programme with residents of its own.
    assert set(Resident.objects.values_list("programme", flat=True)) >= {p.pk for p in programmes.values()}

    allocations = list(Allocation.objects.select_related("programme", "project"))
    assert {a.project for a in allocations} == set(Project.objects.all())
    for programme in programmes.values():
        allocated = sum(a.amount for a in allocations if a.programme == programme)
        assert 0 < allocated <= programme.budget, programme
    sums = defaultdict(Decimal)
    for transaction_ in Transaction.objects.select_related("allocation"):
        assert transaction_.date <= today and transaction_.date.year == transaction_.allocation.year
        sums[transaction_.allocation_id, transaction_.kind] += transaction_.amount
    for allocation in allocations:
        assert allocation.programme.starts_on.year <= allocation.year <= allocation.programme.ends_on.year
        for kind, running in (("commitment", "committed"), ("disbursement", "disbursed"), ("expenditure", "spent")):
            assert getattr(allocation, running) == sums[allocation.pk, kind]
            assert 0 <= sums[allocation.pk, kind] <= allocation.amount
        if allocation.project.stopped_at:
            last = timezone.localdate(allocation.project.stopped_at)
            assert not allocation.transactions.filter(date__gt=last).exists()
    assert Transaction.objects.filter(amount__lt=0).exists()  # corrections
    assert Transaction.objects.filter(date__year=today.year - 1, kind="expenditure").exists()

    brought = set(CoFinancing.objects.values_list("organisation__kind", "sector"))
    assert {("housing_corporation", "private"), ("municipality", "public")} <= brought
    # Enough co-financing for the Regio Deals' ratios, counted towards each programme in proportion (contract §12).
    for allocation in allocations:
        year = [a for a in allocations if a.project == allocation.project and a.year == allocation.year]
        co_financing = sum(
            CoFinancing.objects.filter(project=allocation.project, year=allocation.year).values_list(
                "amount", flat=True
            )
        )
        share = co_financing * allocation.amount / sum(a.amount for a in year)
        assert share >= allocation.programme.co_financing_ratio * allocation.spent


def test_running_again_adds_nothing_and_more_residents_top_up():
    seed(30)
    before = counts()
    seed(30)
    assert counts() == before
    seed(10)  # fewer than there are: nothing goes
    assert counts() == before

    seed(45)
    after = counts()
    assert after["Resident"] == 45
    coalition = ["Neighbourhood", "Organisation", "Programme", "User", "Module", "Project", "Evaluation", "Allocation"]
    assert {name: after[name] for name in coalition} == {name: before[name] for name in coalition}
    assert after["Pathway"] > before["Pathway"]
    assert_the_rules_hold()


def test_the_same_seed_builds_the_same_residents():
    def residents() -> list[tuple]:
        return list(
            Resident.objects.order_by("id").values_list(
                "first_name", "last_name", "neighbourhood__name", "coach__username", "current_pathway__stage"
            )
        )

    with transaction.atomic():
        seed(25)
        first = residents()
        transaction.set_rollback(True)
    seed(20)
    seed(25)  # topped up: the same as built at once
    assert residents() == first


def assert_the_rules_hold():
    now, today = timezone.now(), timezone.localdate()
    grace = settings.REMINDER_MISSED_AFTER_DAYS
    coordinators = set(User.objects.filter(role=Role.COORDINATOR).values_list("pk", flat=True))
    earliest_start = today - relativedelta(years=services.START_DATE_YEARS_BEFORE)
    latest_start = today + relativedelta(years=services.START_DATE_YEARS_AFTER)

    pathways_of = defaultdict(list)
    for pathway in Pathway.objects.order_by("started_at"):
        pathways_of[pathway.resident_id].append(pathway)
    for resident in Resident.objects.all():
        pathways = pathways_of[resident.pk]
        open_ones = [p for p in pathways if p.closed_at is None]
        assert len(open_ones) <= 1
        assert resident.current_pathway_id == (open_ones or pathways)[-1].pk
        assert resident.created_at == pathways[0].started_at
        assert resident.consent_given_at <= resident.created_at <= now

    history = defaultdict(list)
    for change in StageChange.objects.order_by("pathway", "sequence"):
        history[change.pathway_id].append(change)
    for pathway in Pathway.objects.all():
        assert (pathway.closed_at is not None) == (pathway.stage in stages.CLOSED_STAGES)
        rows = history[pathway.pk]
        assert [row.sequence for row in rows] == list(range(1, len(rows) + 1))
        assert (rows[0].from_stage, rows[0].to_stage, rows[0].at) == ("", Stage.INTAKE, pathway.started_at)
        for before, after in pairwise(rows):
            assert after.from_stage == before.to_stage
            assert any(stages.is_allowed(after.from_stage, after.to_stage, cause) for cause in Cause)
            assert before.at <= after.at <= now
        assert rows[-1].to_stage == pathway.stage
        if pathway.closed_at:
            assert pathway.closed_at == rows[-1].at
        assert bool(pathway.exit_reason) == (pathway.stage == Stage.EXITED)

    seats = defaultdict(int)
    for enrolment in Enrolment.objects.select_related("pathway", "module"):
        assert enrolment.pathway.started_at <= enrolment.enrolled_at <= now
        assert (enrolment.completed_at is not None) == (enrolment.status == Enrolment.Status.COMPLETED)
        assert (enrolment.dropped_at is not None) == (enrolment.status == Enrolment.Status.DROPPED)
        assert enrolment.attended_hours <= enrolment.module.hours
        seats[enrolment.module] += enrolment.status in Enrolment.SEATED
    assert all(taken <= module.capacity for module, taken in seats.items())
    assert not Enrolment.objects.filter(pathway__stage=Stage.INTAKE).exists()  # enrolling ends the intake

    for pathway in Pathway.objects.prefetch_related("placements"):
        confirmed = [p for p in pathway.placements.all() if p.status == Placement.Status.CONFIRMED]
        assert len(confirmed) == (1 if pathway.stage == Stage.PLACED else len(confirmed))
        assert len(confirmed) <= 1
        if confirmed:
            assert pathway.stage in (Stage.PLACED, Stage.COMPLETED)

    programme_days = {p.pk: p.check_in_days for p in Programme.objects.all()}
    check_ins = defaultdict(list)
    for check_in in CheckIn.objects.all():
        check_ins[check_in.placement_id].append(check_in)
    for placement in Placement.objects.select_related("pathway__resident", "employer"):
        assert placement.employer.kind == Organisation.Kind.EMPLOYER
        assert earliest_start <= placement.start_date <= latest_start
        assert placement.proposed_at <= now
        planned = check_ins[placement.pk]
        status = placement.status
        assert (placement.confirmed_at is not None) == (status in (Placement.Status.CONFIRMED, Placement.Status.ENDED))
        assert (placement.declined_at is not None) == (status == Placement.Status.DECLINED)
        assert (placement.end_date is not None) == bool(placement.end_reason) == (status == Placement.Status.ENDED)
        if status == Placement.Status.PROPOSED:
            assert placement.pathway.stage == Stage.JOB_SEARCH
        if status in (Placement.Status.PROPOSED, Placement.Status.DECLINED):
            assert planned == []
            continue
        assert placement.proposed_at <= placement.confirmed_at <= now
        programme = placement.pathway.resident.programme_id
        assert sorted(c.day for c in planned) == sorted(programme_days.get(programme, DEFAULT_CHECK_IN_DAYS))
        for check_in in planned:
            assert check_in.due_on == placement.start_date + timedelta(days=check_in.day)
            late = (today - check_in.due_on).days
            expected_lateness = {
                CheckIn.Status.SCHEDULED: late < 0,
                CheckIn.Status.DUE: 0 <= late <= grace,
                CheckIn.Status.MISSED: late > grace,
                CheckIn.Status.CANCELLED: status == Placement.Status.ENDED and check_in.due_on > placement.end_date,
                CheckIn.Status.COMPLETED: check_in.completed_at is not None and check_in.completed_at <= now,
            }
            assert expected_lateness[check_in.status], (check_in.status, check_in.due_on, today)
            assert bool(check_in.outcome) == (check_in.status == CheckIn.Status.COMPLETED)
            if check_in.status == CheckIn.Status.COMPLETED:  # held from a week before its day on
                assert timezone.localdate(check_in.completed_at) >= check_in.due_on - services.CHECK_IN_OPENS_BEFORE
            if check_in.outcome == CheckIn.Outcome.LEFT_JOB:
                assert status == Placement.Status.ENDED
                assert placement.end_date == timezone.localdate(check_in.completed_at)
        if placement.pathway.stage == Stage.COMPLETED and status == Placement.Status.CONFIRMED:
            # placed → completed: every check-in held or cancelled, unless a coordinator closed the pathway.
            closer = StageChange.objects.filter(pathway=placement.pathway).order_by("sequence").last().by_id
            done = all(c.status in (CheckIn.Status.COMPLETED, CheckIn.Status.CANCELLED) for c in planned)
            assert done or closer in coordinators

    for check_in in CheckIn.objects.filter(status__in=[CheckIn.Status.DUE, CheckIn.Status.MISSED]).select_related(
        "placement__pathway__resident"
    ):
        reminded = Notification.objects.filter(object_type="check_in", object_id=check_in.pk)
        coach = check_in.placement.pathway.resident.coach_id
        assert set(reminded.filter(kind=CHECK_IN_DUE).values_list("recipient", flat=True)) == {coach}
        told = set(reminded.filter(kind=CHECK_IN_MISSED).values_list("recipient", flat=True))
        assert told == (coordinators if check_in.status == CheckIn.Status.MISSED else set())
    assert OutboxEmail.objects.count() == Notification.objects.count()  # every reminder is also an e-mail
