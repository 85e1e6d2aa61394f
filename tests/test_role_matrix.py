"""The role matrix of contract §3 (tests/harness/roles.py), asked of every route the URL configuration has.

Every route the API serves is found by walking the URL resolver, so a newly registered endpoint or action is
covered at once, and fails until the matrix says what each role may do with it. For each role, each list,
detail and action is asked on an object inside the caller's scope and on one outside it:

- 200/201: allowed, and the objects are set up so that the call really succeeds;
- 403: a forbidden action on an object the caller can see;
- 404: an object out of scope, answered exactly like one that does not exist;
- a list shows the rows in scope and never one outside it;
- a write naming, as a foreign key, an object out of the caller's scope: 400, "does not exist".
"""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, ProgrammeFactory
from tests.harness.http import assert_problem, send, without_instance
from tests.harness.roles import EXPECTED, ROLES, expected, row
from tests.harness.routes import ROUTES, plain_view_names
from tests.harness.world import CALLS, IN, OUT, Call, World, new_world


@pytest.fixture
def world(db) -> World:
    return new_world()


# The routes outside the router: url name → (method, query or a function of the world giving it, status by role).
SIGNED_IN = row(200, 200, 200, 200)
PLAIN_VIEWS = {
    "health": ("get", "", row(200, 200, 200, 200, anonymous=200)),
    # The caller's own credentials; anonymous: a username that does not exist.
    "auth-token": ("post", "", row(200, 200, 200, 200, anonymous=400)),
    "auth-logout": ("post", "", row(204, 204, 204, 204)),
    "me": ("get", "", SIGNED_IN),
    "report-retention": ("get", "groupBy=neighbourhood", row(200, 403, 403, 403)),  # reports: coordinators only
    "report-stages": ("get", "groupBy=coach", row(200, 403, 403, 403)),
    "report-effort-impact": ("get", "round=2026", row(200, 403, 403, 403)),
    # A project of the caller's own organisation: a member of a project sees its periods, but not this report.
    "report-indicators": ("get", lambda w: f"project={w.project_of(IN).id}", row(200, 403, 403, 403)),
    # Money (§12): coordinators only; to anyone else it does not exist.
    "report-programme-accountability": (
        "get",
        lambda world: f"programme={ProgrammeFactory().pk}&year=2026",  # a query may name a row, made when asked
        row(200, 404, 404, 404),
    ),
    "report-domains": ("get", "year=2026", row(200, 404, 404, 404)),
    "openapi": ("get", "", row(200, 200, 200, 200, anonymous=200)),
    "docs": ("get", "", row(200, 200, 200, 200, anonymous=200)),
}
for _method, _query, statuses in PLAIN_VIEWS.values():
    statuses["partner"] = statuses["employer"]  # here, like any other signed-in user but a coordinator


def _cells() -> list:
    cells = []
    for role in ROLES:
        for key, route in ROUTES.items():
            sides = [IN, OUT] if route.detail or key[1] != "list" else [None]
            cells += [pytest.param(role, key, side, id=f"{role}-{key[0]}-{key[1]}-{side or 'rows'}") for side in sides]
    return cells


CELLS = _cells()

# --- The tests ----------------------------------------------------------------------------------------------


def test_every_route_has_an_expectation_and_every_expectation_a_route():
    assert set(ROUTES) == set(EXPECTED), "the URL configuration and the role matrix disagree"
    assert plain_view_names() == set(PLAIN_VIEWS)
    roles = {"coordinator", "coach", "employer", "educator", "partner", "anonymous"}
    assert all(set(cell) == roles for cell in EXPECTED.values())


@pytest.mark.parametrize(("role", "key", "side"), CELLS)
def test_role_matrix(role, key, side, world, api):
    assert key in EXPECTED, f"{key} is routed but the role matrix says nothing about it"
    basename, action = key
    route = ROUTES[key]
    caller = world.sign_in(role)
    client = api.as_user(caller) if caller else api

    if side is None:  # a list: the rows in scope, none outside it
        rows = {IN: world.make(basename, IN), OUT: world.make(basename, OUT)}
        response = client.get(reverse(route.name), {"pageSize": 200})
        want = expected(key, role, IN)
        if isinstance(want, int):
            assert_problem(response, want)
            return
        assert response.status_code == 200, response.content
        results = response.json()["results"]
        shown = {row["id"] for row in results}
        assert {side for side, obj in rows.items() if obj.pk in shown} == want
        if role in ("employer", "educator"):  # of a resident, they see the name only
            assert all(
                row["resident"].keys() == {"id", "firstName", "lastName"} for row in results if "resident" in row
            )
        return

    call = CALLS.get(key, Call())
    target = world.make(basename, side, **call.state) if route.detail else None
    body = call.body_for(world, side)
    url = reverse(route.name, kwargs={"pk": target.pk} if target else None)
    response = send(client, route.method, url, body)
    want = expected(key, role, side)

    if want < 400:
        assert response.status_code == want, response.content[:2000]
        if action == "retrieve":
            assert response.json()["id"] == target.pk
        if want == 201:  # contract §1: a 201 names the new object's path
            assert response["Location"] == reverse(f"{basename}-detail", kwargs={"pk": response.json()["id"]})
        return
    problem = assert_problem(response, want)
    if want == 400:  # a foreign key out of scope is named, and does not exist
        reasons = [param["reason"] for param in problem["invalidParams"]]
        assert any("does not exist" in reason for reason in reasons), problem
    if want == 404 and route.detail:  # exactly as an id that does not exist
        missing = send(client, route.method, reverse(route.name, kwargs={"pk": 10**17}), body)
        assert without_instance(assert_problem(missing, 404)) == without_instance(problem)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PLAIN_VIEWS))
def test_routes_outside_the_router(name, role, world, api):
    method, query, statuses = PLAIN_VIEWS[name]
    caller = world.sign_in(role)
    client = api.as_user(caller) if caller else api
    body = {"username": caller.username if caller else "nobody", "password": PASSWORD} if name == "auth-token" else None
    query = query(world) if callable(query) else query
    response = send(client, method, f"{reverse(name)}?{query}", body)
    assert response.status_code == statuses["coordinator" if role == "superuser" else role], response.content[:2000]
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
