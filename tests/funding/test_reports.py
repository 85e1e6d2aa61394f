"""The money reports of contract §12 on a small world worked out by hand: a programme's accountability and the
domains' integral view, as JSON and CSV, for coordinators only."""

import csv
import io
import random
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.models import Domain, ProjectDomain
from funding.money import split
from pathways.models import Enrolment
from tests.assertions import invalid_names
from tests.factories import (
    AllocationFactory,
    CheckInFactory,
    CoFinancingFactory,
    EnrolmentFactory,
    PlacementFactory,
    ProgrammeFactory,
    ProjectFactory,
    ResidentFactory,
    TransactionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 15, 12, tzinfo=AMSTERDAM)
ACCOUNTABILITY = "/api/v1/reports/programme-accountability"
DOMAINS = "/api/v1/reports/domains"


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def spend(allocation, amount: str, kind: str = "expenditure", on: date | None = None):
    return TransactionFactory(allocation=allocation, amount=amount, kind=kind, date=on or date(allocation.year, 5, 1))


@pytest.fixture
def world():
    """Programmes A (co-financing ratio 1.00) and B; project P1 (60/40) funded by both in 2026, P2 by A in 2025
    only, P3 (stopped, all safety) by A in 2026."""
    a = ProgrammeFactory(name="A Regio Deal", co_financing_ratio="1.00", starts_on=date(2024, 1, 1))
    b = ProgrammeFactory(name="B NPLV", starts_on=date(2024, 1, 1))
    p1 = ProjectFactory(name="P1")
    p2 = ProjectFactory(name="P2", domains={Domain.HOUSING: 50, Domain.HEALTH: 50})
    p3 = ProjectFactory(name="P3", stopped=True, domains={Domain.SAFETY: 100})
    a1 = AllocationFactory(programme=a, project=p1, year=2026, amount="1000.00")
    b1 = AllocationFactory(programme=b, project=p1, year=2026, amount="3000.00")
    a2 = AllocationFactory(programme=a, project=p2, year=2025, amount="500.00")
    a3 = AllocationFactory(programme=a, project=p3, year=2026, amount="200.00")
    spend(a1, "100.01")
    spend(a1, "-0.01")  # a correction
    spend(a1, "300.00", kind="commitment")
    spend(a1, "200.00", kind="disbursement")
    spend(b1, "33.33")
    spend(a2, "250.00")
    spend(a3, "10.00")
    CoFinancingFactory(project=p1, year=2026, amount="100.01")  # A 25.00 (remainder .25), B 75.01 (.75)
    CoFinancingFactory(project=p2, year=2025, amount="400.00")  # A alone
    CoFinancingFactory(project=p2, year=2026, amount="50.00")  # no allocation to P2 in 2026: counts for none
    return {"a": a, "b": b, "p1": p1, "p3": p3}


def get(api, url: str, **query):
    return api.as_user(UserFactory(coordinator=True)).get(url, query)


def test_a_programmes_accountability_worked_out_by_hand(api, world):
    body = get(api, ACCOUNTABILITY, programme=world["a"].pk, year=2026).json()
    assert body == {
        "programme": {"id": world["a"].pk, "name": "A Regio Deal", "kind": "other"},
        "year": 2026,
        "budget": "2500000.00",
        "allocated": "1200.00",
        "committed": "300.00",
        "disbursed": "200.00",
        "spentInYear": "110.00",
        "spentCumulative": "360.00",  # P2's 250.00 of 2025 too
        "coFinancingCumulative": "425.00",
        "coFinancingRequired": "360.00",
        "coFinancingMet": True,
        "residentsReached": 0,
        "placements": 0,
        "retained180": 0,
        "projects": [
            {
                "project": {"id": world["p1"].pk, "name": "P1"},
                "allocated": "1000.00",
                "spentInYear": "100.00",
                "spentCumulative": "100.00",
                "coFinancingCumulative": "25.00",
                "finished": False,
            },
            {
                "project": {"id": world["p3"].pk, "name": "P3"},
                "allocated": "200.00",
                "spentInYear": "10.00",
                "spentCumulative": "10.00",
                "coFinancingCumulative": "0.00",
                "finished": True,
            },
        ],
    }
    other = get(api, ACCOUNTABILITY, programme=world["b"].pk, year=2026).json()
    assert (other["coFinancingCumulative"], other["coFinancingRequired"], other["coFinancingMet"]) == (
        "75.01",
        "0.00",
        True,
    )
    assert get(api, ACCOUNTABILITY, programme=world["a"].pk, year=2025).json()["coFinancingMet"] is True


