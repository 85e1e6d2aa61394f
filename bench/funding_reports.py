"""How much the money reports (contract §12) cost over the database: each report through the real API against one
hand-written SQL statement returning the same figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/werkpad python bench/funding_reports.py [--residents 100000]
        [--transactions 1000000]

Works in its own database (werkpad_bench_funding on the server DATABASE_URL names; created when missing, seeded
once and reused): `seed_demo --residents N`, the residents spread over three programmes, 50 projects with their
domains, allocations per programme, project and year, and the transactions written set-wise (INSERT … SELECT
generate_series), the allocations' running sums then set from them as funding.services keeps them.

- API: a coordinator's GET with a real knox token through Django's test client (the whole stack), JSON.
- Baseline: one statement through psycopg that computes the same report — largest-remainder splits included, in
  window functions — and builds the same JSON document in PostgreSQL; asserted equal to the API's answer.
Both sides run interleaved after a warm-up; the ratio of the medians is printed (target ≤ 2x). Both run with
PostgreSQL's JIT as `--jit` says (off by default): the reports' plans are costly enough that the server compiles
them, which takes longer than running them (README, "Benchmarks").
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import psycopg
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.list_api import bench_database_url, coordinator_token, seed, setup_django

TARGET_RATIO = 2.0
YEAR = 2026
YEARS = range(2023, YEAR + 1)
PROJECTS = 50

# The co-financing of each (project, year) split over the programmes' allocations by largest remainder.
CO_FINANCING_SQL = """
shares AS (
  SELECT c.project_id, c.year, a.programme_id, a.amount AS weight, c.cents,
         floor(c.cents * a.amount / sum(a.amount) OVER w) AS whole,
         c.cents * a.amount - floor(c.cents * a.amount / sum(a.amount) OVER w) * sum(a.amount) OVER w AS rest,
         sum(a.amount) OVER w AS total
  FROM (SELECT project_id, year, round(sum(amount) * 100) AS cents FROM funding_cofinancing
        WHERE year <= %(year)s GROUP BY project_id, year) c
  JOIN funding_allocation a ON a.project_id = c.project_id AND a.year = c.year
  WINDOW w AS (PARTITION BY c.project_id, c.year)
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY project_id, year ORDER BY rest DESC, weight DESC, programme_id) AS place,
         cents - sum(whole) OVER (PARTITION BY project_id, year) AS leftover
  FROM shares WHERE total > 0
),
co AS (
  SELECT project_id, sum(whole + CASE WHEN place <= leftover THEN 1 ELSE 0 END) / 100 AS amount
  FROM ranked WHERE programme_id = %(programme)s GROUP BY project_id
)"""

ACCOUNTABILITY_SQL = f"""
WITH {CO_FINANCING_SQL},
per_project AS (
  SELECT a.project_id, p.name, p.stopped_at IS NOT NULL OR coalesce(p.ends_on < %(today)s, false) AS finished,
         count(*) FILTER (WHERE a.year = %(year)s) AS allocations,
         coalesce(sum(a.amount) FILTER (WHERE a.year = %(year)s), 0) AS allocated,
         coalesce(sum(a.committed) FILTER (WHERE a.year = %(year)s), 0) AS committed,
         coalesce(sum(a.disbursed) FILTER (WHERE a.year = %(year)s), 0) AS disbursed,
         coalesce(sum(a.spent) FILTER (WHERE a.year = %(year)s), 0) AS spent_in_year,
         sum(a.spent) AS spent_cumulative, coalesce(max(co.amount), 0) AS co_financing
  FROM funding_allocation a JOIN coalition_project p ON p.id = a.project_id
  LEFT JOIN co ON co.project_id = a.project_id
  WHERE a.programme_id = %(programme)s AND a.year <= %(year)s
  GROUP BY a.project_id, p.name, p.stopped_at, p.ends_on
),
reached AS (
  SELECT count(*) AS residents FROM pathways_resident r
  WHERE r.programme_id = %(programme)s AND (
    EXISTS (SELECT 1 FROM pathways_enrolment e JOIN pathways_pathway w ON w.id = e.pathway_id
            WHERE w.resident_id = r.id AND e.status IN ('enrolled', 'completed')
              AND e.enrolled_at >= %(start)s AND e.enrolled_at < %(stop)s)
    OR EXISTS (SELECT 1 FROM pathways_placement pl JOIN pathways_pathway w ON w.id = pl.pathway_id
               WHERE w.resident_id = r.id AND pl.proposed_at >= %(start)s AND pl.proposed_at < %(stop)s))
),
placed AS (
  SELECT count(*) AS placements,
         count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pathways_checkin c WHERE c.placement_id = pl.id AND c.day = 180
                                        AND c.status = 'completed' AND c.outcome = 'employed')) AS retained
  FROM pathways_placement pl JOIN pathways_pathway w ON w.id = pl.pathway_id
  JOIN pathways_resident r ON r.id = w.resident_id
  WHERE r.programme_id = %(programme)s AND pl.status IN ('confirmed', 'ended')
    AND pl.proposed_at >= %(start)s AND pl.proposed_at < %(stop)s
),
totals AS (
  SELECT coalesce(sum(allocated), 0) AS allocated, coalesce(sum(committed), 0) AS committed,
         coalesce(sum(disbursed), 0) AS disbursed, coalesce(sum(spent_in_year), 0) AS spent_in_year,
         coalesce(sum(spent_cumulative), 0) AS spent_cumulative, coalesce(sum(co_financing), 0) AS co_financing
  FROM per_project
)
SELECT json_build_object(
  'programme', json_build_object('id', g.id, 'name', g.name, 'kind', g.kind), 'year', %(year)s,
  'budget', g.budget::text, 'allocated', t.allocated::text, 'committed', t.committed::text,
  'disbursed', t.disbursed::text, 'spentInYear', t.spent_in_year::text, 'spentCumulative', t.spent_cumulative::text,
  'coFinancingCumulative', t.co_financing::numeric(14, 2)::text,
  'coFinancingRequired', round(g.co_financing_ratio * t.spent_cumulative, 2)::text,
  'coFinancingMet', t.co_financing >= round(g.co_financing_ratio * t.spent_cumulative, 2),
  'residentsReached', (SELECT residents FROM reached), 'placements', pl.placements, 'retained180', pl.retained,
  'projects', coalesce((SELECT json_agg(json_build_object(
      'project', json_build_object('id', project_id, 'name', name), 'allocated', allocated::text,
      'spentInYear', spent_in_year::text, 'spentCumulative', spent_cumulative::text,
      'coFinancingCumulative', co_financing::numeric(14, 2)::text, 'finished', finished) ORDER BY name, project_id)
    FROM per_project WHERE allocations > 0), '[]'))
