"""Mass assignment and function level authorisation (OWASP API3 and API5), as tables from the URL configuration.

Mass assignment: every write the API routes (every POST and PATCH, actions included, and logging in), as every
role that may use it, is sent the body that would succeed (the role matrix's) plus one field it may not set: each
field the resource shows that the role may not write (ids, states, timestamps, who did what, role-dependent ones
such as `coach` for a coach), and each field of another resource that would give a caller more than their role
(`role`, `isSuperuser`, `isStaff`, `password`, `organisation`, `coach`, `employer`, `budget`, ...). Each answer
is a 400 naming that field as read-only or unknown, and the database is as it was.

What each role may write is written out below from the contract, not read from the serializers, or the test
could not fail; a check keeps it equal to what the schema says coordinators may send.

Function level: the role matrix (test_role_matrix.py) asks every routed action, create and partial_update
included, as every role. Here every route is asked, as every role, a method it does not serve: 405 (or 401/403
before it, for who may not use the path at all), and nothing changes. A route refuses every such method the same
way (authentication, the permissions with no action to allow, then 405), a read apart from a write (only a write
opens a history context), so it is asked GET where it has none and one write it does not serve (DELETE first), and
any method the router maps for it that the view's `http_method_names` refuses.
"""

import json
import re

import pytest
from django.test import RequestFactory
from django.urls import resolve as resolve_url
from django.urls import reverse
from django.utils import timezone

from api.docs import OpenApiView
from tests.harness.database import snapshot
from tests.harness.http import assert_problem, send
from tests.harness.roles import EXPECTED, ROLES, expected
from tests.harness.routes import Route, api_patterns
from tests.harness.world import IN, PLAIN_WRITES, WRITES, new_world

# --- What each role may write (contract sections 4 to 7 and 10) ----------------------------------------------

RESIDENT_FIELDS = {
    "firstName",
    "lastName",
    "email",
    "phone",
    "dateOfBirth",
    "neighbourhood",
    "coach",
    "programme",
    "consentGivenAt",
}
ORGANISATION = {"name", "kind", "neighbourhoods", "isActive"}
NEIGHBOURHOOD = {"name", "city"}
PROGRAMME = {"name", "kind", "funder", "budget", "coFinancingRatio", "startsOn", "endsOn", "checkInDays"}
USER = {"username", "email", "firstName", "lastName", "role", "organisation", "isActive", "password"}
MODULE = {"title", "theme", "provider", "hours", "capacity", "startsOn", "endsOn", "project"}
PROJECT = {
    "name",
    "description",
    "leadOrganisation",
    "partners",
    "neighbourhoods",
    "domains",
    "startsOn",
    "endsOn",
    "location",
    "continuity",
    "risks",
}
CO_FINANCING = {"project", "organisation", "year", "amount", "form", "sector"}

# (basename, action) → the fields the roles that may take it may send; a role named separately sends fewer.
WRITABLE: dict[tuple[str, str], dict[str, set[str]]] = {
    ("organisation", "create"): {"*": ORGANISATION},
    ("organisation", "partial_update"): {"*": ORGANISATION},
    ("neighbourhood", "create"): {"*": NEIGHBOURHOOD},
    ("neighbourhood", "partial_update"): {"*": NEIGHBOURHOOD},
    ("programme", "create"): {"*": PROGRAMME},
    ("programme", "partial_update"): {"*": PROGRAMME},
    ("user", "create"): {"*": USER},
    ("user", "partial_update"): {"*": USER},
    # Coordinators assign a resident's coach; a coach who creates one becomes its coach, and may not hand it on.
    ("resident", "create"): {"*": RESIDENT_FIELDS, "coach": RESIDENT_FIELDS - {"coach"}},
    ("resident", "partial_update"): {"*": RESIDENT_FIELDS, "coach": RESIDENT_FIELDS - {"coach"}},
    ("resident", "erase"): {"*": set()},
    ("pathway", "create"): {"*": {"resident"}},
    ("pathway", "transitions"): {"*": {"to", "note", "exitReason"}},
    ("module", "create"): {"*": MODULE},
    ("module", "partial_update"): {"*": MODULE},
    ("enrolment", "create"): {"*": {"pathway", "module"}},
    ("enrolment", "partial_update"): {"*": {"attendedHours"}},  # attendance, nothing else
    ("enrolment", "complete"): {"*": {"attendedHours"}},
    ("enrolment", "drop"): {"*": set()},
    ("placement", "create"): {"*": {"pathway", "employer", "jobTitle", "startDate", "hoursPerWeek", "contractType"}},
    ("placement", "confirm"): {"*": set()},  # the employer confirming is the caller's: no `employer`, no `by`
    ("placement", "decline"): {"*": {"reason"}},
    ("placement", "end"): {"*": {"endDate", "endReason"}},
    ("check-in", "complete"): {"*": {"outcome", "notes", "supportNeeds"}},
    ("notification", "read"): {"*": set()},
    ("auth", "token"): {"*": {"username", "password"}},
    ("project", "create"): {"*": PROJECT},
    ("project", "partial_update"): {"*": PROJECT},
    ("indicator", "create"): {"*": {"name", "description", "unit", "direction", "aggregation", "source"}},
    ("indicator", "partial_update"): {"*": {"name", "description", "unit", "direction", "aggregation", "source"}},
    ("indicator-period", "create"): {"*": {"project", "indicator", "periodStart", "periodEnd", "baseline", "target"}},
    ("indicator-period", "partial_update"): {"*": {"periodStart", "periodEnd", "baseline", "target"}},
    ("result", "create"): {"*": {"period", "value", "measuredOn", "neighbourhood", "note"}},
    ("result", "partial_update"): {"*": {"value", "measuredOn", "neighbourhood", "note"}},
    ("result", "submit"): {"*": set()},
    ("result", "approve"): {"*": set()},
    ("result", "return_"): {"*": {"reviewNote"}},
    ("evaluation", "create"): {"*": {"project", "round", "impact", "effort", "decision", "rationale"}},
    # Money (§12): an allocation keeps its programme, project and year; what was spent is the transactions' sum.
    ("allocation", "create"): {"*": {"programme", "project", "year", "amount"}},
    ("allocation", "partial_update"): {"*": {"amount"}},
    ("transaction", "create"): {"*": {"programme", "project", "kind", "date", "amount", "receiver", "description"}},
    ("co-financing", "create"): {"*": CO_FINANCING},
    ("co-financing", "partial_update"): {"*": CO_FINANCING},
}

