"""Every write to a resident's file. Each service is one transaction; state changes lock the row they change,
check the move against its table, and write the new state with its history.

Locks are taken in one order, so that concurrent writes queue instead of deadlocking: the resident first (which
also keeps an erasure out, `_writable`), then a placement before its pathway and its check-ins."""

import json
import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Model, Value, When
from django.utils import timezone

from api.problems import Conflict, InvalidTransition
from api.serializers import acting_role
from api.services import model_update
from coalition.models import DEFAULT_CHECK_IN_DAYS, Neighbourhood, Organisation, Programme, Project, Role, User
from history.services import history_erase
from idempotency.services import record_forget_resident
from notifications.handover import request_sweep
from notifications.services import notifications_rewrite

from . import selectors, stages
from .models import CheckIn, Enrolment, Module, Pathway, Placement, Resident, StageChange
from .stages import Cause, Stage

logger = logging.getLogger(__name__)

# The other state machines are small enough to read at a glance: status → statuses it may move to.
ENROLMENT_MOVES = {Enrolment.Status.ENROLLED: {Enrolment.Status.COMPLETED, Enrolment.Status.DROPPED}}
PLACEMENT_MOVES = {
    Placement.Status.PROPOSED: {Placement.Status.CONFIRMED, Placement.Status.DECLINED},
    Placement.Status.CONFIRMED: {Placement.Status.ENDED},
}
CHECK_IN_MOVES = {status: {CheckIn.Status.COMPLETED} for status in CheckIn.OPEN}

ENROLLABLE_STAGES = frozenset({Stage.INTAKE, Stage.LEARNING, Stage.JOB_SEARCH})

# A placement's start may lie this far from today (contract §6); a check-in can be held this early (§7).
START_DATE_YEARS_BEFORE, START_DATE_YEARS_AFTER = 5, 2
CHECK_IN_OPENS_BEFORE = timedelta(days=7)

M = TypeVar("M", bound=Model)


def _locked(instance: M) -> M:
    """The row again, locked until the transaction ends, so that concurrent changes queue behind each other."""
    return type(instance)._default_manager.select_for_update(of=("self",)).get(pk=instance.pk)


def _check_move(moves: dict, current: str, to: str) -> None:
    if to not in moves.get(current, ()):
        raise InvalidTransition(current=current, asked=to)


def _writable(resident_id: int) -> Resident:
    """The resident, locked until the transaction ends; an erased resident, and all that hangs below them, is
    read-only (contract §10). Taken first in every write to their file: an erasure waits for those under way, and
    those that come after it see it. (FOR NO KEY UPDATE: rows that merely refer to the resident are not held up.)"""
    resident = Resident.objects.select_for_update(no_key=True).get(pk=resident_id)
    if resident.erased_at is not None:
        raise Conflict("This resident has been erased: their file is read-only.")
    return resident


def _check_not_future(field: str, moment: datetime) -> None:
    if moment > timezone.now() + timedelta(minutes=5):  # a little clock skew between devices is fine
        raise ValidationError({field: "Must not lie in the future."})


# --- Residents ------------------------------------------------------------------------------------------------


@transaction.atomic
def resident_create(
    *,
    by: User,
    first_name: str,
    last_name: str,
    consent_given_at: datetime,
    email: str = "",
    phone: str = "",
    date_of_birth: date | None = None,
    neighbourhood: Neighbourhood | None = None,
    programme: Programme | None = None,
    coach: User | None = None,
) -> Resident:
    """Registers a resident and opens their first pathway at intake. A coach who registers someone coaches them."""
    if acting_role(by) == Role.COACH:
        coach = by
    coach = _coach_locked(coach)
    check_resident(consent_given_at=consent_given_at, date_of_birth=date_of_birth, coach=coach)
    resident = Resident.objects.create(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        date_of_birth=date_of_birth,
        neighbourhood=neighbourhood,
        programme=programme,
        coach=coach,
        consent_given_at=consent_given_at,
    )
    resident.current_pathway = pathway_open(resident=resident, by=by)
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, by: User, data: dict) -> Resident:
    """Changes a resident. Of an erased resident only the coach can still change: a coach keeps their role until
    nobody is theirs (coalition's check_caseload), erased residents included."""
    resident = _locked(resident) if data.keys() == {"coach"} else _writable(resident.pk)
    if "coach" in data:
        data = {**data, "coach": _coach_locked(data["coach"])}
    check_resident(
        consent_given_at=data.get("consent_given_at"), date_of_birth=data.get("date_of_birth"), coach=data.get("coach")
    )
    return model_update(instance=resident, data=data)


