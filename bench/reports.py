"""How much the API costs over the database for the figures of contract §11: a project's indicator periods with their
computed actuals, and the effort-impact matrix of a round, each against one hand-written SQL statement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/werkpad python bench/reports.py [--residents 100000]

Works in its own database (werkpad_bench_reports on the server DATABASE_URL names; created when missing, seeded
once and reused): the demo coalition from `seed_demo --residents N`, plus 50 projects, each with a module of its own
to which the demo's enrolments are spread (every pathway's enrolments over different modules), 12 periods each
(two years of six indicators: four computed from the pathway data, two reported — one summed, one the last —
with a year of approved results), and an evaluation each in one round (through the service, so that pearls are
kept as in use), spread over the four quadrants.

Both sides are measured in one process, interleaved, after a warm-up, and must return the same JSON:

- API: a coordinator's request with a real knox token through Django's test client, the whole stack.
- Baseline: one statement through psycopg returning the same figures (the actuals computed by correlated
  subqueries, the pearls and domains by the database), turned into the same JSON by orjson; the progress computed
  in Python as the API computes it. The ratio is what Django and DRF add on top of the database's own work.
- Full baseline: the same in a transaction after the token is checked as the API checks it (bench/list_api.py's
  `authenticated`): the work any endpoint has to do, so that the ratio to it is what the framework adds.

It also counts the queries of /indicator-periods at pages of 1, 6 and 12 periods (computed and reported alike):
the actuals are computed in the query of the page, so the count must not grow with the periods.
"""

import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.list_api import authenticated, coordinator_token, medians, prepared

TARGET_RATIO = 3.0
PROJECTS = 50
PREFIX = "Bench project"
ROUND = "2026"
# name → (source, aggregation): four computed, two reported
INDICATORS = {
    "Bench: residents reached": ("residents_reached", "sum"),
    "Bench: modules completed": ("modules_completed", "sum"),
    "Bench: placements confirmed": ("placements_confirmed", "sum"),
    "Bench: retained at day 180": ("retained_180", "sum"),
    "Bench: visitors a week": ("manual", "last"),
    "Bench: meals": ("manual", "sum"),
}
SEATED = "('enrolled', 'completed')"
DAY = "(({column}) AT TIME ZONE 'Europe/Amsterdam')::date BETWEEN ip.period_start AND ip.period_end"
# A placement of a pathway with a (not dropped) enrolment in one of the period's project's modules.
PLACED = f"""
    pl.status IN ('confirmed', 'ended') AND EXISTS (
        SELECT 1 FROM pathways_enrolment e JOIN pathways_module m ON m.id = e.module_id
        WHERE e.pathway_id = pl.pathway_id AND m.project_id = ip.project_id AND e.status IN {SEATED})"""
RETAINED = """(
    SELECT count(DISTINCT pw.resident_id) FROM pathways_placement pl
    JOIN pathways_pathway pw ON pw.id = pl.pathway_id
    JOIN pathways_checkin c ON c.placement_id = pl.id
    WHERE {placed} AND c.day = {day} AND c.due_on BETWEEN ip.period_start AND ip.period_end
      AND c.status = 'completed' AND c.outcome = 'employed')"""
