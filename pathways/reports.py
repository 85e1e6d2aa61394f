"""Outcomes for coordinators (contract §8): do residents stay in work? Computed by the database in one query."""

from datetime import date

from django.db.models import CharField, Count, F, FilteredRelation, Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from .models import CheckIn, Enrolment, Placement

MILESTONES = (30, 90, 180, 365)
COUNTED = (Placement.Status.CONFIRMED, Placement.Status.ENDED)  # proposed and declined ones never started

_COACH_NAME = Coalesce(
    NullIf(
        Trim(Concat("pathway__resident__coach__first_name", Value(" "), "pathway__resident__coach__last_name")),
        Value(""),
    ),
    "pathway__resident__coach__username",
    output_field=CharField(),
)

# groupBy → (the group's id, the group's name), as paths from a placement.
GROUPS = {
    "neighbourhood": ("pathway__resident__neighbourhood", F("pathway__resident__neighbourhood__name")),
    "programme": ("pathway__resident__programme", F("pathway__resident__programme__name")),
    "employer": ("employer", F("employer__name")),
    # A placement counts for every module its pathway followed (dropped ones excepted).
    "module": ("seated__module", F("seated__module__title")),
    "coach": ("pathway__resident__coach", _COACH_NAME),
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
