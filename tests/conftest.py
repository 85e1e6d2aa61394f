import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def services_missing() -> str | None:
    """Why the PostgreSQL and Redis tests cannot run here, or None when they can."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        return "CELERY_BROKER_URL does not point at Redis"
    if not _reachable(broker):
        return f"Redis at {broker} is not reachable"
    return None


@pytest.fixture(autouse=True)
def _services_gate(request):
    """Tests marked `services` skip, saying why, where PostgreSQL and Redis are missing, and fail under CI."""
    if request.node.get_closest_marker("services") is None:
        return
    missing = services_missing()
    if missing and REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {missing}")
    if missing:
        pytest.skip(f"needs PostgreSQL and Redis: {missing}")


@pytest.fixture(autouse=True)
def _node_gate(request):
    """Tests marked `node` run Node.js tools through npx: skipped, saying so, where it is missing; failed under CI."""
    if request.node.get_closest_marker("node") is None or shutil.which("npx"):
        return
    if REQUIRE_SERVICES:
        pytest.fail("REQUIRE_SERVICES=1 but npx (Node.js) is not installed")
    pytest.skip("needs npx (Node.js), which is not installed")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and failed logins live in the cache: every test starts with none."""
    cache.clear()


@pytest.fixture
def shared_cache():
    """The counters in Redis (db 13 of the broker's Redis server), as the processes of a deployment share them."""
    url = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/13"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    ):
        caches["default"].clear()
        yield caches["default"]
        caches["default"].clear()


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it as that user."""
    client = APIClient()

    def as_user(user):
        client.force_authenticate(user=user)
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def coordinator(db):
    return UserFactory(coordinator=True)


@pytest.fixture
def coach(db):
    return UserFactory(coach=True)


@pytest.fixture
def employer_user(db):
    return UserFactory(employer=True)


@pytest.fixture
def educator(db):
    return UserFactory(educator=True)
