"""The role matrix of contract §3, built from the URL configuration.

Every route the API serves is found by walking the URL resolver, so a newly registered endpoint or action is
covered at once, and fails until the table below says what each role may do with it. For each role, each list,
detail and action is asked on an object inside the caller's scope and on one outside it:

- 200/201: allowed, and the objects are set up so that the call really succeeds;
- 403: a forbidden action on an object the caller can see;
- 404: an object out of scope, answered exactly like one that does not exist;
- a list shows the rows in scope and never one outside it;
- a write naming, as a foreign key, an object out of the caller's scope: 400, "does not exist".

The expectations are the contract's, written out by hand; they are not derived from the code's own tables
(selectors.SCOPES, the viewsets' `roles`), or the test could not fail.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import orjson
import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from coalition.models import User
from tests.factories import (
    PASSWORD,
    AccessLogEntryFactory,
    CheckInFactory,
    EnrolmentFactory,
    EvaluationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    NotificationFactory,
    OrganisationFactory,
    PathwayFactory,
    PlacementFactory,
    ProgrammeFactory,
    ProjectFactory,
    ResidentFactory,
    ResultFactory,
    UserFactory,
)

API = "api/v1/"
IN, OUT = "in", "out"
ROLES = ["coordinator", "superuser", "coach", "employer", "educator", "partner", "anonymous"]

# --- The routes, as the URL configuration has them ----------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # the URL name, for reverse()
    method: str
    detail: bool


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, object]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def api_patterns() -> list:
    return [pattern for route, pattern in _walk(get_resolver().url_patterns) if route.startswith(API)]


def viewset_routes() -> dict[tuple[str, str], Route]:
    """(basename, action) → route, for every method a router maps and the viewset accepts."""
    routes = {}
    for pattern in api_patterns():
        callback = pattern.callback
        for method, action in (getattr(callback, "actions", None) or {}).items():
            if method in callback.cls.http_method_names:
                routes[callback.initkwargs["basename"], action] = Route(
                    pattern.name, method, callback.initkwargs["detail"]
                )
    return routes


def plain_view_names() -> set[str]:
    """The API's routes outside the router (health, auth, me, schema)."""
    return {pattern.name for pattern in api_patterns() if not getattr(pattern.callback, "actions", None)}


ROUTES = viewset_routes()

# --- The world a cell runs in -------------------------------------------------------------------------------

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {next(_names)}"


@dataclass
class World:
    """Two of everything a scope hangs on: the caller's (inside) and someone else's (outside)."""

    coach: User
    other_coach: User
    employer: object
    other_employer: object
    provider: object
    other_provider: object
    caller: User | None = None

    def coach_of(self, side: str) -> User:
        return self.coach if side == IN else self.other_coach

    def employer_of(self, side: str):
        return self.employer if side == IN else self.other_employer

    def provider_of(self, side: str):
        return self.provider if side == IN else self.other_provider

    def project_of(self, side: str):
        """A project the caller is a member of (its organisation leads it), or one they are not."""
        organisation = self.caller and self.caller.organisation
        return ProjectFactory(**({"lead_organisation": organisation} if side == IN and organisation else {}))

    def sign_in(self, role: str) -> User | None:
        self.caller = {
            "coordinator": lambda: UserFactory(coordinator=True),
            "superuser": lambda: UserFactory(superuser=True),
            "coach": lambda: self.coach,
            "employer": lambda: UserFactory(employer=True, organisation=self.employer),
            "educator": lambda: UserFactory(educator=True, organisation=self.provider),
            "partner": lambda: UserFactory(partner=True),
            "anonymous": lambda: None,
        }[role]()
        return self.caller

    def make(self, basename: str, side: str, **state):
        """One object of the endpoint, inside (`IN`) or outside (`OUT`) the scope of every non-coordinator role."""
        coach, employer, provider = self.coach_of(side), self.employer_of(side), self.provider_of(side)
        builders: dict[str, Callable] = {
            "organisation": lambda: OrganisationFactory(**state),
            "neighbourhood": lambda: NeighbourhoodFactory(**state),
            "programme": lambda: ProgrammeFactory(**state),
            "user": lambda: UserFactory(**state),
            "resident": lambda: ResidentFactory(coach=coach, **state),
            "pathway": lambda: PathwayFactory(resident__coach=coach, **state),
            "module": lambda: ModuleFactory(provider=provider, **state),
            "enrolment": lambda: EnrolmentFactory(pathway__resident__coach=coach, module__provider=provider, **state),
            "placement": lambda: PlacementFactory(pathway__resident__coach=coach, employer=employer, **state),
            "check-in": lambda: CheckInFactory(
                placement__pathway__resident__coach=coach, placement__employer=employer, **state
            ),
            "notification": lambda: NotificationFactory(
                recipient=self.caller if side == IN and self.caller else self.other_coach, **state
            ),
            "access-log": lambda: AccessLogEntryFactory(resident__coach=coach, **state),
            "project": lambda: ProjectFactory(**state),
            "indicator": lambda: IndicatorFactory(**state),
            "indicator-period": lambda: IndicatorPeriodFactory(project=self.project_of(side), **state),
            "result": lambda: ResultFactory(period__project=self.project_of(side), **state),
            "evaluation": lambda: EvaluationFactory(project=self.project_of(side), **state),
        }
        return builders[basename]()


