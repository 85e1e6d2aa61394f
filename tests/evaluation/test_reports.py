"""The coordinators' reports of contract §11: the effort-impact matrix of a round, as JSON and as an SVG chart whose
labels are text, and a project's indicators with the actuals /indicator-periods computes. (Their query counts, flat
whatever the number of rows, are measured with every list's in tests/test_query_counts.py.)"""

import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import matplotlib
import pytest
from django.utils import timezone

from coalition.models import Domain
from evaluation import charts, services
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    EnrolmentFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ModuleFactory,
    ProjectFactory,
    ResultFactory,
    UserFactory,
)
from tests.live import in_threads

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
EFFORT_IMPACT = "/api/v1/reports/effort-impact"
INDICATORS = "/api/v1/reports/indicators"
WIDE = {Domain.WORK_ECONOMY: 50, Domain.LIVING_ENVIRONMENT: 30, Domain.SOCIAL_COHESION: 20}
NARROW = {Domain.PARTICIPATION_POVERTY: 85, Domain.HEALTH: 15}


def evaluate(project, *, by, impact: str, effort: str, decision: str, round: str = "2026"):
    """Through the service, so that the project's pearl flag is kept as in use."""
    return services.evaluation_create(
        by=by,
        project=project,
        round=round,
        impact=Decimal(impact),
        effort=Decimal(effort),
        decision=decision,
        rationale="As agreed in the round.",
    )


@pytest.fixture
def round_2026(coordinator) -> dict:
    """Four projects in every quadrant of round 2026 (one a pearl, one narrow with the same scores), and one
    evaluated only in 2025."""
    projects = {
        "Participatiekeuken": (WIDE, "4.5", "2.5", "continue"),  # a pearl
        "Buurtpreventie Moerwijk": (NARROW, "4.0", "2.0", "continue"),  # high impact, one domain: no pearl
        "Lokaal werkbedrijf Allekanten": (WIDE, "4.0", "4.5", "continue"),
        "Taalcafé Bouwlust": (WIDE, "2.0", "1.5", "investigate"),
        "Klusdienst Vrederust": (NARROW, "1.5", "4.0", "stop"),
    }
    made = {}
    for name, (domains, impact, effort, decision) in projects.items():
        made[name] = ProjectFactory(name=name, domains=domains)
        evaluate(made[name], by=coordinator, impact=impact, effort=effort, decision=decision)
    earlier = ProjectFactory(name="Aan de slag 2025")
    evaluate(earlier, by=coordinator, impact="3.0", effort="3.0", decision="investigate", round="2025")
    return made


def svg_of(response) -> ET.Element:
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    return ET.fromstring(response.content)


def texts(svg: ET.Element) -> set[str]:
    """What the image says in words: the contents of its <text> elements."""
    return {"".join(text.itertext()).strip() for text in svg.iter(f"{SVG}text")}


# --- Effort and impact ----------------------------------------------------------------------------------------


def test_the_matrix_of_a_round_by_project_name_with_quadrants_decisions_and_pearls(api, coordinator, round_2026):
    report = api.as_user(coordinator).get(EFFORT_IMPACT, {"round": "2026"}).json()

    assert report["round"] == "2026"
    rows = report["results"]
    assert [row["project"]["name"] for row in rows] == [
        "Buurtpreventie Moerwijk",
        "Klusdienst Vrederust",
        "Lokaal werkbedrijf Allekanten",
        "Participatiekeuken",
        "Taalcafé Bouwlust",
    ]
    kitchen = rows[3]
    assert kitchen == {
        "project": {"id": round_2026["Participatiekeuken"].id, "name": "Participatiekeuken"},
        "impact": "4.5",
        "effort": "2.5",
        "quadrant": "quick_win",
        "decision": "continue",
        "isPearl": True,
        "domains": [
            {"domain": "work_economy", "share": 50},
            {"domain": "living_environment", "share": 30},
            {"domain": "social_cohesion", "share": 20},
        ],
    }
    by_name = {row["project"]["name"]: row for row in rows}
    assert {name: (row["quadrant"], row["decision"], row["isPearl"]) for name, row in by_name.items()} == {
        "Buurtpreventie Moerwijk": ("quick_win", "continue", False),  # one domain of 20 or more
        "Klusdienst Vrederust": ("thankless", "stop", False),
        "Lokaal werkbedrijf Allekanten": ("major_project", "continue", True),
        "Participatiekeuken": ("quick_win", "continue", True),
        "Taalcafé Bouwlust": ("fill_in", "investigate", False),  # wide, but impact below 4
    }