APPROVED = "FROM evaluation_result r WHERE r.period_id = ip.id AND r.status = 'approved'"
PERIODS_SQL = f"""
SELECT (SELECT count(*) FROM evaluation_indicatorperiod WHERE project_id = %(project)s),
       ip.id, ip.project_id, ip.indicator_id, ip.period_start, ip.period_end, ip.baseline, ip.target, i.direction,
       CASE
         WHEN i.source = 'residents_reached' THEN (
           SELECT count(DISTINCT pw.resident_id)::numeric(16, 2) FROM pathways_enrolment e
           JOIN pathways_module m ON m.id = e.module_id JOIN pathways_pathway pw ON pw.id = e.pathway_id
           WHERE m.project_id = ip.project_id AND e.status IN {SEATED} AND {DAY.format(column="e.enrolled_at")})
         WHEN i.source = 'modules_completed' THEN (
           SELECT count(DISTINCT pw.resident_id)::numeric(16, 2) FROM pathways_enrolment e
           JOIN pathways_module m ON m.id = e.module_id JOIN pathways_pathway pw ON pw.id = e.pathway_id
           WHERE m.project_id = ip.project_id AND e.status = 'completed' AND {DAY.format(column="e.completed_at")})
         WHEN i.source = 'placements_confirmed' THEN (
           SELECT count(DISTINCT pw.resident_id)::numeric(16, 2) FROM pathways_placement pl
           JOIN pathways_pathway pw ON pw.id = pl.pathway_id
           WHERE {PLACED} AND {DAY.format(column="pl.confirmed_at")})
         WHEN i.source = 'retained_180' THEN {RETAINED.format(placed=PLACED, day=180)}::numeric(16, 2)
         WHEN i.source = 'retained_365' THEN {RETAINED.format(placed=PLACED, day=365)}::numeric(16, 2)
         WHEN i.aggregation = 'sum' THEN (SELECT sum(r.value) {APPROVED})
         WHEN i.aggregation = 'average' THEN (SELECT round(avg(r.value), 2) {APPROVED})
         ELSE (SELECT r.value {APPROVED} ORDER BY r.measured_on DESC, r.id DESC LIMIT 1)
       END
FROM evaluation_indicatorperiod ip JOIN evaluation_indicator i ON i.id = ip.indicator_id
WHERE ip.project_id = %(project)s
ORDER BY i.name, i.id, ip.period_start, ip.id  -- the periods' order: by their indicator's, which is by name
LIMIT 50
"""
MATRIX_SQL = """
SELECT p.id, p.name, e.impact, e.effort,
       CASE WHEN e.impact > 3 THEN CASE WHEN e.effort > 3 THEN 'major_project' ELSE 'quick_win' END
            ELSE CASE WHEN e.effort > 3 THEN 'thankless' ELSE 'fill_in' END END,
       e.decision,
       p.latest_evaluation_high_impact_continue AND (
         SELECT count(*) FROM coalition_projectdomain d WHERE d.project_id = p.id AND d.share >= 20) >= 2,
       (SELECT coalesce(json_agg(json_build_object('domain', d.domain, 'share', d.share) ORDER BY d.share DESC, d.id),
                        '[]')
        FROM coalition_projectdomain d WHERE d.project_id = p.id)
FROM evaluation_evaluation e JOIN coalition_project p ON p.id = e.project_id
WHERE e.round = %s
ORDER BY p.name, p.id
"""
PERIOD_KEYS = ("id", "project", "indicator", "periodStart", "periodEnd", "baseline", "target")
DOMAINS = ["work_economy", "education", "housing", "health", "safety", "participation_poverty", "social_cohesion"]


def progress(actual, target, direction) -> float | None:
    """As the API computes it (evaluation.models.IndicatorPeriod.progress)."""
    if actual is None or target is None:
        return None
    numerator, denominator = (target, actual) if direction == "decrease" else (actual, target)
    return None if denominator == 0 else round(float(numerator / denominator), 4)


def periods_baseline(conn: psycopg.Connection, project: int) -> bytes:
    rows = conn.execute(PERIODS_SQL, {"project": project}).fetchall()
    results = []
    for row in rows:
        period = dict(zip(PERIOD_KEYS, row[1:8], strict=True))
        actual, direction = row[9], row[8]
        period["actual"] = actual
        period["progress"] = progress(actual, period["target"], direction)
        results.append(period)
    count = rows[0][0] if rows else 0
    return orjson.dumps({"count": count, "next": None, "previous": None, "results": results}, default=str)


def matrix_baseline(conn: psycopg.Connection, round: str) -> bytes:
    keys = ("impact", "effort", "quadrant", "decision", "isPearl", "domains")
    results = [{"project": {"id": row[0], "name": row[1]}, **dict(zip(keys, row[2:], strict=True))} for row in
               conn.execute(MATRIX_SQL, [round]).fetchall()]  # fmt: skip
    return orjson.dumps({"round": round, "results": results}, default=str)