def test_co_financing_short_of_the_requirement_is_not_met(api, world):
    world["a"].co_financing_ratio = Decimal("1.20")
    world["a"].save()
    body = get(api, ACCOUNTABILITY, programme=world["a"].pk, year=2026).json()
    assert (body["coFinancingRequired"], body["coFinancingMet"]) == ("432.00", False)


def test_each_resident_is_reached_under_exactly_one_programme(api, world):
    a, b = world["a"], world["b"]
    new_year = datetime(2026, 1, 1, 0, 30, tzinfo=AMSTERDAM)  # still 2025 in UTC: Amsterdam's year counts
    EnrolmentFactory(pathway__resident__programme=a, enrolled_at=new_year)
    placed = PlacementFactory(pathway__resident__programme=a, confirmed=True, check_ins=False, proposed_at=NOW)
    CheckInFactory(placement=placed, day=180, completed=True)
    PlacementFactory(pathway__resident__programme=a, proposed_at=NOW)  # proposed: reached, never started
    EnrolmentFactory(pathway__resident__programme=a, enrolled_at=datetime(2025, 12, 31, 23, tzinfo=AMSTERDAM))
    EnrolmentFactory(pathway__resident__programme=a, enrolled_at=NOW, status=Enrolment.Status.DROPPED)
    twice = EnrolmentFactory(pathway__resident__programme=b, enrolled_at=NOW)
    PlacementFactory(pathway=twice.pathway, confirmed=True, proposed_at=NOW)
    EnrolmentFactory(pathway__resident__programme=None, enrolled_at=NOW)  # under no programme

    reached = {
        name: get(api, ACCOUNTABILITY, programme=programme.pk, year=2026).json()
        for name, programme in (("a", a), ("b", b), ("c", ProgrammeFactory()))
    }
    assert [(r["residentsReached"], r["placements"], r["retained180"]) for r in reached.values()] == [
        (3, 1, 1),
        (1, 1, 0),
        (0, 0, 0),
    ]
    with_a_programme = ResidentFactory._meta.model.objects.filter(programme__isnull=False)
    reached_in_2026 = with_a_programme.filter(pathways__enrolments__enrolled_at__year=2026).exclude(
        pathways__enrolments__status=Enrolment.Status.DROPPED
    ) | with_a_programme.filter(pathways__placements__proposed_at__year=2026)
    assert sum(r["residentsReached"] for r in reached.values()) == reached_in_2026.distinct().count() == 4


def test_the_domains_split_each_expenditure_and_add_up_to_the_years_spending(api, world):
    body = get(api, DOMAINS, year=2026).json()
    assert body["year"] == 2026
    assert body["spent"] == "143.33"  # 100.01 - 0.01 + 33.33 + 10.00
    rows = {row["domain"]: row for row in body["results"]}
    assert [row["domain"] for row in body["results"]] == list(Domain.values)
    a, b = ({"id": p.pk, "name": p.name} for p in (world["a"], world["b"]))
    # 100.01 → 60.01 + 40.00; -0.01 → -0.01 + 0.00; 33.33 → 20.00 + 13.33 (19.998 and 13.332: .8 beats .2)
    assert rows["work_economy"] == {
        "domain": "work_economy",
        "spent": "80.00",
        "byProgramme": [{"programme": a, "spent": "60.00"}, {"programme": b, "spent": "20.00"}],
        "projects": 1,
    }
    assert rows["social_cohesion"]["spent"] == "53.33"
    assert rows["safety"] == {
        "domain": "safety",
        "spent": "10.00",
        "byProgramme": [{"programme": a, "spent": "10.00"}],
        "projects": 1,
    }
    assert rows["housing"] == {"domain": "housing", "spent": "0.00", "byProgramme": [], "projects": 0}
    assert get(api, DOMAINS, year=2025).json()["spent"] == "250.00"


def test_each_expenditure_is_split_on_its_own_not_their_sum(api):
    allocation = AllocationFactory(year=2026)
    for _ in range(3):
        spend(allocation, "0.01")  # each: 0.006 and 0.004, the cent to work (the sum would give 0.02 and 0.01)
    rows = {row["domain"]: row["spent"] for row in get(api, DOMAINS, year=2026).json()["results"]}
    assert (rows["work_economy"], rows["social_cohesion"]) == ("0.03", "0.00")


