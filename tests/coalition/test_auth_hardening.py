"""Authentication hardening (contract §10, issue 4): tokens expire and die with a new password or a deactivated
account, coordinators and only they reach the back office, production settings pass `check --deploy`, and every
API response carries the security headers (HSTS once behind TLS).

Logging out, slowing down failed logins and the password policy are tested with the endpoints (test_api.py).
"""

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from knox.models import AuthToken

from coalition.models import Role, User
from coalition.services import BACK_OFFICE
from tests.assertions import assert_problem
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, user: User, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(client, token: str):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {token}")


# --- Tokens ----------------------------------------------------------------------------------------------------


def test_a_token_lives_token_ttl_hours(api, coach, monkeypatch):
    with override_settings(REST_KNOX={**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=3)}):
        token = _login(api, coach)
    real_now = timezone.now

    def travel(by: timedelta) -> None:
        monkeypatch.setattr(timezone, "now", lambda: real_now() + by)

    travel(timedelta(hours=3) - timedelta(minutes=1))
    assert _me(api, token).status_code == 200
    travel(timedelta(hours=3, seconds=1))
    assert_problem(_me(api, token), 401, "authentication-failed")


def test_a_new_password_ends_every_session_of_the_old_one(api, coordinator, coach):
    tokens = [_login(api, coach), _login(api, coach)]
    own = _login(api, coordinator)

    response = api.patch(
        f"/api/v1/users/{coach.pk}",
        {"password": "Nieuw-en-sterk-wachtwoord-9"},
        format="json",
        HTTP_AUTHORIZATION=f"Token {own}",
    )

    assert response.status_code == 200
    for token in tokens:
        assert_problem(_me(api, token), 401, "authentication-failed")
    assert _me(api, _login(api, coach, "Nieuw-en-sterk-wachtwoord-9")).status_code == 200
    assert _me(api, own).status_code == 200  # the coordinator's own session is theirs


def test_a_deactivated_users_tokens_stop_working(api, coordinator, coach):
    token = _login(api, coach)
    response = api.as_user(coordinator).patch(f"/api/v1/users/{coach.pk}", {"isActive": False}, format="json")
    assert response.status_code == 200
    api.force_authenticate(None)
    assert_problem(_me(api, token), 401, "authentication-failed")


# --- The back office -------------------------------------------------------------------------------------------


def _in_back_office(user: User) -> bool:
    client = Client()
    client.force_login(user)
    reaches = client.get("/admin/pathways/resident/").status_code == 200
    user = User.objects.get(pk=user.pk)  # permissions are cached on the instance
    assert reaches == user.is_staff == user.groups.filter(name=BACK_OFFICE).exists()
    return reaches


def test_a_coordinator_made_through_the_api_works_in_the_back_office_until_their_role_changes(api, coordinator):
    client = api.as_user(coordinator)
    payload = {"password": "Lang-en-sterk-wachtwoord-2026", "organisation": coordinator.organisation_id}

    made = client.post("/api/v1/users", {**payload, "username": "m.verhoeven", "role": "coordinator"}, format="json")
    coach = client.post("/api/v1/users", {**payload, "username": "s.bouzid", "role": "coach"}, format="json")

    colleague = User.objects.get(pk=made.json()["id"])
    assert _in_back_office(colleague)
    assert colleague.has_perm("pathways.change_resident") and colleague.has_perm("coalition.add_user")
    assert not _in_back_office(User.objects.get(pk=coach.json()["id"]))

    assert client.patch(f"/api/v1/users/{colleague.pk}", {"role": "coach"}, format="json").status_code == 200
    assert not _in_back_office(colleague)
    assert client.patch(f"/api/v1/users/{colleague.pk}", {"role": "coordinator"}, format="json").status_code == 200
    assert _in_back_office(colleague)


def test_a_superuser_stays_in_the_back_office_whatever_their_role(api, coordinator):
    superuser = UserFactory(superuser=True, role=Role.COACH)
    response = api.as_user(coordinator).patch(f"/api/v1/users/{superuser.pk}", {"firstName": "Beheer"}, format="json")
    assert response.status_code == 200
    assert _in_back_office(superuser)


# --- Production settings ---------------------------------------------------------------------------------------

