"""Resource use (contract §1, issue 4): the largest page, the largest body and the request rates hold.

Failed logins per username are slowed down as well: tests/coalition/test_api.py.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.test.client import FakePayload
from rest_framework.mixins import ListModelMixin
from rest_framework.throttling import SimpleRateThrottle

from api.pagination import PageNumberPagination
from pathways.models import Resident
from tests.assertions import assert_problem, invalid_names
from tests.factories import NeighbourhoodFactory, ResidentFactory, UserFactory
from tests.harness.routes import api_patterns

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
LARGEST_PAGE = 200


def assert_refused(response, status: int, kind: str) -> None:
    assert_problem(response, status, kind)
    assert response["API-Version"] == settings.API_VERSION  # as every answer has (test_errors.py)


# --- The largest page ------------------------------------------------------------------------------------------


def test_every_list_is_served_in_pages_of_at_most_200():
    lists = {}
    for pattern in api_patterns():
        view, actions = getattr(pattern.callback, "cls", None), getattr(pattern.callback, "actions", None)
        if view and issubclass(view, ListModelMixin) and (actions is None or "list" in actions.values()):
            lists[pattern.name] = view.pagination_class
    assert len(lists) >= 11  # organisations … notifications: the walk found them
    for name, pagination in lists.items():
        assert pagination and issubclass(pagination, PageNumberPagination), name
        assert (pagination.max_page_size, pagination.page_size_query_param) == (LARGEST_PAGE, "pageSize"), name


def test_the_largest_page_is_200_rows_however_many_are_asked(api, coordinator, coach):
    neighbourhood = NeighbourhoodFactory()
    Resident.objects.bulk_create(
        ResidentFactory.build_batch(LARGEST_PAGE + 5, coach=coach, neighbourhood=neighbourhood, pathway=False)
    )

    response = api.as_user(coordinator).get("/api/v1/residents", {"pageSize": 10_000})

    assert response.status_code == 200
    page = response.json()
    assert (page["count"], len(page["results"])) == (LARGEST_PAGE + 5, LARGEST_PAGE)
    rest = api.get(page["next"]).json()
    assert len(rest["results"]) == 5 and rest["next"] is None
    assert len({row["id"] for row in page["results"] + rest["results"]}) == LARGEST_PAGE + 5


# --- The largest body ------------------------------------------------------------------------------------------


def _resident_of(size: int) -> bytes:
    """A resident's JSON of exactly `size` bytes, its first name taking up the room."""
    head, tail = b'{"firstName": "', b'", "lastName": "Bakker"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def _post(client, body: bytes, *, chunked: bool = False):
    """Posts a resident, with its length or chunked (no Content-Length); `payload` tells whether any was read."""
    payload = FakePayload(body)
    extra = {"wsgi.input": payload, "CONTENT_TYPE": "application/json"}  # the test client sets them only with data
    if chunked:
        extra["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        extra["CONTENT_LENGTH"] = str(len(body))
    return client.generic("POST", "/api/v1/residents", content_type="application/json", **extra), payload


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_a_body_of_10_mib_is_read_and_one_byte_more_is_a_413_unread(api, signed_in):
    assert 10 * MiB == settings.MAX_REQUEST_BODY_BYTES
    client = api.as_user(UserFactory(coordinator=True)) if signed_in else api

    at_the_limit, read = _post(client, _resident_of(10 * MiB))
    over, unread = _post(client, _resident_of(10 * MiB + 1))

    if signed_in:  # read and refused for what it says, not for its size
        assert invalid_names(at_the_limit) == {"firstName", "consentGivenAt"}
        assert read.read_started
    else:
        assert_problem(at_the_limit, 401, "not-authenticated")
    assert_refused(over, 413, "payload-too-large")
    assert not unread.read_started
    assert not Resident.objects.exists()


@pytest.mark.parametrize("size", [100, 10 * MiB + 1])
def test_a_body_without_a_length_is_a_411_unread(api, size):
    """A chunked body reaches Django (under WSGI) without a Content-Length. Django would read none of it and answer
    as if it were empty; it is refused instead, whatever its size."""
    response, payload = _post(api.as_user(UserFactory(coordinator=True)), _resident_of(size), chunked=True)
    assert_refused(response, 411, "length-required")
    assert not payload.read_started
    assert not Resident.objects.exists()


# --- The rates -------------------------------------------------------------------------------------------------


@pytest.fixture
def small_rates(monkeypatch):
    """Rates of a few requests a minute. DRF's throttles copy DEFAULT_THROTTLE_RATES from the settings when they
    are imported, so overriding the settings would not reach them: their copy is replaced instead."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})


def assert_throttled(response) -> None:
    assert_refused(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60


def test_429_for_a_user_over_the_rate_and_only_for_them(api, small_rates):
    client = api.as_user(UserFactory(coach=True))
    assert [client.get("/api/v1/residents").status_code for _ in range(3)] == [200] * 3
    assert_throttled(client.get("/api/v1/residents"))
    assert_throttled(client.get("/api/v1/me"))  # every endpoint counts towards one rate
    assert api.as_user(UserFactory(coach=True)).get("/api/v1/residents").status_code == 200


def test_429_for_an_address_over_the_anonymous_rate_and_only_for_it(client, small_rates):
    assert [client.get("/api/v1/health").status_code for _ in range(2)] == [200] * 2
    assert_throttled(client.get("/api/v1/health"))
    # Logging in counts as anonymous too, and a made-up X-Forwarded-For does not make a new address.
    assert_throttled(client.post("/api/v1/auth/token", {}, content_type="application/json"))
    assert_throttled(client.get("/api/v1/health", HTTP_X_FORWARDED_FOR="203.0.113.9"))
    assert client.get("/api/v1/health", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_behind_a_proxy_the_address_it_saw_is_counted(client, small_rates):
    rest_framework = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with override_settings(REST_FRAMEWORK=rest_framework):

        def health(*forwarded: str):
            return client.get("/api/v1/health", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=", ".join(forwarded))

        assert [health("192.0.2.1").status_code for _ in range(2)] == [200] * 2
        assert_throttled(health("192.0.2.1"))
        assert_throttled(health("203.0.113.9", "192.0.2.1"))  # what the client wrote itself comes first
        assert health("192.0.2.2").status_code == 200


@pytest.mark.parametrize("cache_url", ["", "redis://127.0.0.1:6379/13"])
def test_a_server_started_without_a_shared_cache_says_that_each_process_counts_apart(cache_url):
    environment = {key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "DJANGO_DEBUG")}
    started = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=settings.BASE_DIR,
        env={
            **environment,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "a-production-secret-for-this-test-only",
            **({"CACHE_URL": cache_url} if cache_url else {}),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    assert ("CACHE_URL is not set" in started.stderr) == (not cache_url)