def test_a_round_is_required_and_one_without_evaluations_is_empty(api, coordinator, round_2026):
    client = api.as_user(coordinator)
    assert invalid_names(client.get(EFFORT_IMPACT)) == {"round"}
    assert invalid_names(client.get(EFFORT_IMPACT, {"round": "x" * 51})) == {"round"}
    assert client.get(EFFORT_IMPACT, {"round": "2019"}).json() == {"round": "2019", "results": []}
    assert [row["project"]["name"] for row in client.get(EFFORT_IMPACT, {"round": "2025"}).json()["results"]] == [
        "Aan de slag 2025"
    ]


@pytest.mark.parametrize("role", ["coach", "employer", "educator", "partner"])
def test_only_coordinators_see_the_reports(api, role, round_2026):
    project = round_2026["Participatiekeuken"]
    caller = UserFactory(**{role: True}, organisation=project.lead_organisation)  # a member of the project
    client = api.as_user(caller)
    assert_problem(client.get(EFFORT_IMPACT, {"round": "2026"}), 403, "permission-denied")
    assert_problem(client.get(EFFORT_IMPACT, {"round": "2026"}, HTTP_ACCEPT="image/svg+xml"), 403, "permission-denied")
    assert_problem(client.get(INDICATORS, {"project": project.id}), 403, "permission-denied")


def test_the_chart_says_everything_in_svg_text(api, coordinator, round_2026):
    svg = svg_of(api.as_user(coordinator).get(EFFORT_IMPACT, {"round": "2026"}, HTTP_ACCEPT="image/svg+xml"))

    said = texts(svg)
    assert set(round_2026) <= said  # each project's point is labelled with its name
    assert "Aan de slag 2025" not in said
    assert {"quick win", "major project", "fill-in", "thankless"} <= said
    assert {"Effort", "Impact", "Effort and impact, round 2026"} <= said
    assert {"1", "3", "5"} <= said  # the axes' ticks, from 1 to 5
    assert {"project", "pearl"} <= said  # the legend
    pearls = svg.find(f".//{SVG}g[@id='pearls']")
    others = svg.find(f".//{SVG}g[@id='projects']")
    assert len(pearls.findall(f".//{SVG}use")) == 2  # one star per pearl
    assert len(others.findall(f".//{SVG}use")) == 3


def test_the_text_check_would_catch_labels_drawn_as_outlines(monkeypatch, api, coordinator, round_2026):
    """With svg.fonttype `path` matplotlib draws glyphs as paths: the names are then nowhere in <text>."""
    monkeypatch.setitem(matplotlib.rcParams, "svg.fonttype", "path")
    svg = svg_of(api.as_user(coordinator).get(EFFORT_IMPACT, {"round": "2026", "format": "svg"}))
    assert not set(round_2026) & texts(svg)


def test_the_chart_is_the_same_drawn_in_parallel(coordinator, round_2026):
    """Each chart its own Figure, no pyplot: threads drawing at once draw what one alone draws, byte for byte."""
    report = {
        "round": "2026",
        "results": [
            {"project": {"name": name}, "impact": impact, "effort": "3.0", "is_pearl": name.endswith("A")}
            for name, impact in (("Project A", "4.0"), ("Project B", "2.0"), ("Project C", "5.0"))
        ],
    }
    alone = charts.effort_impact_svg(**report)
    assert in_threads(4, lambda n: charts.effort_impact_svg(**report)) == [alone] * 4


