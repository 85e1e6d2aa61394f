"""Reads, scoped to the caller: coordinators see every period, result and evaluation; everyone else those of the
projects they are a member of (their organisation leads it or is a partner). The catalogue is everyone's."""

from collections import defaultdict
from functools import cache

from django.db.models import Avg, Case, Count, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Round
from django.shortcuts import get_object_or_404

from api.serializers import acting_role
from coalition.models import Project, ProjectDomain, Role, is_pearl
from coalition.selectors import member_projects
from pathways.learning.selectors import project_residents

from .models import Evaluation, Indicator, IndicatorPeriod, Result, quadrant_of
from .reviews import Status

Source, Aggregation = Indicator.Source, Indicator.Aggregation
COMPUTED = [source for source in Source.values if source != Source.MANUAL]
AMOUNT = DecimalField(max_digits=16, decimal_places=2)


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.all()


def visible_projects(*, user) -> QuerySet[Project]:
    return Project.objects.all() if acting_role(user) == Role.COORDINATOR else member_projects(user=user)


def indicator_period_list(*, user) -> QuerySet[IndicatorPeriod]:
    periods = IndicatorPeriod.objects.filter(project__in=visible_projects(user=user))
    return with_actual(periods.select_related("indicator"))


def result_list(*, user) -> QuerySet[Result]:
    return Result.objects.filter(period__project__in=visible_projects(user=user))


def evaluation_list(*, user) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(project__in=visible_projects(user=user))


def effort_impact_report(*, round: str) -> dict:
    """The evaluations of a round, by project name, with their projects' quadrant, pearl and domains: two queries
    of plain rows."""
    rows = (
        Evaluation.objects.filter(round=round)
        .order_by("project__name", "project_id")
        .values(
            "project_id",
            "impact",
            "effort",
            "decision",
            name=F("project__name"),
            high_impact_continue=F("project__latest_evaluation_high_impact_continue"),
        )
    )
    domains = defaultdict(list)
    for domain in ProjectDomain.objects.filter(project__evaluations__round=round).values(
        "project_id", "domain", "share"
    ):
        domains[domain.pop("project_id")].append(domain)
    results = [
        {
            "project": {"id": row["project_id"], "name": row["name"]},
            "impact": row["impact"],
            "effort": row["effort"],
            "quadrant": quadrant_of(row["impact"], row["effort"]),
            "decision": row["decision"],
            "is_pearl": is_pearl(row["high_impact_continue"], [d["share"] for d in domains[row["project_id"]]]),
            "domains": domains[row["project_id"]],
        }
        for row in rows
    ]
    return {"round": round, "results": results}


def indicator_report(*, project: int) -> dict:
    """Every period of a project (404 when there is no such project), computed as /indicator-periods computes
    them, by indicator and start."""
    shown = get_object_or_404(Project.objects.only("id", "name"), pk=project)
    periods = IndicatorPeriod.objects.filter(project=shown).select_related("indicator")
    return {
        "project": shown,
        "results": with_actual(periods).order_by("indicator__name", "indicator_id", "period_start", "id"),
    }


def with_actual(periods: QuerySet[IndicatorPeriod]) -> QuerySet[IndicatorPeriod]:
    """Each period with its `actual`, computed by the database in the query of the periods themselves: the
    aggregation of its approved results for a manual indicator, the distinct residents reached for a computed one."""
    return periods.annotate(actual=_actual())


@cache  # built once: an expression is copied as each query resolves it, never changed (half a list's time)
def _actual() -> Case:
    approved = Result.objects.filter(period=OuterRef("pk"), status=Status.APPROVED).order_by()
    manual = {
        Aggregation.SUM: _one(approved.values("period").annotate(v=Sum("value")).values("v")),
        Aggregation.AVERAGE: _one(approved.values("period").annotate(v=Round(Avg("value"), 2)).values("v")),
        Aggregation.LAST: _one(approved.order_by("-measured_on", "-id").values("value")),
    }
    computed = {
        source: Coalesce(
            _one(
                project_residents(
                    measure=source,
                    project=OuterRef("project"),
                    start=OuterRef("period_start"),
                    end=OuterRef("period_end"),
                )
                .order_by()
                .annotate(group=Value(1))
                .values("group")
                .annotate(v=Count("resident", distinct=True))
                .values("v")
            ),
            0,
            output_field=AMOUNT,
        )
        for source in COMPUTED
    }
    return Case(
        *[When(indicator__source=source, then=value) for source, value in computed.items()],
        *[When(indicator__aggregation=aggregation, then=value) for aggregation, value in manual.items()],
        output_field=AMOUNT,
    )


def _one(rows: QuerySet) -> Subquery:
    return Subquery(rows[:1], output_field=AMOUNT)
