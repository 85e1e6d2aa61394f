"""Every write to placements and their check-ins. The locks follow pathways.locks: a placement before its pathway
and its check-ins."""

from collections.abc import Iterable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.problems import Conflict, InvalidTransition
from coalition.models import DEFAULT_CHECK_IN_DAYS, Organisation, User
from notifications.handover import request_sweep

from ..journey.models import Pathway
from ..journey.services import pathway_move
from ..journey.stages import Cause, Stage
from ..locks import check_move, locked, writable
from .models import CheckIn, Placement

# The state machines are small enough to read at a glance: status → statuses it may move to.
PLACEMENT_MOVES = {
    Placement.Status.PROPOSED: {Placement.Status.CONFIRMED, Placement.Status.DECLINED},
    Placement.Status.CONFIRMED: {Placement.Status.ENDED},
}
CHECK_IN_MOVES = {status: {CheckIn.Status.COMPLETED} for status in CheckIn.OPEN}

# A placement's start may lie this far from today (contract §6); a check-in can be held this early (§7).
START_DATE_YEARS_BEFORE, START_DATE_YEARS_AFTER = 5, 2
CHECK_IN_OPENS_BEFORE = timedelta(days=7)


@transaction.atomic
def placement_propose(
    *,
    by: User,
    pathway: Pathway,
    employer: Organisation,
    job_title: str,
    start_date: date,
    hours_per_week: int,
    contract_type: str,
) -> Placement:
    """A coach proposes a job for a resident in job search; the start may lie in the past (registered late)."""
    _check_start_date(start_date)
    writable(pathway.resident_id)
    pathway = locked(pathway)
    if pathway.stage != Stage.JOB_SEARCH:
        raise Conflict(f"Placements are proposed for a pathway at job_search; this one is {pathway.stage}.")
    if employer.kind != Organisation.Kind.EMPLOYER or not employer.is_active:
        raise ValidationError({"employer": "Must be an active organisation of kind employer."})
    return Placement.objects.create(
        pathway=pathway,
        employer=employer,
        job_title=job_title,
        start_date=start_date,
        hours_per_week=hours_per_week,
        contract_type=contract_type,
        proposed_at=timezone.now(),
        proposed_by=by,
    )


def _check_start_date(start_date: date) -> None:
    today = timezone.localdate()
    earliest = today - relativedelta(years=START_DATE_YEARS_BEFORE)
    latest = today + relativedelta(years=START_DATE_YEARS_AFTER)
    if not earliest <= start_date <= latest:
        raise ValidationError({"start_date": f"Must lie between {earliest} and {latest}."})


@transaction.atomic
def placement_confirm(*, placement: Placement, by: User) -> Placement:
    """The employer confirms: the pathway becomes placed and the check-ins are planned, all or nothing."""
    writable(placement.pathway.resident_id)
    placement = locked(placement)
    check_move(PLACEMENT_MOVES, placement.status, Placement.Status.CONFIRMED)
    pathway = locked(placement.pathway)
    pathway_move(
        pathway=pathway,
        to=Stage.PLACED,
        cause=Cause.PLACEMENT_CONFIRMED,
        by=by,
        note=f"Placement confirmed: {placement.job_title}.",
    )
    placement.status = Placement.Status.CONFIRMED
    placement.confirmed_at = timezone.now()
    placement.confirmed_by = by
    placement.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    programme = pathway.resident.programme
    days = programme.check_in_days if programme else DEFAULT_CHECK_IN_DAYS
    check_ins = CheckIn.objects.bulk_create(
        CheckIn(placement=placement, day=day, due_on=placement.start_date + timedelta(days=day))
        for day in sorted(set(days))
    )
    if any(check_in.due_on <= timezone.localdate() for check_in in check_ins):
        # Registered after the fact: remind now rather than at the next scheduled sweep (which would anyway).
        transaction.on_commit(request_sweep)
    return placement


@transaction.atomic
def placement_decline(*, placement: Placement, by: User, reason: str) -> Placement:
    writable(placement.pathway.resident_id)
    placement = locked(placement)
    check_move(PLACEMENT_MOVES, placement.status, Placement.Status.DECLINED)
    placement.status = Placement.Status.DECLINED
    placement.declined_at = timezone.now()
    placement.decline_reason = reason
    placement.save(update_fields=["status", "declined_at", "decline_reason"])
    return placement


@transaction.atomic
def placement_end(*, placement: Placement, by: User, end_date: date, end_reason: str) -> Placement:
    """The job ended: later check-ins are cancelled and an open pathway goes back to job search.
    An end before the start date means the job never began: every check-in is cancelled."""
    writable(placement.pathway.resident_id)
    placement = locked(placement)
    check_move(PLACEMENT_MOVES, placement.status, Placement.Status.ENDED)
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": "Must not lie in the future: report an end once it has happened."})
    placement.status = Placement.Status.ENDED
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement.save(update_fields=["status", "end_date", "end_reason"])
    placement.check_ins.filter(due_on__gt=end_date, status__in=CheckIn.OPEN).update(status=CheckIn.Status.CANCELLED)
    pathway = locked(placement.pathway)
    if pathway.stage == Stage.PLACED:
        pathway_move(
            pathway=pathway,
            to=Stage.JOB_SEARCH,
            cause=Cause.PLACEMENT_ENDED,
            by=by,
            note=f"Placement ended ({end_reason}).",
        )
    return placement


# --- Check-ins ---------------------------------------------------------------------------------------------


@transaction.atomic
def check_in_complete(
    *, check_in: CheckIn, by: User, outcome: str, notes: str = "", support_needs: Iterable[str] = ()
) -> CheckIn:
    """Records a check-in held (late ones count; early ones from a week before their day, so that a day-180
    check-in says something about day 180). `left_job` ends the placement as of today."""
    writable(check_in.placement.pathway.resident_id)
    placement = locked(check_in.placement)  # before its check-ins, as placement_end locks them
    check_in = locked(check_in)
    check_move(CHECK_IN_MOVES, check_in.status, CheckIn.Status.COMPLETED)
    opens_on = check_in.due_on - CHECK_IN_OPENS_BEFORE
    if timezone.localdate() < opens_on:
        raise InvalidTransition(
            current=check_in.status,
            asked=CheckIn.Status.COMPLETED,
            why=f"This check-in falls due on {check_in.due_on}; it can be completed from {opens_on} on.",
        )
    check_in.status = CheckIn.Status.COMPLETED
    check_in.completed_at = timezone.now()
    check_in.completed_by = by
    check_in.outcome = outcome
    check_in.notes = notes
    check_in.support_needs = sorted(set(support_needs))
    check_in.save(update_fields=["status", "completed_at", "completed_by", "outcome", "notes", "support_needs"])
    if outcome == CheckIn.Outcome.LEFT_JOB and placement.status == Placement.Status.CONFIRMED:
        placement_end(placement=placement, by=by, end_date=timezone.localdate(), end_reason=Placement.EndReason.OTHER)
    return check_in
