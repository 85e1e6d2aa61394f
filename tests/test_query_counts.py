"""Every list the API serves costs the same number of queries at 1, 10 and 50 rows: no N+1.

The lists are found in the URL configuration (every router `list`, and every other GET action such as a
pathway's history), and each is asked by every role the role matrix says sees its rows; the reports whose rows
are objects (projects, periods) are measured as a coordinator, in each of their media types.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.selectors import COMPUTED
from tests.factories import EvaluationFactory, IndicatorPeriodFactory, ProjectFactory, StageChangeFactory
from tests.harness.roles import EXPECTED, LISTS
from tests.harness.routes import ROUTES
from tests.harness.world import IN, new_world

SIZES = (1, 10, 50)


def test_every_list_is_measured():
    measured = {(basename, action) for _, basename, action in (cell.values for cell in LISTS)}
    lists = {key for key, route in ROUTES.items() if route.method == "get" and key[1] != "retrieve"}
    assert measured == lists
    assert ("pathway", "history") in measured and ("notification", "list") in measured
    assert all(key in EXPECTED for key in measured)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "basename", "action"), LISTS)
def test_queries_do_not_grow_with_the_rows(role, basename, action, api):
    world = new_world()
    client = api.as_user(world.sign_in(role))
    route = ROUTES[basename, action]
    if route.detail:  # a list below one object: the history of a pathway
        pathway = world.make(basename, IN)
        url = reverse(route.name, kwargs={"pk": pathway.pk})

        def add_row():
            StageChangeFactory(pathway=pathway)
    else:
        url = reverse(route.name)

        def add_row():
            world.make(basename, IN)

    def rows_shown() -> int:
        response = client.get(url, {"pageSize": 200})
        assert response.status_code == 200, response.content[:2000]
        return len(response.json() if route.detail else response.json()["results"])

    counts = {}
    for size in SIZES:
        for _ in range(size - rows_shown()):
            add_row()
        with CaptureQueriesContext(connection) as queries:
            shown = rows_shown()
        assert shown >= size
        counts[shown] = len(queries)
    assert len(set(counts.values())) == 1, f"queries by rows shown: {counts}"


def _indicator_report(world) -> tuple[dict, object]:
    """A project, and a way to add a period to it: manual and computed indicators in turn."""
    project = ProjectFactory()
    sources = iter(["manual", *COMPUTED] * 10)
    return {"project": project.id}, lambda: IndicatorPeriodFactory(project=project, indicator__source=next(sources))


# url name → (media types, a function of the world giving the query and a way to add a row)
REPORTS = {
    "report-effort-impact": (
        ("application/json", "image/svg+xml"),
        lambda world: ({"round": "2026"}, lambda: EvaluationFactory(round="2026")),
    ),
    "report-indicators": (("application/json",), _indicator_report),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "accept"), [(name, accept) for name, (accepts, _) in REPORTS.items() for accept in accepts]
)
def test_reports_cost_the_same_queries_whatever_their_rows(name, accept, api):
    world = new_world()
    client = api.as_user(world.sign_in("coordinator"))
    query, add_row = REPORTS[name][1](world)
    counts = {}
    for size in SIZES:
        for _ in range(size - len(client.get(reverse(name), query).json()["results"])):
            add_row()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name), query, HTTP_ACCEPT=accept).status_code == 200
        counts[size] = len(queries)
    assert len(set(counts.values())) == 1, f"queries by rows: {counts}"
