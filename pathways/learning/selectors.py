"""Reads of modules and enrolments, scoped to the caller (pathways.scopes), and what a project's modules reached."""

from django.db.models import F, QuerySet

from ..placements.models import CheckIn, Placement
from ..scopes import visible_to
from .models import Enrolment, Module


def module_list(*, user) -> QuerySet[Module]:
    return visible_to(user, Module)


def enrolment_list(*, user) -> QuerySet[Enrolment]:
    return visible_to(user, Enrolment).select_related("pathway__resident")


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
