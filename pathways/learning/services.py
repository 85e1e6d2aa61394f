"""Every write to the modules and the enrolments in them. The locks follow pathways.locks."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.problems import Conflict
from api.services import model_update
from coalition.models import Organisation, Project, User

from ..journey.models import Pathway
from ..journey.services import pathway_move
from ..journey.stages import Cause, Stage
from ..locks import check_move, locked, writable
from .models import Enrolment, Module

ENROLMENT_MOVES = {Enrolment.Status.ENROLLED: {Enrolment.Status.COMPLETED, Enrolment.Status.DROPPED}}

ENROLLABLE_STAGES = frozenset({Stage.INTAKE, Stage.LEARNING, Stage.JOB_SEARCH})


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
    module = locked(module)
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
    writable(pathway.resident_id)
    pathway = locked(pathway)
    if pathway.stage not in ENROLLABLE_STAGES:
        raise Conflict(f"Only a pathway at intake, learning or job search can enrol; this one is {pathway.stage}.")
    module = locked(module)  # seats are counted and taken one enrolment at a time
    # Locked too, so that an evaluation stopping the project waits for this enrolment or this one for it.
    if module.project_id is not None and locked(module.project).stopped_at is not None:
        raise Conflict(f"'{module.title}' belongs to the stopped project '{module.project}': no new enrolments.")
    if Enrolment.objects.filter(pathway=pathway, module=module).exists():
        raise Conflict("This pathway is already enrolled in this module.")
    if module.enrolments.filter(status__in=Enrolment.SEATED).count() >= module.capacity:
        raise Conflict(f"'{module.title}' is full ({module.capacity} seats).")
    enrolment = Enrolment.objects.create(pathway=pathway, module=module, enrolled_at=timezone.now())
    if pathway.stage == Stage.INTAKE:
        pathway_move(
            pathway=pathway, to=Stage.LEARNING, cause=Cause.ENROLMENT, by=by, note=f"Enrolled in {module.title}."
        )
    return enrolment


@transaction.atomic
def enrolment_update(*, enrolment: Enrolment, data: dict) -> Enrolment:
    writable(enrolment.pathway.resident_id)
    enrolment = locked(enrolment)
    _check_attendance(enrolment, data.get("attended_hours"))
    return model_update(instance=enrolment, data=data)


@transaction.atomic
def enrolment_complete(*, enrolment: Enrolment, attended_hours: int | None = None) -> Enrolment:
    writable(enrolment.pathway.resident_id)
    enrolment = locked(enrolment)
    check_move(ENROLMENT_MOVES, enrolment.status, Enrolment.Status.COMPLETED)
    _check_attendance(enrolment, attended_hours)
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = timezone.now()
    if attended_hours is not None:
        enrolment.attended_hours = attended_hours
    enrolment.save(update_fields=["status", "completed_at", "attended_hours"])
    return enrolment


@transaction.atomic
def enrolment_drop(*, enrolment: Enrolment) -> Enrolment:
    writable(enrolment.pathway.resident_id)
    enrolment = locked(enrolment)
    check_move(ENROLMENT_MOVES, enrolment.status, Enrolment.Status.DROPPED)
    enrolment.status = Enrolment.Status.DROPPED
    enrolment.dropped_at = timezone.now()
    enrolment.save(update_fields=["status", "dropped_at"])
    return enrolment


def _check_attendance(enrolment: Enrolment, attended_hours: int | None) -> None:
    if attended_hours is not None and attended_hours > enrolment.module.hours:
        raise ValidationError({"attended_hours": f"The module has {enrolment.module.hours} hours."})