def test_the_domains_equal_splitting_every_expenditure_whatever_the_shares(api):
    """Against the split of each expenditure one by one, with shares that add up to 100 and to something else,
    and a project without domains (its spending under `null`, so that the total still holds)."""
    rng = random.Random(12)
    odd = ProjectFactory(domains={Domain.EDUCATION: 30, Domain.HEALTH: 40})  # 70 in all: kept, never refused
    none = ProjectFactory()
    ProjectDomain.objects.filter(project=none).delete()
    projects = [ProjectFactory(domains={Domain.EDUCATION: 33, Domain.HEALTH: 33, Domain.SAFETY: 34}), odd, none]
    projects.append(ProjectFactory(domains={Domain.HOUSING: 1, Domain.WORK_ECONOMY: 99}))
    expected = defaultdict(Decimal)
    for project in projects:
        listed = list(project.domains.order_by("-share", "id")) or [None]
        for programme in (ProgrammeFactory(), ProgrammeFactory()):
            allocation = AllocationFactory(programme=programme, project=project, year=2026, amount="100000.00")
            amounts = [Decimal(rng.randint(1, 500_000)).scaleb(-2) for _ in range(30)]
            amounts += [-amounts[0], -amounts[1], amounts[2]]  # corrections, and an amount twice
            for amount in amounts:
                spend(allocation, str(amount))
                weights = [share.share for share in listed] if listed != [None] else [1]
                for share, part in zip(listed, split(amount, weights), strict=True):
                    expected[share.domain if share else None] += part
    body = get(api, DOMAINS, year=2026).json()
    got = {row["domain"]: Decimal(row["spent"]) for row in body["results"]}
    assert {domain: amount for domain, amount in got.items() if amount or domain in expected} == dict(expected)
    assert sum(got.values()) == Decimal(body["spent"]) == sum(expected.values())


def table(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_accountability_as_csv_has_a_row_per_project_and_a_total(api, world):
    response = api.as_user(UserFactory(coordinator=True)).get(
        ACCOUNTABILITY, {"programme": world["a"].pk, "year": 2026}, HTTP_ACCEPT="text/csv"
    )
    assert table(response) == [
        [
            "projectId",
            "projectName",
            "allocated",
            "spentInYear",
            "spentCumulative",
            "coFinancingCumulative",
            "finished",
        ],
        [str(world["p1"].pk), "P1", "1000.00", "100.00", "100.00", "25.00", "false"],
        [str(world["p3"].pk), "P3", "200.00", "10.00", "10.00", "0.00", "true"],
        ["", "total", "1200.00", "110.00", "360.00", "425.00", ""],
    ]


def test_domains_as_csv_have_a_row_per_domain_a_column_per_programme_and_a_total(api, world):
    rows = table(api.as_user(UserFactory(coordinator=True)).get(DOMAINS, {"year": 2026}, HTTP_ACCEPT="text/csv"))
    assert rows[0] == ["domain", "spent", "projects", "A Regio Deal", "B NPLV"]
    assert len(rows) == 1 + len(Domain.values) + 1
    assert rows[1] == ["work_economy", "80.00", "1", "60.00", "20.00"]
    assert rows[-1] == ["total", "143.33", "", "110.00", "33.33"]
    assert sum(Decimal(row[1]) for row in rows[1:-1]) == Decimal("143.33")


@pytest.mark.parametrize("role", ["coach", "employer", "educator", "partner"])
@pytest.mark.parametrize("url", [f"{ACCOUNTABILITY}?programme=1&year=2026", f"{DOMAINS}?year=2026"])
def test_money_does_not_exist_for_anyone_but_a_coordinator(api, world, role, url):
    response = api.as_user(UserFactory(**{role: True})).get(url)
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("url", "query", "named"),
    [
        (ACCOUNTABILITY, {}, {"programme", "year"}),
        (ACCOUNTABILITY, {"programme": 2**63, "year": 2026}, {"programme"}),
        (ACCOUNTABILITY, {"programme": "x", "year": "next"}, {"programme", "year"}),
        (DOMAINS, {}, {"year"}),
        (DOMAINS, {"year": 1900}, {"year"}),
    ],
)
def test_missing_or_wrong_parameters_are_named(api, url, query, named):
    assert invalid_names(get(api, url, **query)) == named


def test_a_programme_that_does_not_exist_is_not_found(api):
    response = api.as_user(UserFactory(coordinator=True)).get(ACCOUNTABILITY, {"programme": 10**9, "year": 2026})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("url", [ACCOUNTABILITY, DOMAINS])
def test_queries_do_not_grow_with_projects_or_transactions(api, url):
    programme = ProgrammeFactory()
    client = api.as_user(UserFactory(coordinator=True))
    counts = []
    for size in (1, 10):
        for _ in range(size - len(counts) * 1):
            allocation = AllocationFactory(programme=programme, year=2026)
            CoFinancingFactory(project=allocation.project, year=2026)
            spend(allocation, "12.34")
            spend(allocation, "-1.00")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"programme": programme.pk, "year": 2026}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