# Run as production runs Django: the project's own settings, from the environment only. Prints the settings that
# come from it and, unless told not to, what `manage.py check --deploy --fail-level WARNING` finds.
SHOW_SETTINGS = """
import io, json, re, sys, django
django.setup()
from django.conf import settings as s
from django.core.management import call_command
from django.core.management.base import SystemCheckError
issues = []
if "--no-check" not in sys.argv:
    try:
        call_command("check", deploy=True, fail_level="WARNING", stdout=io.StringIO())
    except SystemCheckError as error:
        issues = sorted(set(re.findall(r"\\(([a-z_]+\\.[A-Z]\\d+)\\)", str(error))))
print(json.dumps({
    "ttl": s.REST_KNOX["TOKEN_TTL"].total_seconds(), "rates": s.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "proxies": s.REST_FRAMEWORK["NUM_PROXIES"],
    "logins": [s.LOGIN_FAILURE_LIMIT, s.LOGIN_FAILURE_WINDOW.total_seconds()],
    "https": [s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
    "hsts": [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD],
    "proxy": s.SECURE_PROXY_SSL_HEADER, "deployIssues": issues,
}))
"""
OURS = ("DJANGO_", "TOKEN_TTL", "THROTTLE_RATE", "NUM_PROXIES", "LOGIN_FAILURE")


def production(*args: str, **env: str) -> dict:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(OURS)}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        # As the README makes one (django-environ would take a key starting with $ for a reference to another).
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "werkpad.example",
        **env,
    }
    result = subprocess.run([sys.executable, "-c", SHOW_SETTINGS, *args], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_production_settings_over_https():
    assert production(DJANGO_HTTPS="1")["deployIssues"] == []


def test_the_limits_and_the_https_settings_come_from_the_environment():
    assert production() == {
        "ttl": 12 * 3600, "rates": {"user": "1200/min", "anon": "300/min"}, "proxies": 0, "logins": [10, 15 * 60],
        "https": [False, False, False], "hsts": [0, True, True], "proxy": None,
        # Without HTTPS: no HSTS, no redirect, cookies over plain HTTP. Nothing else.
        "deployIssues": ["security.W004", "security.W008", "security.W012", "security.W016"],
    }  # fmt: skip
    assert production(
        "--no-check", TOKEN_TTL_HOURS="2", THROTTLE_RATE_USER="60/min", THROTTLE_RATE_ANON="10/min", NUM_PROXIES="1",
        LOGIN_FAILURE_LIMIT="5", LOGIN_FAILURE_WINDOW_MINUTES="30", DJANGO_HTTPS="1", DJANGO_HSTS_SECONDS="600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0", DJANGO_HSTS_PRELOAD="0", DJANGO_TRUST_X_FORWARDED_PROTO="1",
    ) == {
        "ttl": 2 * 3600, "rates": {"user": "60/min", "anon": "10/min"}, "proxies": 1, "logins": [5, 30 * 60],
        "https": [True, True, True], "hsts": [600, False, False], "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "deployIssues": [],
    }  # fmt: skip


# --- Security headers ------------------------------------------------------------------------------------------

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Behind a TLS proxy, as DJANGO_HTTPS=1 DJANGO_TRUST_X_FORWARDED_PROTO=1 set it (the test above).
BEHIND_TLS = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


def _answers(client: Client, coach: User, **extra) -> dict[str, object]:
    """An answer of each kind: a read, a public read, a refusal by the view, and a refusal before any view."""
    token = AuthToken.objects.create(coach)[1]
    return {
        "read": client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {token}", **extra),
        "public": client.get("/api/v1/openapi.json", **extra),
        "401": client.get("/api/v1/residents", **extra),
        "404": client.get("/api/v1/nope", **extra),
        "413": client.generic("POST", "/api/v1/residents", b"x" * 11, content_type="application/json", **extra),
    }


@override_settings(MAX_REQUEST_BODY_BYTES=10)
def test_every_api_response_carries_the_security_headers_and_no_hsts_over_plain_http(coach):
    answers = _answers(Client(), coach)
    assert [response.status_code for response in answers.values()] == [200, 200, 401, 404, 413]
    for kind, response in answers.items():
        assert {name: response.get(name) for name in HEADERS} == HEADERS, kind
        assert "Strict-Transport-Security" not in response, kind


@override_settings(MAX_REQUEST_BODY_BYTES=10, **BEHIND_TLS)
def test_behind_tls_every_answer_has_hsts_and_plain_http_is_redirected(coach):
    client = Client()  # built here: the security middleware reads its settings once, when first used
    answers = _answers(client, coach, HTTP_X_FORWARDED_PROTO="https")
    assert [response.status_code for response in answers.values()] == [200, 200, 401, 404, 413]
    for kind, response in answers.items():
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", kind
        assert {name: response.get(name) for name in HEADERS} == HEADERS, kind

    plain = client.get("/api/v1/me")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/api/v1/me"
    assert plain["API-Version"] == settings.API_VERSION
    assert client.get("/api/v1/health").status_code != 301  # the container's own health check asks over HTTP
