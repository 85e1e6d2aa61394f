"""Outcomes for coordinators (contract §8): do residents stay in work, and where are they now? Each report is
computed by the database in one query."""

from datetime import date, datetime

from django.db.models import CharField, Count, Exists, F, FilteredRelation, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone

from ..journey.models import Resident
from ..journey.stages import Stage
from ..learning.models import Enrolment
from ..placements.models import CheckIn, Placement

MILESTONES = (30, 90, 180, 365)
COUNTED = (Placement.Status.CONFIRMED, Placement.Status.ENDED)  # proposed and declined ones never started


def _user_name(user: str):
    """A user's full name, or their username when they have none."""
    full_name = Trim(Concat(f"{user}__first_name", Value(" "), f"{user}__last_name"))
    return Coalesce(NullIf(full_name, Value("")), f"{user}__username", output_field=CharField())


# groupBy → (the group's id, the group's name), as paths from a placement.
GROUPS = {
    "neighbourhood": ("pathway__resident__neighbourhood", F("pathway__resident__neighbourhood__name")),
    "programme": ("pathway__resident__programme", F("pathway__resident__programme__name")),
    "employer": ("employer", F("employer__name")),
    # A placement counts for every module its pathway followed (dropped ones excepted).
    "module": ("seated__module", F("seated__module__title")),
    "coach": ("pathway__resident__coach", _user_name("pathway__resident__coach")),
}
# The same for the stages report, as paths from a resident.
STAGE_GROUPS = {
    "neighbourhood": ("neighbourhood", F("neighbourhood__name")),
    "programme": ("programme", F("programme__name")),
    "coach": ("coach", _user_name("coach")),
}


def retention_report(*, group_by: str, today: date) -> list[dict]:
    """Per group: the placements that started, and for each milestone day how many were eligible (that day's
    check-in has fallen due or was held) and retained (it was held and the resident was employed)."""
    group_id, group_name = GROUPS[group_by]
    eligible = Q(check_ins__due_on__lte=today) | Q(check_ins__status=CheckIn.Status.COMPLETED)
    retained = Q(check_ins__status=CheckIn.Status.COMPLETED, check_ins__outcome=CheckIn.Outcome.EMPLOYED)
    counts = {"placements": Count("id", distinct=True)}
    for day in MILESTONES:
        counts[f"eligible_{day}"] = Count("id", distinct=True, filter=Q(check_ins__day=day) & eligible)
        counts[f"retained_{day}"] = Count("id", distinct=True, filter=Q(check_ins__day=day) & retained)
    rows = (
        Placement.objects.filter(status__in=COUNTED)
        .annotate(
            seated=FilteredRelation(
                "pathway__enrolments", condition=Q(pathway__enrolments__status__in=Enrolment.SEATED)
            )
        )
        .values(group_id=F(group_id), group_name=group_name)
        .annotate(**counts)
        .order_by(F("group_name").asc(nulls_last=True), "group_id")
    )
    return [_result(row) for row in rows]


def _result(row: dict) -> dict:
    milestones = {}
    for day in MILESTONES:
        eligible, retained = row[f"eligible_{day}"], row[f"retained_{day}"]
        milestones[str(day)] = {
            "eligible": eligible,
            "retained": retained,
            "rate": round(retained / eligible, 4) if eligible else None,
        }
    return {
        "group": {"id": row["group_id"], "name": row["group_name"]},
        "placements": row["placements"],
        "milestones": milestones,
    }


def stage_report(*, group_by: str) -> list[dict]:
    """Per group: how many residents are at each stage (of their current pathway), and how many there are in all.
    Erased residents count like any other; residents without a group form the group with a null id and name."""
    group_id, group_name = STAGE_GROUPS[group_by]
    counts = {stage.value: Count("id", filter=Q(current_pathway__stage=stage)) for stage in Stage}
    rows = (
        Resident.objects.values(group_id=F(group_id), group_name=group_name)
        .annotate(**counts, total=Count("id"))
        .order_by(F("group_name").asc(nulls_last=True), "group_id")
    )
    return [
        {
            "group": {"id": row["group_id"], "name": row["group_name"]},
            "stages": {stage.value: row[stage.value] for stage in Stage},
            "total": row["total"],
        }
        for row in rows
    ]


def programme_reach(*, programme_id: int, year: int) -> dict:
    """Contract §12: the residents of a programme reached in a calendar year (in the coalition's time zone) — with
    an enrolment (dropped ones never count, as in §11) or a placement proposed in it — and, of the placements
    proposed in it, those that started (§8) and those retained at day 180. A resident has one programme, so no one
    counts under two."""
    start, end = (timezone.make_aware(datetime(y, 1, 1)) for y in (year, year + 1))  # instants: index-friendly
    enrolled = Enrolment.objects.filter(
        pathway__resident=OuterRef("pk"), status__in=Enrolment.SEATED, enrolled_at__gte=start, enrolled_at__lt=end
    )
    proposed = {"proposed_at__gte": start, "proposed_at__lt": end}
    reached = Resident.objects.filter(
        Exists(enrolled) | Exists(Placement.objects.filter(pathway__resident=OuterRef("pk"), **proposed)),
        programme=programme_id,
    ).count()
    retained = CheckIn.objects.filter(
        placement=OuterRef("pk"), day=180, status=CheckIn.Status.COMPLETED, outcome=CheckIn.Outcome.EMPLOYED
    )
    placements = Placement.objects.filter(
        pathway__resident__programme=programme_id, status__in=COUNTED, **proposed
    ).aggregate(placements=Count("id"), retained180=Count("id", filter=Exists(retained)))
    return {"residents_reached": reached, **placements}
