import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(api):
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["API-Version"] == "1.0.0"


@pytest.mark.services
def test_runs_on_postgresql_and_redis_under_ci():
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