# Fields of other resources that would give a caller more than their role: privileges, ownership, money, the
# record of who did what. Each is tried on every write, with a value that would mean something (for ids, a
# function of the world: another coach's, another employer's, another school's).
FOREIGN: dict[str, object] = {
    "id": 1,
    "role": "coordinator",
    "isSuperuser": True,
    "isStaff": True,
    "password": "a-long-and-unusual-passphrase",
    "groups": [1],
    "userPermissions": [1],
    "budget": "1000000.00",
    "createdAt": "2020-01-01T00:00:00+01:00",
    "organisation": lambda w: w.other_employer.id,
    "employer": lambda w: w.other_employer.id,
    "provider": lambda w: w.other_provider.id,
    "coach": lambda w: w.other_coach.id,
    "by": lambda w: w.other_coach.id,
    "user": lambda w: w.other_coach.id,
    "proposedBy": lambda w: w.other_coach.id,
    "confirmedBy": lambda w: w.other_coach.id,
}


# Logging out reads no body at all (the token is in the header), so there is nothing to assign.
NO_BODY = {"auth-logout"}

# --- The schema, for the fields each resource shows --------------------------------------------------------------


def served_schema() -> dict:
    response = OpenApiView.as_view()(RequestFactory().get("/api/v1/openapi.json"))
    return json.loads(response.render().content)


SCHEMA = served_schema()


def schema_path(route: Route) -> str:
    url = reverse(route.name, kwargs={"pk": 1} if route.detail else None)
    return re.sub(r"/1(?=/|$)", "/{id}", url.removeprefix("/api/v1"))