FROM coalition_programme g, totals t, placed pl WHERE g.id = %(programme)s
"""

# Each expenditure split over its project's domains by largest remainder, then added up per domain and programme.
# Grouped as the API groups (funding.reports.domain_report): by project, programme, sign and the cents modulo the
# shares' total (100 for every bench project), each group split once.
DOMAINS_SQL = """
WITH spent AS (
  SELECT a.project_id, a.programme_id, sign(t.amount) AS sign, round(abs(t.amount) * 100)::bigint %% 100 AS cents,
         sum(round(abs(t.amount) * 100)::bigint / 100) AS multiples, count(*) AS n
  FROM funding_transaction t JOIN funding_allocation a ON a.id = t.allocation_id
  WHERE t.kind = 'expenditure' AND t.date BETWEEN make_date(%(year)s, 1, 1) AND make_date(%(year)s, 12, 31)
  GROUP BY 1, 2, 3, 4
),
parts AS (
  SELECT s.*, d.domain, d.share, d.id AS listed, sum(d.share) OVER w AS total,
         floor(s.cents * d.share / sum(d.share) OVER w) AS whole,
         (s.cents * d.share) %% sum(d.share) OVER w AS rest
  FROM spent s JOIN coalition_projectdomain d ON d.project_id = s.project_id
  WINDOW w AS (PARTITION BY s.project_id, s.programme_id, s.sign, s.cents)
),
ranked AS (
  SELECT *, whole + CASE WHEN row_number() OVER (PARTITION BY project_id, programme_id, sign, cents
                                                 ORDER BY rest DESC, share DESC, listed)
                              <= cents - sum(whole) OVER (PARTITION BY project_id, programme_id, sign, cents)
                         THEN 1 ELSE 0 END AS part
  FROM parts
),
by_programme AS (
  SELECT r.domain, r.programme_id, g.name, sum(r.sign * (r.part * r.n + r.multiples * r.share)) / 100 AS amount,
         array_agg(DISTINCT r.project_id) AS projects
  FROM ranked r JOIN coalition_programme g ON g.id = r.programme_id GROUP BY 1, 2, 3
),
domains AS (
  SELECT d.domain, d.position, coalesce(sum(b.amount), 0) AS amount,
         json_agg(json_build_object('programme', json_build_object('id', b.programme_id, 'name', b.name),
                                    'spent', b.amount::numeric(14, 2)::text) ORDER BY b.name, b.programme_id)
           FILTER (WHERE b.domain IS NOT NULL) AS by_programme,
         (SELECT count(DISTINCT p) FROM by_programme b2, unnest(b2.projects) p WHERE b2.domain = d.domain) AS projects
  FROM unnest(%(domains)s::text[]) WITH ORDINALITY AS d(domain, position)
  LEFT JOIN by_programme b ON b.domain = d.domain
  GROUP BY d.domain, d.position
)
SELECT json_build_object('year', %(year)s,
  'spent', (SELECT coalesce(sum(amount), 0) FROM domains)::numeric(14, 2)::text,
  'results', json_agg(json_build_object('domain', domain, 'spent', amount::numeric(14, 2)::text,
                                        'byProgramme', coalesce(by_programme, '[]'), 'projects', projects)
                      ORDER BY position))