def seed_projects(user_id: int) -> None:
    """50 projects with a module each, the demo's enrolments spread over those modules, 12 periods each with a
    year of approved results for the reported indicators, and an evaluation each (once; reused after)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from coalition.models import Organisation, Project, ProjectDomain, User
    from evaluation import services
    from evaluation.models import SUGGESTED, Indicator, IndicatorPeriod, Result, quadrant_of
    from evaluation.reviews import Status
    from history.context import system_context
    from pathways.models import Module

    if Project.objects.filter(name__startswith=PREFIX).count() == PROJECTS:
        return
    print(f"Adding {PROJECTS} projects with a module, 12 periods and an evaluation each …")
    rng = random.Random(11)
    today = timezone.localdate()
    lead = Organisation.objects.filter(kind=Organisation.Kind.NEIGHBOURHOOD_ORGANISATION).first()
    provider = Organisation.objects.filter(kind=Organisation.Kind.EDUCATION).first()
    with system_context("bench"), transaction.atomic():
        projects = [
            Project.objects.create(name=f"{PREFIX} {n:02d}", lead_organisation=lead, starts_on=today.replace(day=1))
            for n in range(1, PROJECTS + 1)
        ]
        for project in projects:
            first, second = rng.sample(DOMAINS, 2)
            share = rng.choice([10, 20, 30, 50])
            ProjectDomain.objects.bulk_create(
                [ProjectDomain(project=project, domain=first, share=100 - share), ProjectDomain(
                    project=project, domain=second, share=share)]
            )  # fmt: skip
        modules = [
            Module.objects.create(
                title=f"{project.name}: werkervaring",
                theme=Module.Theme.OTHER,
                provider=provider,
                hours=40,
                capacity=10000,
                starts_on=today - timedelta(days=5 * 366),
                ends_on=today + timedelta(days=366),
                project=project,
            )
            for project in projects
        ]
        with connection.cursor() as cursor:  # each pathway's enrolments to different modules: once per module
            cursor.execute(
                """
                UPDATE pathways_enrolment e SET module_id = (%s::bigint[])[1 + (spread.n %% %s)]
                FROM (SELECT id, pathway_id + row_number() OVER (PARTITION BY pathway_id ORDER BY id) AS n
                      FROM pathways_enrolment) spread
                WHERE spread.id = e.id
                """,
                [[module.id for module in modules], PROJECTS],
            )
        indicators = [
            Indicator.objects.get_or_create(
                name=name, defaults={"unit": "count", "direction": "increase", "source": source, "aggregation": how}
            )[0]
            for name, (source, how) in INDICATORS.items()
        ]
        years = [date(today.year - 1, 1, 1), date(today.year, 1, 1)]
        periods = IndicatorPeriod.objects.bulk_create(
            IndicatorPeriod(
                project=project,
                indicator=indicator,
                period_start=start,
                period_end=start.replace(month=12, day=31),
                baseline=Decimal(rng.randrange(0, 500)),
                target=Decimal(rng.randrange(1, 1000)),
            )
            for project in projects
            for indicator in indicators
            for start in years
        )
        coordinator = User.objects.get(pk=user_id)
        Result.objects.bulk_create(
            Result(
                period=period,
                value=Decimal(rng.randrange(50, 1000)),
                measured_on=measured,
                status=Status.APPROVED,
                created_by=coordinator,
                submitted_by=coordinator,
                reviewed_by=coordinator,
                submitted_at=timezone.now(),
                reviewed_at=timezone.now(),
            )
            for period in periods
            if period.indicator.source == Indicator.Source.MANUAL
            for month in range(1, 13)
            if (measured := period.period_start.replace(month=month, day=15)) <= today
        )
        for project in projects:
            impact, effort = Decimal(rng.randrange(10, 51)) / 10, Decimal(rng.randrange(10, 51)) / 10
            decision = SUGGESTED[quadrant_of(impact, effort)]
            services.evaluation_create(
                by=coordinator, project=project, round=ROUND, impact=impact, effort=effort, decision=decision
            )


def main() -> None:
    args, database_url = prepared(
        __doc__.splitlines()[0], residents=100_000, repeat=300, warmup=30, database="werkpad_bench_reports"
    )

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from coalition.models import Project
    from pathways.models import Enrolment

    user_id, token = coordinator_token()
    seed_projects(user_id)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")

    # The project its module reached most residents through: the costliest computed actuals.
    busiest = (
        Enrolment.objects.filter(module__project__name__startswith=PREFIX)
        .values_list("module__project", flat=True)
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    project = Project.objects.get(pk=busiest)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    conn = psycopg.connect(database_url, autocommit=True)
    periods_path = f"/api/v1/indicator-periods?project={project.pk}&pageSize=50"
    matrix_path = f"/api/v1/reports/effort-impact?round={ROUND}"

    def request(path: str, accept: str = "application/json") -> bytes:
        response = client.get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 200, response.content[:2000]
        return response.content

    comparisons = {
        "periods": (periods_path, lambda: periods_baseline(conn, project.pk)),
        "matrix": (matrix_path, lambda: matrix_baseline(conn, ROUND)),
    }
    for name, (path, baseline) in comparisons.items():
        if orjson.loads(request(path)) != orjson.loads(baseline()):
            print(orjson.loads(request(path)), orjson.loads(baseline()), sep="\n")
            sys.exit(f"The API and the baseline disagree on the {name}; the comparison would be meaningless.")
    figures = orjson.loads(request(periods_path))["results"]
    print(f"{project.name}: {len(figures)} periods, actuals {sorted(float(p['actual'] or 0) for p in figures)}")

    queries = {}
    for size in (1, 6, 12):
        with CaptureQueriesContext(connection) as captured:
            shown = orjson.loads(request(f"/api/v1/indicator-periods?project={project.pk}&pageSize={size}"))
        assert len(shown["results"]) == size
        queries[size] = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        request(matrix_path)
    matrix_queries = len(captured.captured_queries)

    def full(baseline):
        def run() -> bytes:
            with conn.transaction():
                authenticated(conn, token)
                return baseline()

        return run

    sides = {
        "periods api": lambda: request(periods_path),
        "periods baseline": comparisons["periods"][1],
        "periods full": full(comparisons["periods"][1]),
        "matrix api": lambda: request(matrix_path),
        "matrix baseline": comparisons["matrix"][1],
        "matrix full": full(comparisons["matrix"][1]),
    }
    ms = medians(sides, warmup=args.warmup, repeat=args.repeat)
    svg = []
    for _ in range(20):  # the chart has no baseline to compare with: a few, for its order of magnitude
        start = time.perf_counter()
        request(matrix_path, "image/svg+xml")
        svg.append(time.perf_counter() - start)

    print(f"{args.repeat} requests per side after {args.warmup} warm-up, medians:")
    for name, path, count in (("periods", periods_path, queries[12]), ("matrix", matrix_path, matrix_queries)):
        api_ms, base_ms, full_ms = ms[f"{name} api"], ms[f"{name} baseline"], ms[f"{name} full"]
        print(f"  GET {path}")
        print(f"    baseline (one statement, psycopg + orjson): {base_ms:8.3f} ms")
        print(f"    full baseline (+ the token checked):        {full_ms:8.3f} ms")
        print(f"    API (full Django/DRF stack):                {api_ms:8.3f} ms, {count} queries")
        for against, ms_ in (("the statement", base_ms), ("the full baseline", full_ms)):
            ratio = api_ms / ms_
            verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
            print(f"    ratio to {against}: {ratio:.2f}x (target ≤ {TARGET_RATIO}x) {verdict}")
    print(f"  the matrix as an SVG chart (matplotlib), 20 requests: {statistics.median(svg) * 1000:.1f} ms median")
    flat = "independent of the periods" if len(set(queries.values())) == 1 else "GROWING with the periods"
    print(f"  queries of /indicator-periods at 1, 6 and 12 periods: {list(queries.values())} — {flat}")


if __name__ == "__main__":
    main()