def new_world() -> World:
    cache.clear()  # the throttles count requests in the cache; these tests make many
    return World(
        coach=UserFactory(coach=True),
        other_coach=UserFactory(coach=True),
        employer=OrganisationFactory(employer=True),
        other_employer=OrganisationFactory(employer=True),
        provider=OrganisationFactory(school=True),
        other_provider=OrganisationFactory(school=True),
    )


@pytest.fixture
def world(db) -> World:
    return new_world()


# --- What each write sends ----------------------------------------------------------------------------------


def today() -> str:
    return timezone.localdate().isoformat()


@dataclass(frozen=True)
class Call:
    """The body of a write (or a function of the world and the side, for foreign keys) and the state its target
    is built in, so that an allowed call really succeeds."""

    body: dict | Callable[[World, str], dict] | None = None
    state: dict = field(default_factory=dict)

    def body_for(self, world: World, side: str) -> dict | None:
        return self.body(world, side) if callable(self.body) else self.body


CALLS: dict[tuple[str, str], Call] = {
    ("organisation", "create"): Call(
        lambda w, side: {"name": unique("Partner"), "kind": "other", "neighbourhoods": [NeighbourhoodFactory().id]}
    ),
    ("organisation", "partial_update"): Call({"isActive": False}),
    ("neighbourhood", "create"): Call(lambda w, side: {"name": unique("Wijk"), "city": "Zeist"}),
    ("neighbourhood", "partial_update"): Call({"city": "Nieuwegein"}),
    ("programme", "create"): Call(
        lambda w, side: {
            "name": unique("Regio Deal"),
            "budget": "1000.00",
            "startsOn": "2026-01-01",
            "endsOn": "2027-12-31",
            "checkInDays": [14, 60],
        }
    ),
    ("programme", "partial_update"): Call({"budget": "2000.00"}),
    ("user", "create"): Call(
        lambda w, side: {
            "username": unique("coach").replace(" ", ""),
            "password": "a-long-and-unusual-passphrase",
            "role": "coach",
            "organisation": w.provider.id,
        }
    ),
    ("user", "partial_update"): Call({"firstName": "Fatima"}),
    ("resident", "create"): Call(
        lambda w, side: {
            "firstName": "Sanne",
            "lastName": "de Vries",
            "email": "sanne@example.nl",
            "phone": "+31 6 12345678",
            "dateOfBirth": "1990-05-17",
            "neighbourhood": NeighbourhoodFactory().id,
            "programme": ProgrammeFactory().id,
            "consentGivenAt": timezone.now().isoformat(),
        }
    ),
    ("resident", "partial_update"): Call({"phone": "+31 6 87654321", "email": "nieuw@example.nl"}),
    # A new pathway needs a resident whose last one is closed; the resident is the foreign key under test.
    ("pathway", "create"): Call(
        lambda w, side: {"resident": ResidentFactory(coach=w.coach_of(side), pathway__exited=True).id}
    ),
    ("pathway", "transitions"): Call({"to": "job_search", "note": "Ready to apply."}),
    ("module", "create"): Call(
        lambda w, side: {
            "title": unique("Zorgassistent"),
            "theme": "care",
            "provider": w.provider_of(side).id,
            "hours": 40,
            "capacity": 10,
            "startsOn": "2026-03-01",
            "endsOn": "2026-06-30",
        }
    ),
    ("module", "partial_update"): Call({"capacity": 20}),
    ("enrolment", "create"): Call(
        lambda w, side: {"pathway": w.make("pathway", side, learning=True).id, "module": w.make("module", side).id}
    ),
    ("enrolment", "partial_update"): Call({"attendedHours": 10}),
    ("enrolment", "complete"): Call({"attendedHours": 40}),
    ("placement", "create"): Call(
        lambda w, side: {
            "pathway": w.make("pathway", side, job_search=True).id,
            "employer": w.employer_of(side).id,
            "jobTitle": "Installateur warmtepompen",
            "startDate": today(),
            "hoursPerWeek": 32,
            "contractType": "permanent",
        }
    ),
    ("placement", "decline"): Call({"reason": "The vacancy was filled."}),
    ("placement", "end"): Call(lambda w, side: {"endDate": today(), "endReason": "resigned"}, {"confirmed": True}),
    ("check-in", "complete"): Call({"outcome": "employed", "notes": "Goes well.", "supportNeeds": ["transport"]}),
    ("project", "create"): Call(
        lambda w, side: {
            "name": unique("Buurtkeuken"),
            "leadOrganisation": w.provider.id,
            "partners": [w.employer.id],
            "domains": [{"domain": "social_cohesion", "share": 70}, {"domain": "health", "share": 30}],
            "startsOn": "2026-01-01",
            "location": {"name": "Buurthuis", "demolitionOn": None},
            "continuity": {"fundedUntil": None, "plan": "Structural municipal funding.", "successorFunder": None},
            "risks": [{"kind": "staffing", "note": "Volunteers."}],
        }
    ),
    ("project", "partial_update"): Call({"description": "A community kitchen."}),
    ("indicator", "create"): Call(
        lambda w, side: {"name": unique("Meals a year"), "unit": "meals", "direction": "increase", "source": "manual"}
    ),
    ("indicator", "partial_update"): Call({"description": "Meals served by the kitchen."}),
    ("indicator-period", "create"): Call(
        lambda w, side: {
            "project": w.project_of(side).id,
            "indicator": IndicatorFactory().id,
            "periodStart": "2026-01-01",
            "periodEnd": "2026-12-31",
            "baseline": "100000.00",
            "target": "120000.00",
        }
    ),
    ("indicator-period", "partial_update"): Call({"target": "125000.00"}),
    ("result", "create"): Call(
        lambda w, side: {
            "period": w.make("indicator-period", side).id,
            "value": "1100.00",
            "measuredOn": today(),
            "note": "Encounters this week.",
        }
    ),
    ("result", "partial_update"): Call({"value": "1150.00"}),
    ("result", "approve"): Call(None, {"submitted": True}),
    ("result", "return_"): Call({"reviewNote": "Count the whole week."}, {"submitted": True}),
    ("evaluation", "create"): Call(
        lambda w, side: {
            "project": w.project_of(side).id,
            "round": "2026",
            "impact": "4.5",
            "effort": "2.0",
            "decision": "continue",
        }
    ),
}

