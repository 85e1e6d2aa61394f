"""A browser front end on another origin (contract §1, "browsers"): origins from CORS_ALLOWED_ORIGINS, preflights
answered without authentication, and the schema open to every origin."""

import pytest
from django.test import override_settings
from knox.models import AuthToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FRONT_END = "http://localhost:5173"


def preflight(client, path: str, origin: str = FRONT_END):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )


@override_settings(CORS_ALLOWED_ORIGINS=[FRONT_END])
def test_a_preflight_from_an_allowed_origin_is_answered_without_authentication(client):
    response = preflight(client, "/api/v1/residents")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed = {header.strip() for header in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "Access-Control-Allow-Credentials" not in response  # tokens travel in a header, never in a cookie


@override_settings(CORS_ALLOWED_ORIGINS=[FRONT_END])
def test_an_answer_to_an_allowed_origin_lets_the_browser_read_its_headers(client):
    token = AuthToken.objects.create(UserFactory(coach=True))[1]
    response = client.get("/api/v1/me", HTTP_ORIGIN=FRONT_END, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    exposed = {header.strip().lower() for header in response["Access-Control-Expose-Headers"].split(",")}
    assert {"api-version", "location", "retry-after", "www-authenticate"} <= exposed


@override_settings(CORS_ALLOWED_ORIGINS=[FRONT_END])
def test_another_origin_is_not_allowed(client):
    for response in (preflight(client, "/api/v1/residents", "https://elsewhere.example"),
                     client.get("/api/v1/health", HTTP_ORIGIN="https://elsewhere.example")):  # fmt: skip
        assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[])
def test_the_schema_is_open_to_every_origin_and_nothing_else_is_by_default(client):
    schema = client.get("/api/v1/openapi.json", HTTP_ORIGIN="https://elsewhere.example")
    assert schema.status_code == 200
    assert schema["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in preflight(client, "/api/v1/residents")
