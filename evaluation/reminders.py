"""The evaluation's notifications (contract §11), registered with notifications.sources by EvaluationConfig.ready:
an evaluation falls due, a period's results are overdue, a project's continuity is at risk (swept), and the members
of a project are told when it is stopped (written by the decision)."""

from datetime import date, datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from coalition.models import Project, User
from coalition.selectors import coordinator_list
from notifications.sources import Among, Due, Recipients, Reminder, Source, register

from .models import Evaluation, Indicator, IndicatorPeriod, Result
from .reviews import Status

PROJECT_STOPPED, EVALUATION_DUE = "project_stopped", "evaluation_due"
RESULT_DUE, CONTINUITY_RISK = "result_due", "continuity_risk"
RESULT_DUE_AFTER_DAYS = 14  # after a period's end, without a submitted or approved result
FUNDING_HORIZON_DAYS, DEMOLITION_HORIZON_DAYS = 180, 365


def _active_users():
    return User.objects.filter(is_active=True)


def _today(now: datetime) -> date:
    # The coalition's date (Europe/Amsterdam, settings.TIME_ZONE), whatever zone is active in this thread.
    return timezone.localdate(now, timezone.get_default_timezone())


def _about_project(project: str = "") -> dict:
    """The placeholders of the texts about a project (`project`: the lookup to it, "" for the project)."""
    path = f"{project}__" if project else ""
    return {"project_name": F(f"{path}name"), "lead_organisation_": F(f"{path}lead_organisation")}


def _active_projects(today: date, project: str = ""):
    """A condition: the project (`project`: the lookup to it) is active on `today` — not stopped, not ended."""
    path = f"{project}__" if project else ""
    return Q(**{f"{path}stopped_at__isnull": True}) & (
        Q(**{f"{path}ends_on__isnull": True}) | Q(**{f"{path}ends_on__gte": today})
    )


def _ids(queryset) -> list[int]:
    # Not locked: these reminders change no state, and their notifications are unique per recipient and object.
    return list(queryset.order_by().values_list("pk", flat=True))


# --- Evaluations falling due ----------------------------------------------------------------------------------


def _evaluations_due(now: datetime, among: Among):
    today = _today(now)
    later = Evaluation.objects.filter(project=OuterRef("project"), decided_at__gt=OuterRef("decided_at"))
    return among.filter(
        Evaluation.objects.filter(_active_projects(today, "project"), next_evaluation_due__lte=today).exclude(
            Exists(later)
        )
    )


DUE_EVALUATIONS = Source(
    name="due_evaluations",
    object_type="evaluation",
    objects=lambda: Evaluation.objects.annotate(
        **_about_project("project"), round_=F("round"), due=Cast("next_evaluation_due", TextField())
    ),
    resident=None,
    reminders=(
        Reminder(
            kind=EVALUATION_DUE,
            label="Evaluation due",
            subject="Evaluation due: {project_name}",
            body="{project_name} was last evaluated in round {round_}; its next evaluation was due on {due}. "
            "Evaluate it in Werkpad.",
            recipients=Recipients(coordinator_list),
        ),
    ),
    due=lambda *, now, among: Due({EVALUATION_DUE: _evaluations_due(now, among)}),
    candidates=lambda *, now, among: _ids(_evaluations_due(now, among)),
)


# --- Results overdue ------------------------------------------------------------------------------------------


def _periods_due(now: datetime, among: Among):
    ended_before = _today(now) - timedelta(days=RESULT_DUE_AFTER_DAYS)
    reported = Result.objects.filter(period=OuterRef("pk"), status__in=[Status.SUBMITTED, Status.APPROVED])
    return among.filter(
        IndicatorPeriod.objects.filter(indicator__source=Indicator.Source.MANUAL, period_end__lte=ended_before).exclude(
            Exists(reported)
        )
    )


DUE_RESULTS = Source(
    name="due_results",
    object_type="indicator_period",
    objects=lambda: IndicatorPeriod.objects.annotate(
        **_about_project("project"),
        indicator_name=F("indicator__name"),
        start=Cast("period_start", TextField()),
        end=Cast("period_end", TextField()),
    ),
    resident=None,
    reminders=(
        Reminder(
            kind=RESULT_DUE,
            label="Results due",
            subject="Results due: {indicator_name} of {project_name}",
            body="The period {start} to {end} of {project_name} on {indicator_name} ended without a submitted "
            "result. Report and submit its results in Werkpad.",
            recipients=Recipients(_active_users, match=("organisation_id", "lead_organisation_")),
        ),
    ),
    due=lambda *, now, among: Due({RESULT_DUE: _periods_due(now, among)}),
    candidates=lambda *, now, among: _ids(_periods_due(now, among)),
)


# --- Continuity at risk ---------------------------------------------------------------------------------------


def _projects_at_risk(now: datetime, among: Among):
    today = _today(now)
    unsecured = Q(continuity_plan="") | Q(successor_funder__isnull=True)
    funding_ends = Q(funded_until__lte=today + timedelta(days=FUNDING_HORIZON_DAYS)) & unsecured
    demolished = Q(location_demolition_on__lte=today + timedelta(days=DEMOLITION_HORIZON_DAYS))
    return among.filter(Project.objects.filter(_active_projects(today), funding_ends | demolished))


def _or_none(field: str):
    return Coalesce(Cast(field, TextField()), Value("none"), output_field=TextField())


PROJECTS_AT_RISK = Source(
    name="projects_at_risk",
    object_type="project",
    objects=lambda: Project.objects.annotate(
        **_about_project(),
        funded=_or_none("funded_until"),
        demolition=_or_none("location_demolition_on"),
    ),
    resident=None,
    reminders=(
        Reminder(
            kind=CONTINUITY_RISK,
            label="Continuity at risk",
            subject="Continuity at risk: {project_name}",
            body="{project_name} is funded until {funded}; its location is to be demolished on {demolition}. "
            "Agree on a plan and a successor funder in time.",
            recipients=Recipients(coordinator_list),
        ),
    ),
    due=lambda *, now, among: Due({CONTINUITY_RISK: _projects_at_risk(now, among)}),
    candidates=lambda *, now, among: _ids(_projects_at_risk(now, among)),
)


# --- Projects stopped -----------------------------------------------------------------------------------------

STOPPED_PROJECTS = Source(
    name="stopped_projects",
    object_type="project",
    objects=lambda: Project.objects.annotate(**_about_project()),
    resident=None,
    reminders=(
        Reminder(
            kind=PROJECT_STOPPED,
            label="Project stopped",
            subject="Project stopped: {project_name}",
            body="The coalition has evaluated '{project_name}' and decided to stop it. "
            "Its modules take no new enrolments.",
            # Not swept: the decision names the recipients, every member of the project (notifications_create).
            recipients=Recipients(_active_users, match=("organisation_id", "lead_organisation_")),
        ),
    ),
)


def reminders_register() -> None:
    for source in (DUE_EVALUATIONS, DUE_RESULTS, PROJECTS_AT_RISK, STOPPED_PROJECTS):
        register(source)