# --- The contract's expectations ----------------------------------------------------------------------------

ALL, OWN, NONE = frozenset({IN, OUT}), frozenset({IN}), frozenset()
SCOPED = (200, 404)  # works inside the caller's scope; outside it the object does not exist
FORBIDDEN = (403, 404)  # visible but not the caller's to change; outside the scope it does not exist
FOREIGN_KEY = (201, 400)  # creates with a foreign key in scope; one outside it "does not exist"


def row(coordinator, coach, employer, educator, anonymous=401) -> dict:
    """A list's visible sides, or a status; a pair is (inside the caller's scope, outside it).
    A superuser acts as a coordinator."""
    return {
        "coordinator": coordinator,
        "coach": coach,
        "employer": employer,
        "educator": educator,
        "anonymous": anonymous,
    }


REFERENCE_DATA = {  # organisations, neighbourhoods, programmes: everyone signed in reads, coordinators write
    "list": row(ALL, ALL, ALL, ALL),
    "retrieve": row(200, 200, 200, 200),
    "create": row(201, 403, 403, 403),
    "partial_update": row(200, 403, 403, 403),
}

EXPECTED: dict[tuple[str, str], dict] = {
    **{
        (basename, action): cell
        for basename in ("organisation", "neighbourhood", "programme")
        for action, cell in REFERENCE_DATA.items()
    },
    # Users: coordinators only, reads included.
    ("user", "list"): row(ALL, 403, 403, 403),
    ("user", "retrieve"): row(200, 403, 403, 403),
    ("user", "create"): row(201, 403, 403, 403),
    ("user", "partial_update"): row(200, 403, 403, 403),
    # Residents: a coach's own caseload; employers and educators see residents only by name, inside their rows.
    ("resident", "list"): row(ALL, OWN, NONE, NONE),
    ("resident", "retrieve"): row(200, SCOPED, 404, 404),
    ("resident", "create"): row(201, 201, 403, 403),
    ("resident", "partial_update"): row(200, SCOPED, 404, 404),
    ("resident", "erase"): row(204, FORBIDDEN, 404, 404),  # erasure: coordinators only
    ("pathway", "list"): row(ALL, OWN, NONE, NONE),
    ("pathway", "retrieve"): row(200, SCOPED, 404, 404),
    ("pathway", "create"): row(201, FOREIGN_KEY, 403, 403),
    ("pathway", "transitions"): row(200, SCOPED, 404, 404),
    ("pathway", "history"): row(200, SCOPED, 404, 404),
    # Modules: the whole catalogue for coaches, their own organisation's for educators; coordinators write.
    ("module", "list"): row(ALL, ALL, NONE, OWN),
    ("module", "retrieve"): row(200, 200, 404, SCOPED),
    ("module", "create"): row(201, 403, 403, 403),
    ("module", "partial_update"): row(200, 403, 404, FORBIDDEN),
    # Enrolments: coaches enrol their residents; educators record attendance and completion in their modules.
    ("enrolment", "list"): row(ALL, OWN, NONE, OWN),
    ("enrolment", "retrieve"): row(200, SCOPED, 404, SCOPED),
    ("enrolment", "create"): row(201, FOREIGN_KEY, 403, 403),
    ("enrolment", "partial_update"): row(200, FORBIDDEN, 404, SCOPED),
    ("enrolment", "complete"): row(200, FORBIDDEN, 404, SCOPED),
    ("enrolment", "drop"): row(200, FORBIDDEN, 404, SCOPED),
    # Placements: coaches propose; the employer confirms or declines; the employer or the coach ends one.
    ("placement", "list"): row(ALL, OWN, OWN, NONE),
    ("placement", "retrieve"): row(200, SCOPED, SCOPED, 404),
    ("placement", "create"): row(201, FOREIGN_KEY, 403, 403),
    ("placement", "confirm"): row(200, FORBIDDEN, SCOPED, 404),
    ("placement", "decline"): row(200, FORBIDDEN, SCOPED, 404),
    ("placement", "end"): row(200, SCOPED, SCOPED, 404),
    ("check-in", "list"): row(ALL, OWN, NONE, NONE),
    ("check-in", "retrieve"): row(200, SCOPED, 404, 404),
    ("check-in", "complete"): row(200, SCOPED, 404, 404),
    # Notifications: each user their own, coordinators too.
    ("notification", "list"): row(OWN, OWN, OWN, OWN),
    ("notification", "retrieve"): row(SCOPED, SCOPED, SCOPED, SCOPED),
    ("notification", "read"): row(SCOPED, SCOPED, SCOPED, SCOPED),
    # The access log: coordinators only.
    ("access-log", "list"): row(ALL, 403, 403, 403),
    # Projects (§11): everyone signed in reads them, coordinators write.
    **{("project", action): cell for action, cell in REFERENCE_DATA.items()},
    **{("indicator", action): cell for action, cell in REFERENCE_DATA.items()},
    # A project's periods, results and evaluations: coordinators, and the project's members whatever their role.
    ("indicator-period", "list"): row(ALL, OWN, OWN, OWN),
    ("indicator-period", "retrieve"): row(200, SCOPED, SCOPED, SCOPED),
    ("indicator-period", "create"): row(201, 403, 403, 403),
    ("indicator-period", "partial_update"): row(200, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("result", "list"): row(ALL, OWN, OWN, OWN),
    ("result", "retrieve"): row(200, SCOPED, SCOPED, SCOPED),
    ("result", "create"): row(201, FOREIGN_KEY, FOREIGN_KEY, FOREIGN_KEY),
    ("result", "partial_update"): row(200, SCOPED, SCOPED, SCOPED),
    ("result", "submit"): row(200, SCOPED, SCOPED, SCOPED),
    ("result", "approve"): row(200, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("result", "return_"): row(200, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("evaluation", "list"): row(ALL, OWN, OWN, OWN),
    ("evaluation", "retrieve"): row(200, SCOPED, SCOPED, SCOPED),
    ("evaluation", "create"): row(201, 403, 403, 403),
}

# Partners (§3, §11): like everyone, the reference data, the projects and the module catalogue; nothing of
# residents — 404 on each, and no such list — and no user but themselves.
PARTNER = {
    **{
        (basename, action): cell["educator"]
        for (basename, action), cell in EXPECTED.items()
        if basename in ("organisation", "neighbourhood", "programme", "project", "indicator")
        or basename in ("indicator-period", "result", "evaluation")  # as a member of the project, like any role
    },
    **{
        (basename, action): 404
        for basename, action in EXPECTED
        if basename in ("resident", "pathway", "enrolment", "placement", "check-in")
    },
    ("user", "list"): 403,
    ("user", "retrieve"): 403,
    ("user", "create"): 403,
    ("user", "partial_update"): 403,
    ("module", "list"): ALL,
    ("module", "retrieve"): 200,
    ("module", "create"): 403,
    ("module", "partial_update"): 403,
    ("notification", "list"): OWN,
    ("notification", "retrieve"): SCOPED,
    ("notification", "read"): SCOPED,
    ("access-log", "list"): 403,
}
for key, cell in PARTNER.items():
    EXPECTED[key]["partner"] = cell

# The routes outside the router: url name → (method, query, status by role).
SIGNED_IN = row(200, 200, 200, 200)
PLAIN_VIEWS = {
    "health": ("get", "", row(200, 200, 200, 200, anonymous=200)),
    # The caller's own credentials; anonymous: a username that does not exist.
    "auth-token": ("post", "", row(200, 200, 200, 200, anonymous=400)),
    "auth-logout": ("post", "", row(204, 204, 204, 204)),
    "me": ("get", "", SIGNED_IN),
    "report-retention": ("get", "groupBy=neighbourhood", row(200, 403, 403, 403)),  # reports: coordinators only
    "report-stages": ("get", "groupBy=coach", row(200, 403, 403, 403)),
    "openapi": ("get", "", row(200, 200, 200, 200, anonymous=200)),
    "docs": ("get", "", row(200, 200, 200, 200, anonymous=200)),
}
for _method, _query, statuses in PLAIN_VIEWS.values():
    statuses["partner"] = statuses["employer"]  # here, like any other signed-in user but a coordinator


def expected(key: tuple[str, str], role: str, side: str):
    value = EXPECTED[key]["coordinator" if role == "superuser" else role]
    return value[0 if side == IN else 1] if isinstance(value, tuple) else value


# --- Requests -----------------------------------------------------------------------------------------------


def send(client, method: str, url: str, body: dict | None = None):
    data = orjson.dumps(body) if body is not None else b""
    return client.generic(method.upper(), url, data, content_type="application/json")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:2000]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= problem.keys()
    return problem


def without_instance(problem: dict) -> dict:
    return {key: value for key, value in problem.items() if key != "instance"}


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
    response = send(client, method, f"{reverse(name)}?{query}", body)
    assert response.status_code == statuses["coordinator" if role == "superuser" else role], response.content[:2000]
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
