"""Every kind of error is RFC 9457 problem details (contract §2), with the API-Version header (contract §1)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import include, path

from coalition.models import Neighbourhood
from pathways.journey import selectors
from pathways.journey.stages import Stage
from tests.factories import ModuleFactory, PathwayFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_problem(response, status: int, kind: str | None = None) -> dict:
    assert response.status_code == status, response.content[:2000]
    assert response["Content-Type"] == "application/problem+json"
    assert response["API-Version"] == settings.API_VERSION
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= problem.keys()
    assert all(isinstance(problem[member], str) and problem[member] for member in ("type", "title", "detail"))
    if kind is not None:
        assert problem["type"] == settings.PROBLEM_TYPE_BASE + kind
    return problem


# --- 401 ----------------------------------------------------------------------------------------------------


def test_401_without_a_token(client):
    response = client.get("/api/v1/residents")
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("authorization", ["Bearer 0123456789abcdef", "Basic b3BlbjpzZXNhbWU="])
def test_401_naming_the_token_scheme_for_another_scheme(client, authorization):
    response = client.post("/api/v1/residents", {}, content_type="application/json", HTTP_AUTHORIZATION=authorization)
    problem = assert_problem(response, 401, "authentication-failed")
    assert response["WWW-Authenticate"] == "Token"
    assert "Authorization: Token <token>" in problem["detail"]


@pytest.mark.parametrize(
    "authorization",
    [
        "Token 0123456789abcdef",
        "Token " + "a" * 10_000,
        "Token \xff\xfe\xfd",  # bytes that are not UTF-8 (headers arrive as Latin-1)
        "Token \x00",
        "Token",
        "Token one two",
    ],
    ids=["unknown", "10000-chars", "not-utf-8", "nul", "no-token", "two-tokens"],
)
def test_401_with_a_bad_token(client, authorization):
    response = client.get("/api/v1/residents", HTTP_AUTHORIZATION=authorization)
    assert_problem(response, 401, "authentication-failed")


# --- 403, 404, 405 ------------------------------------------------------------------------------------------


def test_403_for_an_action_the_role_may_not_take(api):
    module = ModuleFactory()
    response = api.as_user(UserFactory(coach=True)).patch(
        f"/api/v1/modules/{module.pk}", {"capacity": 1}, format="json"
    )
    assert_problem(response, 403, "permission-denied")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nope",
        "/api/v1/residents/",  # a trailing slash is a 404, not a redirect
        "/api/v1/residents/{id}/",
        "/api/v1/residents/1234567890123456789",  # 19 digits: beyond any id
        "/api/v1/residents/99999999999999999999999999",
        "/api/v1/residents/abc",
        "/api/v1/residents/-1",
        "/api/v2/residents",
        "/api/v1/pathways/{id}/nope",
        "/api/",
    ],
)
def test_404_for_a_path_that_does_not_exist(api, url):
    resident = ResidentFactory()
    response = api.as_user(UserFactory(coordinator=True)).get(url.format(id=resident.pk))
    assert_problem(response, 404, "not-found")
    assert "Location" not in response


def test_404_for_an_unknown_path_also_when_anonymous_and_in_debug_mode(client):
    with override_settings(DEBUG=True):
        response = client.get("/api/v1/nope/")
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/v1/residents/{resident}"),
        ("put", "/api/v1/residents/{resident}"),
        ("delete", "/api/v1/residents"),
        ("put", "/api/v1/residents"),
        ("patch", "/api/v1/pathways/{pathway}"),  # pathways change only through transitions
        ("post", "/api/v1/check-ins"),
        ("get", "/api/v1/pathways/{pathway}/transitions"),
        ("delete", "/api/v1/organisations/{organisation}"),
    ],
)
def test_405_for_a_method_the_path_does_not_take(api, method, url):
    resident = ResidentFactory()
    url = url.format(
        resident=resident.pk, pathway=resident.current_pathway_id, organisation=resident.coach.organisation_id
    )
    response = getattr(api.as_user(UserFactory(coordinator=True)), method)(url, {}, format="json")
    assert_problem(response, 405, "method-not-allowed")
    assert response["Allow"]


# --- 409 ----------------------------------------------------------------------------------------------------


def test_409_for_a_move_the_stage_table_does_not_allow(api):
    pathway = PathwayFactory(stage=Stage.INTAKE)
    response = api.as_user(UserFactory(coordinator=True)).post(
        f"/api/v1/pathways/{pathway.pk}/transitions", {"to": "completed"}, format="json"
    )
    problem = assert_problem(response, 409, "invalid-transition")
    assert "intake" in problem["detail"] and "completed" in problem["detail"]


def test_409_for_a_conflict_with_the_current_state(api):
    module = ModuleFactory(capacity=1)
    coordinator = UserFactory(coordinator=True)
    for expected in (201, 409):
        pathway = PathwayFactory(stage=Stage.LEARNING)
        response = api.as_user(coordinator).post(
            "/api/v1/enrolments", {"pathway": pathway.pk, "module": module.pk}, format="json"
        )
        assert response.status_code == expected
    assert_problem(response, 409, "conflict")


# --- 415 (413 and 429: test_resource_limits.py) ------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_415_for_a_body_that_is_not_json(api, content_type):
    response = api.as_user(UserFactory(coordinator=True)).generic(
        "POST", "/api/v1/neighbourhoods", b"name=Moerwijk&city=Den+Haag", content_type=content_type
    )
    assert_problem(response, 415, "unsupported-media-type")


# --- 500 ----------------------------------------------------------------------------------------------------

SECRET = "connection string postgres://admin:hunter2@db"


def boom(*args, **kwargs):
    raise RuntimeError(SECRET)


def plain_view_that_fails(request):
    raise RuntimeError(SECRET)


urlpatterns = [path("api/v1/plain-boom", plain_view_that_fails), path("", include("config.urls"))]


def assert_no_trace(response) -> None:
    body = response.content.decode()
    for leak in (SECRET, "Traceback", "RuntimeError", ".py", "line "):
        assert leak not in body


@pytest.mark.parametrize("debug", [False, True])
def test_500_in_a_view_is_a_problem_without_a_stack_trace(api, monkeypatch, debug):
    monkeypatch.setattr(selectors, "resident_list", boom)
    with override_settings(DEBUG=debug):
        response = api.as_user(UserFactory(coordinator=True)).get("/api/v1/residents")
    assert_problem(response, 500, "server-error")
    assert_no_trace(response)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [False, True])
def test_500_outside_the_api_views_is_a_problem_without_a_stack_trace(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/plain-boom")
    assert_problem(response, 500, "server-error")
    assert_no_trace(response)


# --- What the database refuses: a lost race is a 409, anything else a bug (a logged 500) -------------------------


def duplicate_neighbourhood(*args, **kwargs):
    """What a request that lost a race does: writes what another request has just written."""
    Neighbourhood.objects.create(name="Moerwijk", city="Den Haag")


def neighbourhood_without_a_city(*args, **kwargs):
    Neighbourhood.objects.create(name="Moerwijk", city=None)


def neighbourhood_with_a_name_too_long(*args, **kwargs):
    Neighbourhood.objects.create(name="Moerwijk" * 100, city="Den Haag")


def test_a_unique_constraint_lost_to_a_concurrent_request_is_a_409_naming_what_it_would_duplicate(api, monkeypatch):
    Neighbourhood.objects.create(name="Moerwijk", city="Den Haag")
    monkeypatch.setattr(selectors, "resident_list", duplicate_neighbourhood)

    response = api.as_user(UserFactory(coordinator=True)).get("/api/v1/residents")

    problem = assert_problem(response, 409, "conflict")
    assert problem["detail"] == "It would duplicate an existing neighbourhood."


@pytest.mark.parametrize(
    "write",
    [
        neighbourhood_without_a_city,
        pytest.param(
            neighbourhood_with_a_name_too_long,
            marks=pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not bound text"),
        ),
    ],
)
def test_any_other_violation_is_a_bug_logged_as_a_500(api, monkeypatch, caplog, write):
    monkeypatch.setattr(selectors, "resident_list", write)

    response = api.as_user(UserFactory(coordinator=True)).get("/api/v1/residents")

    assert_problem(response, 500, "server-error")
    assert_no_trace(response)
    assert "Unhandled error in /api/v1/residents" in caplog.text