def _coach_locked(coach: User | None) -> User | None:
    """The coach to assign, again and locked: a change of their role or their deactivation (coalition's
    user_update, which counts their residents under the same lock) waits for this, or this sees it."""
    if coach is None:
        return None
    coach = _locked(coach)
    if not coach.is_active:
        raise ValidationError({"coach": "Must be an active user."})
    return coach


def check_resident(*, consent_given_at: datetime | None, date_of_birth: date | None, coach: User | None) -> None:
    if consent_given_at is not None:
        _check_not_future("consent_given_at", consent_given_at)
    if date_of_birth is not None and not date(1900, 1, 1) <= date_of_birth <= timezone.localdate():
        raise ValidationError({"date_of_birth": "Must lie between 1900-01-01 and today."})
    if coach is not None and coach.role != Role.COACH:
        raise ValidationError({"coach": "Must be a user with role coach."})


# --- Pathways -------------------------------------------------------------------------------------------------


@transaction.atomic
def pathway_open(*, resident: Resident, by: User | None) -> Pathway:
    """A new pathway at intake; only when the resident's last one is closed."""
    resident = _writable(resident.pk)
    if resident.pathways.filter(closed_at__isnull=True).exists():
        raise Conflict("This resident already has an open pathway; close it before opening another.")
    now = timezone.now()
    pathway = Pathway.objects.create(resident=resident, stage=Stage.INTAKE, started_at=now)
    StageChange.objects.create(pathway=pathway, sequence=1, from_stage="", to_stage=Stage.INTAKE, at=now, by=by)
    resident.current_pathway = pathway
    resident.save(update_fields=["current_pathway"])
    return pathway


@transaction.atomic
def pathway_transition(*, pathway: Pathway, to: str, by: User, note: str = "", exit_reason: str = "") -> Pathway:
    """A move a coach or coordinator asks for (POST /pathways/{id}/transitions)."""
    if to == Stage.EXITED and not exit_reason:
        raise ValidationError({"exit_reason": "Give the reason when a pathway is exited."})
    if to != Stage.EXITED and exit_reason:
        raise ValidationError({"exit_reason": "Only an exit has an exit reason."})
    _writable(pathway.resident_id)
    pathway = _locked(pathway)
    if (pathway.stage, to) == (Stage.PLACED, Stage.COMPLETED) and acting_role(by) != Role.COORDINATOR:
        open_check_ins = CheckIn.objects.filter(
            placement__pathway=pathway, placement__status=Placement.Status.CONFIRMED, status__in=CheckIn.OPEN
        ).count()
        if open_check_ins:
            raise InvalidTransition(
                current=pathway.stage,
                asked=to,
                why=f"{open_check_ins} check-in(s) of the placement are still open; a coordinator may complete it.",
            )
    return _move(pathway=pathway, to=to, cause=Cause.ASKED, by=by, note=note, exit_reason=exit_reason)


def _move(
    *, pathway: Pathway, to: str, cause: Cause, by: User | None, note: str = "", exit_reason: str = ""
) -> Pathway:
    """Apply one move of the stage table to a pathway locked by the caller, with its history row."""
    if not stages.is_allowed(pathway.stage, to, cause):
        raise InvalidTransition(current=pathway.stage, asked=to)
    now = timezone.now()
    last = pathway.history.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    StageChange.objects.create(
        pathway=pathway, sequence=last + 1, from_stage=pathway.stage, to_stage=to, at=now, by=by, note=note
    )
    pathway.stage = to
    pathway.exit_reason = exit_reason
    pathway.closed_at = now if to in stages.CLOSED_STAGES else None
    pathway.save(update_fields=["stage", "exit_reason", "closed_at"])
    return pathway


# --- Modules and enrolments -----------------------------------------------------------------------------------


def module_create(
    *,
    title: str,
    theme: str,
    provider: Organisation,
    hours: int,
    capacity: int,
    starts_on: date,
    ends_on: date,
    project: Project | None = None,
) -> Module:
    _check_module_period(starts_on, ends_on)
    return Module.objects.create(
        title=title,
        theme=theme,
        provider=provider,
        hours=hours,
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
        project=project,
    )


@transaction.atomic
def module_update(*, module: Module, data: dict) -> Module:
    module = _locked(module)
    _check_module_period(data.get("starts_on", module.starts_on), data.get("ends_on", module.ends_on))
    if "capacity" in data:
        seated = module.enrolments.filter(status__in=Enrolment.SEATED).count()
        if data["capacity"] < seated:
            raise Conflict(f"{seated} residents already hold a seat; the capacity cannot go below that.")
    return model_update(instance=module, data=data)


