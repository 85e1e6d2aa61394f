"""Token authentication: one query per request; expired tokens are refused, and swept at login."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _token(user, *, expires_in: timedelta) -> str:
    return AuthToken.objects.create(user, expiry=expires_in)[1]


def test_authenticating_costs_one_query(api, coach):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(coach, expires_in=timedelta(hours=1))}")
    _token(coach, expires_in=timedelta(hours=-1))  # knox itself would load and sweep this one on every request

    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/me")

    assert response.status_code == 200
    assert sum("knox_authtoken" in query["sql"] for query in queries) == 1
    assert AuthToken.objects.filter(user=coach).count() == 2


def test_an_expired_token_is_refused(api, coach):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(coach, expires_in=timedelta(seconds=-1))}")

    response = api.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_logging_in_sweeps_the_users_expired_tokens_only(api, coach, coordinator):
    _token(coach, expires_in=timedelta(hours=-1))
    live = AuthToken.objects.create(coach)[0]
    someone_elses = AuthToken.objects.create(coordinator, expiry=timedelta(hours=-1))[0]

    response = api.post("/api/v1/auth/token", {"username": coach.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    remaining = set(AuthToken.objects.values_list("digest", flat=True))
    assert live.digest in remaining and someone_elses.digest in remaining
    assert AuthToken.objects.filter(user=coach).count() == 2  # the live one and the new one
