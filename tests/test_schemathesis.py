"""Schemathesis against the generated OpenAPI schema, as each role with its own token, over a seeded database.

Every operation of the schema (new ones included, as they are routed) is tried as coordinator, coach, employer,
educator and partner, with schemathesis' phases for pytest (the schema's examples; coverage: boundary values, missing
and wrong-typed parameters, undocumented methods; fuzzing: positive and negative data) and all its checks on: no
5xx, no undocumented status code or content type, every response and its headers as the schema says, schema-valid
data accepted and invalid data refused, authentication enforced.

Requests go to the WSGI application in-process, inside each test's transaction over a database seeded once for the
module (`seed_demo`), so every test starts from the same data; half the generated ids are moved onto its objects.
It prints how many requests each role sent. SCHEMATHESIS_EXAMPLES sets how many examples fuzzing draws per
operation and role (default 5, about 28,000 requests in all, a few minutes); to run it longer, with PostgreSQL and
Redis as for the other `services` tests:

    SCHEMATHESIS_EXAMPLES=200 python3 run.py test tests/test_schemathesis.py
"""

import io
import json
import os
from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import Count
from django.test import RequestFactory
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.specs.openapi.checks import unsupported_method

from api.docs import OpenApiView
from coalition.models import Role, User
from tests.conftest import REQUIRE_SERVICES, services_missing

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
SEEDED_IDS = 50  # the seeded database has objects of every kind with these ids (its sequences start at 1)
FOREIGN_KEYS = {
    "coach",
    "employer",
    "funder",
    "indicator",
    "leadOrganisation",
    "module",
    "neighbourhood",
    "organisation",
    "pathway",
    "period",
    "programme",
    "project",
    "provider",
    "receiver",
    "resident",
}
ROLES = [Role.COORDINATOR, Role.COACH, Role.EMPLOYER, Role.EDUCATOR, Role.PARTNER]
# Paths that do not exist for a role answer it 404 for every method, also one the path does not serve, where
# schemathesis would expect the 405 that would give the path away: the money's (contract §12) for all but
# coordinators, and what shows residents for partners (§11).
MONEY = ("/allocations", "/transactions", "/co-financing", "/reports/programme-accountability", "/reports/domains")
RESIDENTS = ("/residents", "/pathways", "/enrolments", "/placements", "/check-ins")
HIDDEN = {Role.COACH: MONEY, Role.EMPLOYER: MONEY, Role.EDUCATOR: MONEY, Role.PARTNER: MONEY + RESIDENTS}
REQUESTS: Counter = Counter()  # role → requests sent with its token
ANSWERED: dict[str, set] = {role: set() for role in ROLES}  # role → the operations that answered it with a 2xx

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": EXAMPLES},
        "operations": [
            {
                # Whether a write is taken also depends on the database (an id that does not exist or is out of
                # the caller's scope, a duplicate name, wrong credentials) and on the role (a coach may not set
                # `coach`): a schema cannot say that, so a schema-valid write may be refused with a 400. An
                # Idempotency-Key generated twice for two bodies is a 422.
                "include-method": ["POST", "PATCH"],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
                    }
                },
            },
        ],
    }
)


def served_schema() -> dict:
    """The document /api/v1/openapi.json serves, from its view: collection may not open the database, which the
    request handler (ATOMIC_REQUESTS) would."""
    response = OpenApiView.as_view()(RequestFactory().get("/api/v1/openapi.json"))
    return json.loads(response.render().content)


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
schema.app = get_wsgi_application()  # requests go to the application in-process, as from_wsgi sends them


def _seeded(value):
    """Half the generated ids, moved onto an object of the seeded database: most ids would name nothing, and
    the code behind a 404 would go untried."""
    if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
        return value // 2 % SEEDED_IDS + 1
    return value


@schema.hook
def map_path_parameters(context, path_parameters):
    return path_parameters and {name: _seeded(value) for name, value in path_parameters.items()}


@schema.hook
def map_body(context, body):
    if not isinstance(body, dict):
        return body
    return {name: _seeded(value) if name in FOREIGN_KEYS else value for name, value in body.items()}


def _user(role: str) -> User:
    """The demo user of the role with the most to see: a coordinator, the coach with the largest caseload, the
    employer with the most placements, the educator whose organisation provides the most modules, the partner whose
    organisation leads the most projects."""
    users = User.objects.filter(role=role, is_active=True)
    most = {
        Role.COORDINATOR: Count("id"),
        Role.COACH: Count("caseload"),
        Role.EMPLOYER: Count("organisation__placements"),
        Role.EDUCATOR: Count("organisation__modules"),
        Role.PARTNER: Count("organisation__led_projects"),
    }[role]
    return users.annotate(most=most).order_by("-most", "id").first()


@pytest.fixture(scope="module")
def tokens(request, django_db_setup, django_db_blocker):
    """A token per role, over the demo coalition with 40 residents; emptied again when the module is done."""
    if missing := services_missing():  # as the services gate does, before seeding for nothing
        (pytest.fail if REQUIRE_SERVICES else pytest.skip)(f"needs PostgreSQL and Redis: {missing}")
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)  # sequences from 1: the ids SEEDED_IDS names
        call_command("seed_demo", residents=40, stdout=io.StringIO(), stderr=io.StringIO())
        tokens = {role: AuthToken.objects.create(user=_user(role))[1] for role in ROLES}
    # Django's handler closes a connection left in a transaction at each request (the test client does not).
    request_started.disconnect(close_old_connections)
    yield tokens
    request_started.connect(close_old_connections)
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
    counts = ", ".join(f"{role} {REQUESTS[role]} ({len(ANSWERED[role])} operations answered 2xx)" for role in ROLES)
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(f"\nschemathesis: {REQUESTS.total()} requests: {counts}; {EXAMPLES} examples per operation")
    # Each token worked: a run of nothing but 401s would pass every check.
    assert all("GET /me" in ANSWERED[role] for role in ROLES if REQUESTS[role]), ANSWERED


@pytest.mark.services
@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_api(case, role, tokens):
    # Logging out revokes the token it is sent with: it gets one of its own.
    token = AuthToken.objects.create(user=_user(role))[1] if case.path == "/auth/logout" else tokens[role]
    REQUESTS[role] += 1
    hidden = case.path.startswith(HIDDEN.get(role, ()))
    response = case.call_and_validate(
        headers={"Authorization": f"Token {token}"}, excluded_checks=[unsupported_method] if hidden else []
    )
    if response.status_code < 300:
        ANSWERED[role].add(case.operation.label)
