import pytest

from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_health_reports_database_broker_and_deliveries(api):
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "deliveries": {"failed": 0, "stuck": 0},
        "sweep": [],
    }
    assert response["API-Version"] == "1.0.0"


def test_health_reports_failed_deliveries_without_becoming_unhealthy(api):
    from django.utils import timezone

    from pathways.models import OutboxEmail

    OutboxEmail.objects.create(
        notification=NotificationFactory(), status=OutboxEmail.Status.FAILED, attempts=5, created_at=timezone.now()
    )
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["deliveries"] == {"failed": 1, "stuck": 0}


@pytest.mark.services
def test_runs_on_postgresql_and_redis_under_ci():
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
