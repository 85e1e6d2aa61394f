"""Every write to a resident and their pathways: registering a resident, opening a pathway, and moving it along
the stage table (`stages.py`) with its history. The locks follow pathways.locks."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.problems import Conflict, InvalidTransition
from api.serializers import acting_role
from api.services import model_update
from coalition.models import Neighbourhood, Programme, Role, User

from ..locks import locked, writable
from ..placements.models import CheckIn, Placement
from . import stages
from .models import Pathway, Resident, StageChange
from .stages import Cause, Stage


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
    resident = locked(resident) if data.keys() == {"coach"} else writable(resident.pk)
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
    coach = locked(coach)
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
    resident = writable(resident.pk)
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
    writable(pathway.resident_id)
    pathway = locked(pathway)
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
    return pathway_move(pathway=pathway, to=to, cause=Cause.ASKED, by=by, note=note, exit_reason=exit_reason)


def pathway_move(
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
