"""The resident list and detail, byte for byte: the wire format the performance work must not change."""

from datetime import UTC, date, datetime

import pytest
from knox.models import AuthToken

from pathways.models import Resident
from tests.factories import NeighbourhoodFactory, ProgrammeFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_api(api, coordinator):
    """A client sending a real knox token, so authentication takes the path production takes."""
    _, token = AuthToken.objects.create(coordinator)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def _resident_with_pathway(stage: str) -> Resident:
    resident = ResidentFactory(
        first_name="Fatima",
        last_name="Şahin",  # non-ASCII survives the renderer unescaped
        email="fatima.sahin@example.nl",
        phone="+31 6 12345678",
        date_of_birth=date(1990, 2, 28),
        neighbourhood=NeighbourhoodFactory(name="Moerwijk"),
        programme=ProgrammeFactory(name="Regio Deal Zuidwest"),
        consent_given_at=datetime(2026, 1, 5, 8, 30, 15, 123456, tzinfo=UTC),  # winter: +01:00
        pathway__stage=stage,
    )
    # created_at is set on insert; pin it to a summer instant to see the +02:00 offset.
    Resident.objects.filter(pk=resident.pk).update(created_at=datetime(2026, 6, 15, 10, 0, tzinfo=UTC))
    return resident


def _expected(resident: Resident) -> dict:
    return {
        "id": resident.pk,
        "firstName": "Fatima",
        "lastName": "Şahin",
        "email": "fatima.sahin@example.nl",
        "phone": "+31 6 12345678",
        "dateOfBirth": "1990-02-28",
        "neighbourhood": resident.neighbourhood_id,
        "coach": resident.coach_id,
        "programme": resident.programme_id,
        "consentGivenAt": "2026-01-05T09:30:15.123456+01:00",
        "createdAt": "2026-06-15T12:00:00+02:00",
        "currentPathway": {"id": resident.current_pathway_id, "stage": "job_search"},
    }


def test_list_and_detail_are_exactly_the_contract_shape(token_api):
    resident = _resident_with_pathway("job_search")

    listed = token_api.get("/api/v1/residents?pageSize=50")
    detail = token_api.get(f"/api/v1/residents/{resident.pk}")

    assert listed.status_code == 200
    assert listed["Content-Type"] == "application/json"
    assert listed.json() == {"count": 1, "next": None, "previous": None, "results": [_expected(resident)]}
    assert detail.status_code == 200
    assert detail.json() == _expected(resident)
    assert b'"lastName":"\xc5\x9eahin"' in detail.content  # UTF-8 on the wire, not \u escapes


def test_empty_optional_fields_and_no_pathway_are_null_or_blank(token_api):
    resident = ResidentFactory(
        first_name="Sem",
        last_name="de Vries",
        email="",
        phone="",
        date_of_birth=None,
        neighbourhood=None,
        coach=None,
        pathway=False,
        consent_given_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    )
    Resident.objects.filter(pk=resident.pk).update(created_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))

    body = token_api.get("/api/v1/residents").json()

    assert body["results"] == [
        {
            "id": resident.pk,
            "firstName": "Sem",
            "lastName": "de Vries",
            "email": "",
            "phone": "",
            "dateOfBirth": None,
            "neighbourhood": None,
            "coach": None,
            "programme": None,
            "consentGivenAt": "2026-03-01T13:00:00+01:00",
            "createdAt": "2026-03-02T13:00:00+01:00",
            "currentPathway": None,
        }
    ]


def test_pages_keep_the_name_order_and_link_with_camel_case_parameters(token_api):
    for last_name in ["Şahin", "Jansen", "Bakker"]:
        ResidentFactory(last_name=last_name)

    first = token_api.get("/api/v1/residents?pageSize=2").json()
    second = token_api.get(first["next"]).json()

    assert first["count"] == 3
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/residents?page=2&pageSize=2"
    assert [r["lastName"] for r in first["results"] + second["results"]] == ["Bakker", "Jansen", "Şahin"]
    assert second["previous"] == "http://testserver/api/v1/residents?pageSize=2"
    assert second["next"] is None