FROM domains
"""


def seed_money(transactions: int) -> None:
    """Three programmes over the residents, 50 projects, allocations and `transactions` transactions, once (in one
    transaction: a failure leaves nothing half-seeded)."""
    from datetime import date

    from django.db import connection

    from coalition.models import Domain, Organisation, Programme, Project, ProjectDomain
    from funding.models import Allocation, CoFinancing, Transaction

    if Transaction.objects.count() >= transactions:
        print(f"{Transaction.objects.count()} transactions already seeded.")
        return
    programmes = list(Programme.objects.order_by("id")[:2])
    programmes.append(
        Programme.objects.get_or_create(
            name="Werkbudget Den Haag",
            defaults={
                "kind": "municipal",
                "budget": "900000000.00",
                "starts_on": date(2022, 1, 1),
                "ends_on": date(2030, 12, 31),
                "co_financing_ratio": "0.50",
            },
        )[0]
    )
    Programme.objects.filter(pk=programmes[0].pk).update(co_financing_ratio="1.00")
    lead = Organisation.objects.order_by("id").first()
    domains = list(Domain.values)
    projects = []
    for n in range(PROJECTS):
        project, created = Project.objects.get_or_create(
            name=f"Bench project {n}", defaults={"lead_organisation": lead, "starts_on": date(2022, 1, 1)}
        )
        if created:
            shares = [(60, 40), (33, 33, 34), (50, 25, 25), (100,)][n % 4]
            ProjectDomain.objects.bulk_create(
                ProjectDomain(project=project, domain=domains[(n + i) % len(domains)], share=share)
                for i, share in enumerate(shares)
            )
        projects.append(project)
    with connection.cursor() as cursor:  # residents over the three programmes, set-wise
        ids = [programme.pk for programme in programmes]
        cursor.execute("UPDATE pathways_resident SET programme_id = (%s::bigint[])[id %% 3 + 1]", [ids])
    allocations = [
        Allocation(programme=programme, project=project, year=year, amount="5000000.00")
        for programme in programmes
        for project in projects
        for year in YEARS
        if (project.pk + programme.pk + year) % 5  # not every programme funds every project every year
    ]
    Allocation.objects.bulk_create(allocations, ignore_conflicts=True)
    CoFinancing.objects.bulk_create(
        CoFinancing(
            project=project,
            organisation=lead,
            year=year,
            amount=f"{(project.pk * 7919 + year) % 90000}.37",
            form="cash",
            sector="public",
        )
        for project in projects
        for year in YEARS
    )
    user_id = coordinator_token()[0]
    batch = 100_000
    with connection.cursor() as cursor, tqdm(total=transactions, unit=" transactions", desc="Transactions") as bar:
        for first in range(0, transactions, batch):
            # Allocations round robin; within each, kinds in turn and one in 40 a correction (negative, small).
            cursor.execute(
                """
                INSERT INTO funding_transaction (allocation_id, kind, date, amount, receiver_id, description,
                                                 created_by_id, created_at)
                SELECT a.id, (ARRAY['commitment', 'disbursement', 'expenditure'])[g / a.total %% 3 + 1],
                       make_date(a.year, 1 + g %% 11, 1 + g %% 28),
                       CASE WHEN g / a.total %% 40 = 39 THEN -round((random() * 20)::numeric, 2)
                            ELSE round((random() * 900 + 1)::numeric, 2) END,
                       NULL, '', %s, now()
                FROM generate_series(%s, %s) g
                JOIN (SELECT id, year, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total
                      FROM funding_allocation) a ON a.n = g %% a.total
                """,
                [user_id, first, min(first + batch, transactions) - 1],
            )
            bar.update(min(batch, transactions - first))
        cursor.execute(
            """
            UPDATE funding_allocation a SET committed = s.committed, disbursed = s.disbursed, spent = s.spent
            FROM (SELECT allocation_id,
                         coalesce(sum(amount) FILTER (WHERE kind = 'commitment'), 0) AS committed,
                         coalesce(sum(amount) FILTER (WHERE kind = 'disbursement'), 0) AS disbursed,
                         coalesce(sum(amount) FILTER (WHERE kind = 'expenditure'), 0) AS spent
                  FROM funding_transaction GROUP BY allocation_id) s
            WHERE s.allocation_id = a.id
            """
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30, help="measured requests per side")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--database", default="werkpad_bench_funding")
    parser.add_argument("--jit", choices=["on", "off"], default="off", help="PostgreSQL's JIT, for both sides")
    args = parser.parse_args()
    os.environ["PGOPTIONS"] = f"-c jit={args.jit}"  # every connection of this process, the API's and the baseline's

    database_url = bench_database_url(args.database)
    print(f"Database: {args.database} (a dedicated benchmark database; DATABASE_URL's own is not touched).")
    setup_django(database_url)

    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from coalition.models import Domain, Programme

    call_command("migrate", verbosity=0)
    seed(args.residents)
    with transaction.atomic():
        seed_money(args.transactions)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # fresh statistics, as a settled database has

    token = coordinator_token()[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    conn = psycopg.connect(database_url, autocommit=True)
    programme = Programme.objects.get(name="Werkbudget Den Haag").pk
    today = timezone.localdate()
    start, stop = (datetime(year, 1, 1, tzinfo=ZoneInfo("Europe/Amsterdam")) for year in (YEAR, YEAR + 1))
    reports = {
        "programme-accountability": (
            f"/api/v1/reports/programme-accountability?programme={programme}&year={YEAR}",
            ACCOUNTABILITY_SQL,
            {"programme": programme, "year": YEAR, "today": today, "start": start, "stop": stop},
        ),
        "domains": (
            f"/api/v1/reports/domains?year={YEAR}",
            DOMAINS_SQL,
            {"year": YEAR, "domains": list(Domain.values)},
        ),
    }
    for name, (path, sql, params) in reports.items():

        def api(path=path) -> bytes:
            response = client.get(path)
            assert response.status_code == 200, response.content
            return response.content

        def baseline(sql=sql, params=params) -> bytes:
            return orjson.dumps(conn.execute(sql, params).fetchone()[0])

        if orjson.loads(api()) != orjson.loads(baseline()):
            sys.exit(f"{name}: the API and the baseline disagree; the comparison would be meaningless.")
        for _ in range(args.warmup):
            api(), baseline()
        times = {"api": [], "baseline": []}
        for _ in tqdm(range(args.repeat), desc=name, unit=" rounds"):  # interleaved: drift hits both alike
            for side, run in (("api", api), ("baseline", baseline)):
                start = time.perf_counter()
                run()
                times[side].append(time.perf_counter() - start)
        api_ms, baseline_ms = (statistics.median(times[side]) * 1000 for side in ("api", "baseline"))
        ratio = api_ms / baseline_ms
        verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
        print(
            f"GET {path}: API {api_ms:.1f} ms, one SQL statement {baseline_ms:.1f} ms "
            f"(medians of {args.repeat}, jit {args.jit})"
        )
        print(f"  ratio {ratio:.2f}x (target ≤ {TARGET_RATIO}x) {verdict}")


if __name__ == "__main__":
    main()
