"""Reads, scoped to the caller: what a role may see is one table, so every list, detail, action and foreign key
given in a write answers from the same rule (an object out of scope is a 404, or "does not exist" in a write)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, Max, Model, OuterRef, QuerySet

from api.serializers import acting_role
from coalition.models import Role

from .models import AccessLogEntry, CheckIn, Enrolment, Module, Pathway, Placement, Resident

EVERYTHING = "*"

# model → role → the lookup that must equal the caller (coach) or the caller's organisation (employer, educator).
# A role missing from a model's row sees none of it; coordinators see everything.
SCOPES: dict[type[Model], dict[str, str]] = {
    Resident: {Role.COACH: "coach"},
    Pathway: {Role.COACH: "resident__coach"},
    Module: {Role.COACH: EVERYTHING, Role.EDUCATOR: "provider", Role.PARTNER: EVERYTHING},
    Enrolment: {Role.COACH: "pathway__resident__coach", Role.EDUCATOR: "module__provider"},
    Placement: {Role.COACH: "pathway__resident__coach", Role.EMPLOYER: "employer"},
    CheckIn: {Role.COACH: "placement__pathway__resident__coach"},
}


def visible_to(user, model: type[Model]) -> QuerySet:
    queryset = model._default_manager.all()
    role = acting_role(user)
    if role == Role.COORDINATOR:
        return queryset
    lookup = SCOPES[model].get(role)
    if lookup == EVERYTHING:
        return queryset
    if lookup is None:
        return queryset.none()
    if role == Role.COACH:
        return queryset.filter(**{lookup: user})
    if user.organisation_id is None:
        return queryset.none()
    return queryset.filter(**{lookup: user.organisation_id})


def resident_list(*, user) -> QuerySet[Resident]:
    return visible_to(user, Resident).select_related("current_pathway")


def pathway_list(*, user) -> QuerySet[Pathway]:
    return visible_to(user, Pathway)


def stage_change_list(*, pathway: Pathway) -> QuerySet:
    return pathway.history.order_by("sequence")


def module_list(*, user) -> QuerySet[Module]:
    return visible_to(user, Module)


def enrolment_list(*, user) -> QuerySet[Enrolment]:
    return visible_to(user, Enrolment).select_related("pathway__resident")


def placement_list(*, user) -> QuerySet[Placement]:
    return visible_to(user, Placement).select_related("pathway__resident")


def check_in_list(*, user) -> QuerySet[CheckIn]:
    return visible_to(user, CheckIn).select_related("placement__pathway__resident")


def access_log_list() -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.all()


def retention_cutoff(*, now: datetime) -> datetime:
    """A resident whose last pathway closed before this moment is due for anonymisation at `now`."""
    return now - timedelta(days=settings.RETENTION_DAYS)


def resident_retention_due(*, now: datetime) -> QuerySet[Resident]:
    """Residents the retention rule anonymises at `now`: not erased yet, no pathway open, and the last one closed
    more than RETENTION_DAYS before."""
    cutoff = retention_cutoff(now=now)
    open_pathway = Pathway.objects.filter(resident=OuterRef("pk"), closed_at__isnull=True)
    return (
        Resident.objects.filter(erased_at__isnull=True)
        .exclude(Exists(open_pathway))
        .annotate(last_closed_at=Max("pathways__closed_at"))
        .filter(last_closed_at__lt=cutoff)
        .order_by("pk")
    )


def project_residents(*, measure: str, project, start, end) -> QuerySet:
    """One row per enrolment or placement by which a project's modules reached a resident on a measure of contract
    §11 between two dates, both counted (in the coalition's time zone), with the resident's id as `resident`.
    `project`, `start` and `end` may be expressions (OuterRef), for a subquery per indicator period.
    Dropped enrolments never count."""
    seated = Enrolment.SEATED
    if measure in ("residents_reached", "modules_completed"):
        rows = Enrolment.objects.filter(module__project=project)
        if measure == "residents_reached":
            rows = rows.filter(status__in=seated, enrolled_at__date__gte=start, enrolled_at__date__lte=end)
        else:
            rows = rows.filter(
                status=Enrolment.Status.COMPLETED, completed_at__date__gte=start, completed_at__date__lte=end
            )
        return rows.values(resident=F("pathway__resident"))
    placements = Placement.objects.filter(  # one join: an enrolment in the project's modules that was not dropped
        pathway__enrolments__module__project=project,
        pathway__enrolments__status__in=seated,
        status__in=(Placement.Status.CONFIRMED, Placement.Status.ENDED),
    )
    if measure == "placements_confirmed":
        placements = placements.filter(confirmed_at__date__gte=start, confirmed_at__date__lte=end)
    else:  # retained_180, retained_365: section 8's rule
        placements = placements.filter(
            check_ins__day=int(measure.removeprefix("retained_")),
            check_ins__due_on__gte=start,
            check_ins__due_on__lte=end,
            check_ins__status=CheckIn.Status.COMPLETED,
            check_ins__outcome=CheckIn.Outcome.EMPLOYED,
        )
    return placements.values(resident=F("pathway__resident"))