def _check_module_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "Must not lie before the start."})


@transaction.atomic
def enrolment_create(*, by: User, pathway: Pathway, module: Module) -> Enrolment:
    """Enrols a pathway in a module with a free seat; a resident at intake starts learning."""
    _writable(pathway.resident_id)
    pathway = _locked(pathway)
    if pathway.stage not in ENROLLABLE_STAGES:
        raise Conflict(f"Only a pathway at intake, learning or job search can enrol; this one is {pathway.stage}.")
    module = _locked(module)  # seats are counted and taken one enrolment at a time
    # Locked too, so that an evaluation stopping the project waits for this enrolment or this one for it.
    if module.project_id is not None and _locked(module.project).stopped_at is not None:
        raise Conflict(f"'{module.title}' belongs to the stopped project '{module.project}': no new enrolments.")
    if Enrolment.objects.filter(pathway=pathway, module=module).exists():
        raise Conflict("This pathway is already enrolled in this module.")
    if module.enrolments.filter(status__in=Enrolment.SEATED).count() >= module.capacity:
        raise Conflict(f"'{module.title}' is full ({module.capacity} seats).")
    enrolment = Enrolment.objects.create(pathway=pathway, module=module, enrolled_at=timezone.now())
    if pathway.stage == Stage.INTAKE:
        _move(pathway=pathway, to=Stage.LEARNING, cause=Cause.ENROLMENT, by=by, note=f"Enrolled in {module.title}.")
    return enrolment


@transaction.atomic
def enrolment_update(*, enrolment: Enrolment, data: dict) -> Enrolment:
    _writable(enrolment.pathway.resident_id)
    enrolment = _locked(enrolment)
    _check_attendance(enrolment, data.get("attended_hours"))
    return model_update(instance=enrolment, data=data)


@transaction.atomic
def enrolment_complete(*, enrolment: Enrolment, attended_hours: int | None = None) -> Enrolment:
    _writable(enrolment.pathway.resident_id)
    enrolment = _locked(enrolment)
    _check_move(ENROLMENT_MOVES, enrolment.status, Enrolment.Status.COMPLETED)
    _check_attendance(enrolment, attended_hours)
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = timezone.now()
    if attended_hours is not None:
        enrolment.attended_hours = attended_hours
    enrolment.save(update_fields=["status", "completed_at", "attended_hours"])
    return enrolment


@transaction.atomic
def enrolment_drop(*, enrolment: Enrolment) -> Enrolment:
    _writable(enrolment.pathway.resident_id)
    enrolment = _locked(enrolment)
    _check_move(ENROLMENT_MOVES, enrolment.status, Enrolment.Status.DROPPED)
    enrolment.status = Enrolment.Status.DROPPED
    enrolment.dropped_at = timezone.now()
    enrolment.save(update_fields=["status", "dropped_at"])
    return enrolment


def _check_attendance(enrolment: Enrolment, attended_hours: int | None) -> None:
    if attended_hours is not None and attended_hours > enrolment.module.hours:
        raise ValidationError({"attended_hours": f"The module has {enrolment.module.hours} hours."})