def resolve(node: dict) -> dict:
    while "$ref" in node or "allOf" in node:
        node = node["allOf"][0] if "allOf" in node else SCHEMA["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def _body_schema(content: dict | None) -> dict:
    return resolve(content["application/json"]["schema"]) if content else {}


def shown_fields(route: Route) -> dict[str, dict]:
    """The fields the resource a write answers with shows (its detail, for an answer without a body)."""
    path = schema_path(route)
    responses = SCHEMA["paths"][path][route.method]["responses"]
    success = next(code for code in responses if code.startswith("2"))
    shown = _body_schema(responses[success].get("content")).get("properties")
    if shown is None:  # 204: what the object's own path shows
        detail = re.sub(r"(\{id\}).*", r"\1", path)
        shown = _body_schema(SCHEMA["paths"][detail]["get"]["responses"]["200"]["content"])["properties"]
    return shown


def writable_in_schema(route: Route) -> set[str]:
    body = SCHEMA["paths"][schema_path(route)][route.method].get("requestBody")
    return set(_body_schema(body["content"]).get("properties", {})) if body else set()


def plausible(field_schema: dict):
    """A value of the field's documented type, so that a field taken by mistake would be taken, not refused."""
    field_schema = resolve(field_schema)
    if "enum" in field_schema:
        return field_schema["enum"][-1]
    strings = {"date": timezone.localdate().isoformat(), "date-time": timezone.now().isoformat()}
    strings |= {"email": "someone@example.nl", "decimal": "1.00"}
    return {
        "integer": 1,
        "number": 1,
        "boolean": True,
        "array": [],
        "object": {},
        "string": strings.get(field_schema.get("format"), "x"),
    }.get(field_schema.get("type"), "x")


# --- The table ------------------------------------------------------------------------------------------------


def roles_that_may(key: tuple[str, str]) -> list[str]:
    if key in PLAIN_WRITES:
        return ["anonymous"]  # logging in: the caller has no role yet
    return [role for role in ROLES if role != "anonymous" and expected(key, role, IN) < 400]


def writable(key: tuple[str, str], role: str) -> set[str]:
    fields = WRITABLE[key]
    return fields.get(role, fields["*"])


def refused_fields(key: tuple[str, str], role: str) -> dict[str, dict]:
    """Each field to try: those the resource shows and the foreign ones, less what the role may write."""
    route = WRITES[key][0]
    candidates = {**{name: {} for name in FOREIGN}, **shown_fields(route)}
    return {name: schema for name, schema in candidates.items() if name not in writable(key, role)}


CASES = [
    pytest.param(key, role, id=f"{key[0]}-{key[1]}-{role}")
    for key in WRITES
    if key in WRITABLE
    for role in roles_that_may(key)
]

# --- The tests ------------------------------------------------------------------------------------------------


def test_every_write_says_what_each_role_may_write():
    plain_writes = {
        pattern.name
        for pattern in api_patterns()
        if not getattr(pattern.callback, "actions", None) and _served_methods(pattern) & {"post", "put", "patch"}
    }
    assert plain_writes == {route.name for route, _ in PLAIN_WRITES.values()} | NO_BODY, "a plain write is new"
    assert set(WRITES) == set(WRITABLE), "write out what each role may send to the new write"
    for key, (route, _call) in WRITES.items():
        # What coordinators may send is what the schema (drawn as coordinators see it) documents.
        assert writable(key, "coordinator") == writable_in_schema(route), key
        assert all(fields <= writable(key, "coordinator") for fields in WRITABLE[key].values()), key
        assert roles_that_may(key), f"{key}: no role may use it"


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), CASES)
def test_fields_a_role_may_not_set_are_refused_and_change_nothing(key, role, api):
    world = new_world()
    caller = world.sign_in("coordinator" if role == "anonymous" else role)
    client = api if role == "anonymous" else api.as_user(caller)
    route, call = WRITES[key]
    target = world.make(key[0], IN, **call.state) if route.detail else None
    url = reverse(route.name, kwargs={"pk": target.pk} if target else None)

    wrong = []
    for name, field_schema in refused_fields(key, role).items():
        value = FOREIGN[name] if name in FOREIGN else plausible(field_schema)
        body = {**(call.body_for(world, IN) or {}), name: value(world) if callable(value) else value}
        before = snapshot(target)
        response = send(client, route.method, url, body)
        problem = assert_problem(response, 400) if response.status_code == 400 else None
        reasons = {param["name"]: param["reason"] for param in (problem or {}).get("invalidParams", [])}
        if reasons.get(name) not in ("This field is read-only.", "Unknown field.") or snapshot(target) != before:
            wrong.append(f"{name}: {response.status_code} {response.content[:300]!r}")
    assert not wrong, f"{key} as {role} took fields it may not set:\n" + "\n".join(wrong)


# --- Function level: the methods a route does not serve ------------------------------------------------------------

METHODS = ["get", "post", "put", "patch", "delete"]


def _served_methods(pattern) -> set[str]:
    callback = pattern.callback
    if getattr(callback, "actions", None):
        return set(callback.actions) & set(callback.cls.http_method_names)
    view = callback.view_class
    return {method for method in METHODS if hasattr(view, method)}


def _unserved_methods(pattern) -> list[str]:
    unserved = [method for method in METHODS if method not in _served_methods(pattern)]
    mapped = set(getattr(pattern.callback, "actions", None) or {})
    write = next((method for method in ("delete", "put", "patch", "post") if method in unserved), None)
    return [method for method in unserved if method in ("get", write) or method in mapped]


UNSERVED = [
    pytest.param(
        pattern.name, "pk" in pattern.pattern.regex.groupindex, method, role, id=f"{pattern.name}-{method}-{role}"
    )
    for pattern in api_patterns()
    if pattern.name != "docs"  # Swagger UI, a page for people
    for method in _unserved_methods(pattern)
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "detail", "method", "role"), UNSERVED)
def test_methods_a_route_does_not_serve_are_refused_and_change_nothing(name, detail, method, role, api):
    world = new_world()
    caller = world.sign_in(role)
    client = api.as_user(caller) if caller else api
    basename = name.rsplit("-", 1)[0]
    target = world.make(basename, IN) if detail else None
    url = reverse(name, kwargs={"pk": target.pk} if detail else None)
    before = snapshot(target)

    response = send(client, method, url, {"name": "x"} if method != "get" else None)

    allowed = {"coordinator": (405,), "superuser": (405,), "anonymous": (401, 405)}.get(role, (403, 405))
    listed = (basename, "list")
    hidden = any(getattr(permission, "hides", False) for permission in resolve_url(url).func.cls.permission_classes)
    if role not in ("coordinator", "superuser", "anonymous") and (
        hidden or (listed in EXPECTED and expected(listed, role, IN) == 404)
    ):
        allowed = (404,)  # what does not exist for the role, whatever the method: residents for partners, money
    assert response.status_code in allowed, response.content[:2000]
    assert_problem(response, response.status_code)
    if response.status_code == 405:
        assert response["Allow"], "a 405 says what the path serves"
    assert snapshot(target) == before
