"""Every kind of error is RFC 9457 problem details (contract §2), with the API-Version header (contract §1)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import include, path
from rest_framework.throttling import SimpleRateThrottle

from pathways import selectors
from pathways.stages import Stage
from tests.factories import PASSWORD, ModuleFactory, PathwayFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


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


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttles and login failures are counted in the cache


# --- 401 ----------------------------------------------------------------------------------------------------


def test_401_without_a_token(client):
    response = client.get("/api/v1/residents")
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


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


def test_401_once_the_token_is_revoked(client):
    user = UserFactory(coordinator=True)
    token = client.post(
        "/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, content_type="application/json"
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/v1/residents", **auth).status_code == 200
    assert client.post("/api/v1/auth/logout", **auth).status_code == 204
    assert_problem(client.get("/api/v1/residents", **auth), 401, "authentication-failed")


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


# --- 413 and 415 --------------------------------------------------------------------------------------------


@override_settings(MAX_REQUEST_BODY_BYTES=1000)
@pytest.mark.parametrize("signed_in", [True, False])
def test_413_for_a_body_over_the_limit(api, signed_in):
    client = api.as_user(UserFactory(coordinator=True)) if signed_in else api
    response = client.generic("POST", "/api/v1/residents", b"x" * 1001, content_type="application/json")
    assert_problem(response, 413, "payload-too-large")
    at_the_limit = client.generic("POST", "/api/v1/residents", b"x" * 1000, content_type="application/json")
    assert at_the_limit.status_code != 413


def test_413_for_a_body_over_10_mib(api):
    client = api.as_user(UserFactory(coordinator=True))
    over = client.generic("POST", "/api/v1/residents", b"x" * (10 * MiB + 1), content_type="application/json")
    assert_problem(over, 413, "payload-too-large")
    envelope = b'{"firstName": ""}'
    at = client.generic(  # exactly 10 MiB is read, and refused for what it says
        "POST",
        "/api/v1/residents",
        envelope[:-2] + b"x" * (10 * MiB - len(envelope)) + b'"}',
        content_type="application/json",
    )
    assert_problem(at, 400, "validation-error")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_415_for_a_body_that_is_not_json(api, content_type):
    response = api.as_user(UserFactory(coordinator=True)).generic(
        "POST", "/api/v1/neighbourhoods", b"name=Moerwijk&city=Den+Haag", content_type=content_type
    )
    assert_problem(response, 415, "unsupported-media-type")


# --- 429 ----------------------------------------------------------------------------------------------------


@pytest.fixture
def small_rates(monkeypatch):
    """Rates of a few requests a minute. DRF's throttles copy DEFAULT_THROTTLE_RATES from the settings when they
    are imported, so overriding the settings would not reach them: their copy is replaced instead."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})


def test_429_for_a_user_over_the_rate(api, small_rates):
    client = api.as_user(UserFactory(coach=True))
    assert [client.get("/api/v1/residents").status_code for _ in range(3)] == [200] * 3
    response = client.get("/api/v1/residents")
    assert_problem(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60


def test_429_for_an_address_over_the_anonymous_rate(client, small_rates):
    assert [client.get("/api/v1/health").status_code for _ in range(2)] == [200] * 2
    response = client.get("/api/v1/health")
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_429_for_a_username_after_failed_logins_even_with_the_right_password(client):
    user = UserFactory(coach=True)

    def login(password):
        return client.post(
            "/api/v1/auth/token", {"username": user.username, "password": password}, content_type="application/json"
        )

    assert [login("wrong").status_code for _ in range(2)] == [400, 400]
    response = login(PASSWORD)
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


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