# --- Placements -----------------------------------------------------------------------------------------------


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
    _writable(pathway.resident_id)
    pathway = _locked(pathway)
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
    _writable(placement.pathway.resident_id)
    placement = _locked(placement)
    _check_move(PLACEMENT_MOVES, placement.status, Placement.Status.CONFIRMED)
    pathway = _locked(placement.pathway)
    _move(
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
    _writable(placement.pathway.resident_id)
    placement = _locked(placement)
    _check_move(PLACEMENT_MOVES, placement.status, Placement.Status.DECLINED)
    placement.status = Placement.Status.DECLINED
    placement.declined_at = timezone.now()
    placement.decline_reason = reason
    placement.save(update_fields=["status", "declined_at", "decline_reason"])
    return placement


@transaction.atomic
def placement_end(*, placement: Placement, by: User, end_date: date, end_reason: str) -> Placement:
    """The job ended: later check-ins are cancelled and an open pathway goes back to job search.
    An end before the start date means the job never began: every check-in is cancelled."""
    _writable(placement.pathway.resident_id)
    placement = _locked(placement)
    _check_move(PLACEMENT_MOVES, placement.status, Placement.Status.ENDED)
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": "Must not lie in the future: report an end once it has happened."})
    placement.status = Placement.Status.ENDED
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement.save(update_fields=["status", "end_date", "end_reason"])
    placement.check_ins.filter(due_on__gt=end_date, status__in=CheckIn.OPEN).update(status=CheckIn.Status.CANCELLED)
    pathway = _locked(placement.pathway)
    if pathway.stage == Stage.PLACED:
        _move(
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
    _writable(check_in.placement.pathway.resident_id)
    placement = _locked(check_in.placement)  # before its check-ins, as placement_end locks them
    check_in = _locked(check_in)
    _check_move(CHECK_IN_MOVES, check_in.status, CheckIn.Status.COMPLETED)
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


# --- Erasure and retention ------------------------------------------------------------------------------------

ERASED_FIRST_NAME, ERASED_LAST_NAME = "Erased", "resident"
ERASED_TEXT = "(erased)"


def _erased_text(field: str) -> Case:
    """A free text's replacement: an empty one stays empty, any other becomes ERASED_TEXT."""
    return Case(When(**{field: ""}, then=Value("")), default=Value(ERASED_TEXT))


@transaction.atomic
def resident_erase(*, resident: Resident, by: User | None) -> Resident:
    """Irreversibly anonymises a resident (on request, or by retention, `by` None: the system): name, contact
    details, date of birth and every free text about them, in their rows and in every copy — each recorded version
    of those rows (the change history), the reminders that named them (their e-mails are rendered from these when
    sent), the answers kept for a retried POST, the admin's log. The rows stay, so that counts and reports stay
    right. Erasing again is harmless.
    The access log holds no personal data beyond the resident's id, so it is left as it is."""
    resident = _locked(resident)
    pathways = Pathway.objects.filter(resident=resident)
    placements = Placement.objects.filter(pathway__in=pathways)
    erased = [
        (
            Resident.objects.filter(pk=resident.pk),
            {
                "first_name": ERASED_FIRST_NAME,
                "last_name": ERASED_LAST_NAME,
                "email": "",
                "phone": "",
                "date_of_birth": None,
            },
        ),
        (pathways, {"exit_reason": _erased_text("exit_reason")}),
        (StageChange.objects.filter(pathway__in=pathways), {"note": _erased_text("note")}),
        (placements, {"decline_reason": _erased_text("decline_reason")}),
        (CheckIn.objects.filter(placement__in=placements), {"notes": _erased_text("notes")}),
    ]
    for rows, values in erased:
        rows.update(**values)
        history_erase(rows=rows, values=values)  # after the update, whose own recorded version is erased too
    Resident.objects.filter(pk=resident.pk, erased_at__isnull=True).update(erased_at=timezone.now())
    notifications_rewrite(resident_ids=[resident.pk])
    record_forget_resident(resident_id=resident.pk)  # answers stored for a retried POST that showed them
    _erase_admin_log([rows for rows, _values in erased] + [Enrolment.objects.filter(pathway__in=pathways)])
    logger.info("Resident %s erased by %s.", resident.pk, f"user {by.pk}" if by else "the system")
    resident.refresh_from_db()
    return resident


def _erase_admin_log(querysets: list) -> None:
    """The admin's log keeps the name each edited object had then (an enrolment's names its resident): it is
    written again from the anonymised object. Its change messages name fields, and inline objects, which go."""
    for rows in querysets:
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(rows.model),
            object_id__in=[str(pk) for pk in rows.values_list("pk", flat=True)],
        )
        for entry in entries:
            entry.object_repr = str(entry.get_edited_object())[:200]
            entry.change_message = _erased_change_message(entry.change_message)
            entry.save(update_fields=["object_repr", "change_message"])


def _erased_change_message(message: str) -> str:
    try:
        changes = json.loads(message or "[]")
    except ValueError:
        changes = None
    if not isinstance(changes, list):  # not the admin's structured message: nothing in it can be kept
        return ERASED_TEXT
    for change in changes:
        for detail in change.values() if isinstance(change, dict) else ():
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = ERASED_TEXT
    return json.dumps(changes)


def retention_apply(*, now: datetime) -> list[int]:
    """Erases, as the system, each resident the retention rule has come for (selectors.resident_retention_due),
    each in its own transaction; answers their ids."""
    erased = []
    for resident in selectors.resident_retention_due(now=now):
        with transaction.atomic():
            _locked(resident)  # pathway_open locks the resident too: under the lock, the rule still holds or not
            if selectors.resident_retention_due(now=now).filter(pk=resident.pk).exists():
                resident_erase(resident=resident, by=None)
                erased.append(resident.pk)
    return erased