# --- A project's indicators -----------------------------------------------------------------------------------


def test_a_projects_indicators_as_its_periods_show_them(api, coordinator):
    project = ProjectFactory(name="Participatiekeuken")
    today = timezone.localdate()
    meals = IndicatorFactory(name="Meals a year", unit="meals", aggregation="sum")
    waiting = IndicatorFactory(name="Waiting list", unit="residents", direction="decrease", aggregation="last")
    reached = IndicatorFactory(name="Residents reached", unit="residents", source="residents_reached")
    last_year = IndicatorPeriodFactory(
        project=project,
        indicator=meals,
        period_start=today - timedelta(days=465),
        period_end=today - timedelta(days=101),
        target="120000.00",
    )
    this_year = IndicatorPeriodFactory(project=project, indicator=meals, target="120000.00")
    ResultFactory(period=this_year, value="60000.00", approved=True)
    ResultFactory(period=this_year, value="30000.00", approved=True)
    ResultFactory(period=this_year, value="99999.00", submitted=True)  # not approved: does not count
    shorter = IndicatorPeriodFactory(project=project, indicator=waiting, baseline=None, target="10.00")
    ResultFactory(period=shorter, value="40.00", approved=True)
    computed = IndicatorPeriodFactory(project=project, indicator=reached, target="4.00")
    module = ModuleFactory(project=project)
    EnrolmentFactory.create_batch(3, module=module)
    IndicatorPeriodFactory(indicator=meals)  # another project's
    client = api.as_user(coordinator)

    report = client.get(INDICATORS, {"project": project.id}).json()

    assert report["project"] == {"id": project.id, "name": "Participatiekeuken"}
    rows = report["results"]
    assert [(row["indicator"]["name"], row["periodStart"]) for row in rows] == [
        ("Meals a year", last_year.period_start.isoformat()),
        ("Meals a year", this_year.period_start.isoformat()),
        ("Residents reached", computed.period_start.isoformat()),
        ("Waiting list", shorter.period_start.isoformat()),
    ]
    assert rows[0]["actual"] is None and rows[0]["progress"] is None
    assert rows[1] == {
        "indicator": {"id": meals.id, "name": "Meals a year", "unit": "meals", "direction": "increase"},
        "periodStart": this_year.period_start.isoformat(),
        "periodEnd": this_year.period_end.isoformat(),
        "baseline": "800.00",
        "target": "120000.00",
        "actual": "90000.00",
        "progress": 0.75,
    }
    assert (rows[2]["actual"], rows[2]["progress"]) == ("3.00", 0.75)
    assert (rows[3]["baseline"], rows[3]["actual"], rows[3]["progress"]) == (None, "40.00", 0.25)  # less is better
    # The very figures /indicator-periods shows.
    periods = client.get("/api/v1/indicator-periods", {"project": project.id, "pageSize": 50}).json()["results"]
    shown = {(period["periodStart"], period["indicator"]): (period["actual"], period["progress"]) for period in periods}
    assert {(row["periodStart"], row["indicator"]["id"]): (row["actual"], row["progress"]) for row in rows} == shown


def test_the_project_is_required_and_must_exist(api, coordinator):
    client = api.as_user(coordinator)
    assert invalid_names(client.get(INDICATORS)) == {"project"}
    assert invalid_names(client.get(INDICATORS, {"project": "Participatiekeuken"})) == {"project"}
    assert invalid_names(client.get(INDICATORS, {"project": 2**63})) == {"project"}  # no such bigint
    assert_problem(client.get(INDICATORS, {"project": 10**9}), 404, "not-found")
    project = ProjectFactory()
    assert client.get(INDICATORS, {"project": project.id}).json()["results"] == []
