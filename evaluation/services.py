"""Every write of the evaluation: the indicator catalogue, periods, results and their review, evaluations.
Each is one transaction; what depends on a project's other rows (overlapping periods, one evaluation per round)
is decided under the project's row lock, so concurrent writes queue behind each other."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.problems import Conflict, InvalidTransition
from api.services import model_update
from coalition.models import PEARL_MIN_IMPACT, Neighbourhood, Project, User
from coalition.selectors import project_members
from notifications.services import notifications_create

from . import reviews
from .models import (
    NEXT_EVALUATION_DAYS,
    SUGGESTED,
    Decision,
    Evaluation,
    Indicator,
    IndicatorPeriod,
    Result,
    quadrant_of,
)
from .reminders import PROJECT_STOPPED
from .reviews import Status


def _locked_project(project_id: int) -> Project:
    return Project.objects.select_for_update(of=("self",)).get(pk=project_id)


# --- Indicators -----------------------------------------------------------------------------------------------


def indicator_create(
    *,
    name: str,
    unit: str,
    direction: str,
    description: str = "",
    aggregation: str = Indicator.Aggregation.SUM,
    source: str = Indicator.Source.MANUAL,
) -> Indicator:
    _check_aggregation(source=source, aggregation=aggregation)
    return Indicator.objects.create(
        name=name, unit=unit, direction=direction, description=description, aggregation=aggregation, source=source
    )


@transaction.atomic
def indicator_update(*, indicator: Indicator, data: dict) -> Indicator:
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _check_aggregation(
        source=data.get("source", indicator.source), aggregation=data.get("aggregation", indicator.aggregation)
    )
    return model_update(instance=indicator, data=data)


def _check_aggregation(*, source: str, aggregation: str) -> None:
    if source != Indicator.Source.MANUAL and aggregation != Indicator.Aggregation.SUM:
        raise ValidationError({"aggregation": "A computed indicator counts residents: its aggregation is `sum`."})


# --- Periods --------------------------------------------------------------------------------------------------


@transaction.atomic
def indicator_period_create(
    *,
    project: Project,
    indicator: Indicator,
    period_start: date,
    period_end: date,
    baseline: Decimal | None = None,
    target: Decimal | None = None,
) -> IndicatorPeriod:
    _check_period(period_start, period_end)
    _locked_project(project.pk)
    _check_no_overlap(project=project, indicator=indicator, start=period_start, end=period_end)
    return IndicatorPeriod.objects.create(
        project=project,
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        baseline=baseline,
        target=target,
    )


@transaction.atomic
def indicator_period_update(*, period: IndicatorPeriod, data: dict) -> IndicatorPeriod:
    _locked_project(period.project_id)
    period = IndicatorPeriod.objects.select_for_update().get(pk=period.pk)
    start, end = data.get("period_start", period.period_start), data.get("period_end", period.period_end)
    _check_period(start, end)
    _check_no_overlap(project=period.project, indicator=period.indicator, start=start, end=end, besides=period.pk)
    return model_update(instance=period, data=data)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"period_end": "Must not lie before the start."})
    if IndicatorPeriod.lasts_too_long(start, end):
        raise ValidationError({"period_end": "A period lasts at most 366 days, both ends counted."})


def _check_no_overlap(*, project: Project, indicator: Indicator, start: date, end: date, besides=None) -> None:
    """Under the project's lock: PostgreSQL's exclusion constraint says the same, SQLite has none."""
    overlapping = IndicatorPeriod.objects.filter(
        project=project, indicator=indicator, period_start__lte=end, period_end__gte=start
    ).exclude(pk=besides)
    if overlapping.exists():
        raise Conflict("This project already has a period of this indicator that overlaps these dates.")


# --- Results --------------------------------------------------------------------------------------------------


@transaction.atomic
def result_create(
    *,
    by: User,
    period: IndicatorPeriod,
    value: Decimal,
    measured_on: date,
    neighbourhood: Neighbourhood | None = None,
    note: str = "",
) -> Result:
    if period.indicator.source != Indicator.Source.MANUAL:
        raise ValidationError({"period": "Its indicator is computed from the pathway data, never reported."})
    _check_result(period=period, measured_on=measured_on, neighbourhood=neighbourhood)
    return Result.objects.create(
        period=period, value=value, measured_on=measured_on, neighbourhood=neighbourhood, note=note, created_by=by
    )


@transaction.atomic
def result_update(*, result: Result, data: dict) -> Result:
    result = Result.objects.select_for_update().get(pk=result.pk)
    if result.status not in reviews.EDITABLE:
        raise Conflict(f"A {result.status} result cannot be changed; only drafts and returned results can.")
    _check_result(
        period=result.period,
        measured_on=data.get("measured_on", result.measured_on),
        neighbourhood=data.get("neighbourhood", result.neighbourhood),
    )
    return model_update(instance=result, data=data)


def _check_result(*, period: IndicatorPeriod, measured_on: date, neighbourhood: Neighbourhood | None) -> None:
    if not period.contains(measured_on):
        raise ValidationError(
            {"measured_on": f"Must lie within the period ({period.period_start} to {period.period_end})."}
        )
    if neighbourhood is not None and not period.project.neighbourhoods.filter(pk=neighbourhood.pk).exists():
        raise ValidationError({"neighbourhood": "Must be one of the project's neighbourhoods."})


# `now`: when it happened, the real clock unless the demo tells an earlier week (demo.evaluation).


@transaction.atomic
def result_submit(*, result: Result, by: User, now: datetime | None = None) -> Result:
    fields = {"submitted_by": by, "submitted_at": now or timezone.now()}
    return _review(result, to=Status.SUBMITTED, by=by, fields=fields)


@transaction.atomic
def result_approve(*, result: Result, by: User, now: datetime | None = None) -> Result:
    return _review(result, to=Status.APPROVED, by=by, fields={"reviewed_by": by, "reviewed_at": now or timezone.now()})


@transaction.atomic
def result_return(*, result: Result, by: User, review_note: str, now: datetime | None = None) -> Result:
    if not review_note.strip():
        raise ValidationError({"review_note": "Say what to put right."})
    fields = {"reviewed_by": by, "reviewed_at": now or timezone.now(), "review_note": review_note}
    return _review(result, to=Status.RETURNED, by=by, fields=fields)


def _review(result: Result, *, to: str, by: User, fields: dict) -> Result:
    """One move of the review table on the locked row."""
    result = Result.objects.select_for_update().get(pk=result.pk)
    if not reviews.is_allowed(result.status, to):
        raise InvalidTransition(current=result.status, asked=to)
    return model_update(instance=result, data={"status": to, **fields})


# --- Evaluations ----------------------------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(
    *,
    by: User,
    project: Project,
    round: str,
    impact: Decimal,
    effort: Decimal,
    decision: str,
    rationale: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """Records a project's evaluation in a round and does what the decision says, all at once: `stop` stops the
    project and tells each of its members; `investigate` and `continue` set when it is evaluated next. `now`: when
    it was decided, the real clock unless the demo tells an earlier round."""
    if decision != SUGGESTED[quadrant_of(impact, effort)] and not rationale.strip():
        raise ValidationError({"rationale": "Explain a decision other than the suggested one."})
    project = _locked_project(project.pk)  # two coordinators evaluating at once: the second waits, then sees it
    if project.stopped_at is not None:
        raise Conflict("This project was stopped: it takes no new evaluation.")
    if project.evaluations.filter(round=round).exists():
        raise Conflict(f"This project already has an evaluation in round '{round}'.")
    now = now or timezone.now()
    days = NEXT_EVALUATION_DAYS.get(decision)
    evaluation = Evaluation.objects.create(
        project=project,
        round=round,
        impact=impact,
        effort=effort,
        decision=decision,
        rationale=rationale,
        decided_by=by,
        decided_at=now,
        next_evaluation_due=timezone.localdate(now) + timedelta(days=days) if days else None,
    )
    project.latest_evaluation_high_impact_continue = impact >= PEARL_MIN_IMPACT and decision == Decision.CONTINUE
    changed = ["latest_evaluation_high_impact_continue"]
    if decision == Decision.STOP:
        project.stopped_at = now
        changed.append("stopped_at")
        _notify_stopped(project)
    project.save(update_fields=changed)
    return evaluation


def _notify_stopped(project: Project) -> None:
    """One `project_stopped` notification and one outbox e-mail per member, handed to the workers after commit."""
    members = project_members(project=project).values_list("pk", flat=True)
    notifications_create(kind=PROJECT_STOPPED, object_id=project.pk, recipient_ids=members)
