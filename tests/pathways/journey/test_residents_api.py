"""`/api/v1/residents` (contract §5): registering with consent, the first pathway, who coaches whom, filters,
ordering and pagination."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pathways.journey.stages import Stage
from pathways.models import Pathway, Resident
from tests.assertions import invalid_names
from tests.factories import (
    NeighbourhoodFactory,
    PathwayFactory,
    ProgrammeFactory,
    ResidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _registration(**fields) -> dict:
    consent = (timezone.now() - timedelta(hours=1)).isoformat()
    return {"firstName": "Noor", "lastName": "El Amrani", "consentGivenAt": consent, **fields}


# --- Creating -------------------------------------------------------------------------------------------------


def test_a_coach_registers_a_resident_and_becomes_their_coach(api, coach):
    moerwijk, programme = NeighbourhoodFactory(name="Moerwijk"), ProgrammeFactory()
    payload = _registration(
        email="noor@example.nl",
        phone="+31 6 1234 5678",
        dateOfBirth="1994-03-12",
        neighbourhood=moerwijk.id,
        programme=programme.id,
    )

    response = api.as_user(coach).post("/api/v1/residents", payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    resident = Resident.objects.get(pk=body["id"])
    pathway = Pathway.objects.get(resident=resident)
    assert body == {
        "id": resident.id,
        "firstName": "Noor",
        "lastName": "El Amrani",
        "email": "noor@example.nl",
        "phone": "+31 6 1234 5678",
        "dateOfBirth": "1994-03-12",
        "neighbourhood": moerwijk.id,
        "coach": coach.id,
        "programme": programme.id,
        "consentGivenAt": body["consentGivenAt"],
        "createdAt": body["createdAt"],
        "currentPathway": {"id": pathway.id, "stage": "intake"},
    }
    assert body["createdAt"].endswith(("+01:00", "+02:00"))  # instants in the coalition's clock, with offset
    assert resident.coach == coach and resident.current_pathway == pathway
    assert resident.consent_given_at.isoformat() == payload["consentGivenAt"]
    # The first pathway is opened at intake, with its opening as the first row of its history.
    assert pathway.stage == Stage.INTAKE and pathway.closed_at is None
    assert list(pathway.history.values_list("from_stage", "to_stage", "by")) == [("", Stage.INTAKE, coach.id)]


def test_a_coach_may_not_set_the_coach(api, coach):
    other = UserFactory(coach=True)

    response = api.as_user(coach).post("/api/v1/residents", _registration(coach=other.id), format="json")

    assert invalid_names(response) == {"coach"}
    assert response.json()["invalidParams"][0]["reason"] == "This field is read-only."
    assert not Resident.objects.exists() and not Pathway.objects.exists()


def test_a_coordinator_assigns_the_coach(api, coordinator, coach):
    response = api.as_user(coordinator).post("/api/v1/residents", _registration(coach=coach.id), format="json")

    assert response.status_code == 201
    assert response.json()["coach"] == coach.id
    resident = Resident.objects.get(pk=response.json()["id"])
    assert resident.coach == coach
    assert resident.current_pathway.history.get().by == coordinator


def test_a_coordinator_may_leave_a_resident_without_a_coach(api, coordinator):
    response = api.as_user(coordinator).post("/api/v1/residents", _registration(), format="json")
    assert response.status_code == 201
    assert response.json()["coach"] is None
    assert Resident.objects.get().coach is None


def test_only_a_coach_can_be_assigned_as_coach(api, coordinator, educator):
    response = api.as_user(coordinator).post("/api/v1/residents", _registration(coach=educator.id), format="json")
    assert invalid_names(response) == {"coach"}
    assert not Resident.objects.exists()


@pytest.mark.parametrize(
    "consent",
    [None, "", "not-a-moment", (timezone.now() + timedelta(days=1)).isoformat()],
    ids=["missing", "empty", "garbage", "future"],
)
def test_consent_is_required_and_not_in_the_future(api, coach, consent):
    payload = _registration()
    if consent is None:
        del payload["consentGivenAt"]
    else:
        payload["consentGivenAt"] = consent

    response = api.as_user(coach).post("/api/v1/residents", payload, format="json")

    assert invalid_names(response) == {"consentGivenAt"}
    assert not Resident.objects.exists() and not Pathway.objects.exists()


def test_consent_a_moment_ago_is_accepted(api, coach):
    payload = _registration(consentGivenAt=timezone.now().isoformat())
    assert api.as_user(coach).post("/api/v1/residents", payload, format="json").status_code == 201


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"dateOfBirth": (timezone.localdate() + timedelta(days=1)).isoformat()}, "dateOfBirth"),
        ({"neighbourhood": 987654321}, "neighbourhood"),
        ({"bsn": "123456782"}, "bsn"),
        ({"currentPathway": {"id": 1, "stage": "placed"}}, "currentPathway"),
        ({"createdAt": "2020-01-01T00:00:00+01:00"}, "createdAt"),
        # A field's name in another case is unknown (the schema allows no additional properties), named as sent.
        ({"date_of_birth": "1990-05-01"}, "date_of_birth"),
        ({"DateOfBirth": "1990-05-01"}, "DateOfBirth"),
    ],
)
def test_a_registration_refuses_bad_unknown_and_read_only_fields(api, coach, fields, name):
    response = api.as_user(coach).post("/api/v1/residents", _registration(**fields), format="json")
    assert invalid_names(response) == {name}
    assert not Resident.objects.exists()


@pytest.mark.parametrize("role", ["employer_user", "educator"])
def test_employers_and_educators_do_not_register_residents(api, request, role):
    response = api.as_user(request.getfixturevalue(role)).post("/api/v1/residents", _registration(), format="json")
    assert response.status_code == 403
    assert not Resident.objects.exists()


# --- Reading and changing -------------------------------------------------------------------------------------


def test_a_coach_sees_their_own_residents_only(api, coach):
    own = ResidentFactory(coach=coach)
    other = ResidentFactory()
    client = api.as_user(coach)

    assert [row["id"] for row in client.get("/api/v1/residents").json()["results"]] == [own.id]
    assert client.get(f"/api/v1/residents/{own.id}").status_code == 200
    assert client.get(f"/api/v1/residents/{other.id}").status_code == 404


def test_current_pathway_is_the_open_one_else_the_last_closed_else_null(api, coordinator):
    resident = ResidentFactory(pathway=False)
    client = api.as_user(coordinator)
    assert client.get(f"/api/v1/residents/{resident.id}").json()["currentPathway"] is None

    closed = PathwayFactory(resident=resident, exited=True)
    resident.current_pathway = closed
    resident.save(update_fields=["current_pathway"])
    assert client.get(f"/api/v1/residents/{resident.id}").json()["currentPathway"] == {
        "id": closed.id,
        "stage": "exited",
    }

    opened = client.post("/api/v1/pathways", {"resident": resident.id}, format="json").json()
    assert client.get(f"/api/v1/residents/{resident.id}").json()["currentPathway"] == {
        "id": opened["id"],
        "stage": "intake",
    }


def test_a_coach_changes_their_residents_details(api, coach):
    resident = ResidentFactory(coach=coach)
    bouwlust = NeighbourhoodFactory(name="Bouwlust")

    response = api.as_user(coach).patch(
        f"/api/v1/residents/{resident.id}", {"phone": "070 123 4567", "neighbourhood": bouwlust.id}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["phone"] == "070 123 4567" and response.json()["neighbourhood"] == bouwlust.id
    resident.refresh_from_db()
    assert resident.phone == "070 123 4567" and resident.neighbourhood == bouwlust
    assert resident.coach == coach


def test_a_coach_may_not_hand_a_resident_to_another_coach(api, coach):
    resident = ResidentFactory(coach=coach)
    other = UserFactory(coach=True)

    response = api.as_user(coach).patch(f"/api/v1/residents/{resident.id}", {"coach": other.id}, format="json")

    assert invalid_names(response) == {"coach"}
    resident.refresh_from_db()
    assert resident.coach == coach


def test_a_coordinator_reassigns_the_coach(api, coordinator, coach):
    resident = ResidentFactory()

    response = api.as_user(coordinator).patch(f"/api/v1/residents/{resident.id}", {"coach": coach.id}, format="json")

    assert response.status_code == 200 and response.json()["coach"] == coach.id
    resident.refresh_from_db()
    assert resident.coach == coach
    # The resident is now in the new coach's caseload.
    assert api.as_user(coach).get(f"/api/v1/residents/{resident.id}").status_code == 200


def test_a_change_may_not_move_consent_into_the_future(api, coach):
    resident = ResidentFactory(coach=coach)
    before = resident.consent_given_at

    response = api.as_user(coach).patch(
        f"/api/v1/residents/{resident.id}",
        {"consentGivenAt": (timezone.now() + timedelta(days=2)).isoformat()},
        format="json",
    )

    assert invalid_names(response) == {"consentGivenAt"}
    resident.refresh_from_db()
    assert resident.consent_given_at == before


def test_a_coach_cannot_change_someone_elses_resident(api, coach):
    resident = ResidentFactory(first_name="Sem")
    response = api.as_user(coach).patch(f"/api/v1/residents/{resident.id}", {"firstName": "X"}, format="json")
    assert response.status_code == 404
    resident.refresh_from_db()
    assert resident.first_name == "Sem"


# --- Filters, ordering, pagination ----------------------------------------------------------------------------


@pytest.fixture
def caseload(coach):
    """Four residents of two coaches in two neighbourhoods, two programmes and three stages."""
    moerwijk, overvecht = NeighbourhoodFactory(name="Moerwijk"), NeighbourhoodFactory(name="Overvecht", city="Utrecht")
    regio_deal, nplv = ProgrammeFactory(name="Regio Deal"), ProgrammeFactory(name="NPLV")
    other_coach = UserFactory(coach=True)
    return {
        "ada": ResidentFactory(
            first_name="Ada", last_name="Bakker", email="ada@example.nl", coach=coach,
            neighbourhood=moerwijk, programme=regio_deal,
        ),
        "bram": ResidentFactory(
            first_name="Bram", last_name="Claes", email="b.claes@werk.example", coach=coach,
            neighbourhood=overvecht, programme=nplv, pathway__stage=Stage.LEARNING,
        ),
        "cem": ResidentFactory(
            first_name="Cem", last_name="Aydin", email="cem@example.nl", coach=other_coach,
            neighbourhood=moerwijk, programme=nplv, pathway__stage=Stage.JOB_SEARCH,
        ),
        "dewi": ResidentFactory(
            first_name="Dewi", last_name="de Boer", email="dewi@example.nl", coach=other_coach,
            neighbourhood=overvecht, programme=None, pathway__stage=Stage.LEARNING,
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["cem", "ada", "bram", "dewi"]),  # by last name, first name
        ({"neighbourhood": "moerwijk"}, ["cem", "ada"]),
        ({"coach": "coach"}, ["ada", "bram"]),
        ({"programme": "nplv"}, ["cem", "bram"]),
        ({"stage": "learning"}, ["bram", "dewi"]),
        ({"stage": "placed"}, []),
        ({"search": "CLAES"}, ["bram"]),
        ({"search": "example.nl"}, ["cem", "ada", "dewi"]),
        ({"search": "dewi boer"}, ["dewi"]),  # every word must match
        ({"stage": "learning", "neighbourhood": "overvecht"}, ["bram", "dewi"]),
        ({"stage": "learning", "coach": "coach"}, ["bram"]),
        ({"ordering": "firstName"}, ["ada", "bram", "cem", "dewi"]),
        ({"ordering": "-lastName"}, ["dewi", "bram", "ada", "cem"]),
    ],
)
def test_filters_and_ordering(api, coordinator, coach, caseload, params, expected):
    resident = caseload["ada"]
    ids = {
        "moerwijk": resident.neighbourhood_id,
        "overvecht": caseload["bram"].neighbourhood_id,
        "nplv": caseload["bram"].programme_id,
        "coach": coach.id,
    }
    query = {key: ids.get(value, value) for key, value in params.items()}

    response = api.as_user(coordinator).get("/api/v1/residents", query)

    assert response.status_code == 200
    names = {r.id: name for name, r in caseload.items()}
    assert [names[row["id"]] for row in response.json()["results"]] == expected
    assert response.json()["count"] == len(expected)


def test_filters_stay_within_a_coachs_caseload(api, coach, caseload):
    response = api.as_user(coach).get("/api/v1/residents", {"neighbourhood": caseload["cem"].neighbourhood_id})
    assert [row["id"] for row in response.json()["results"]] == [caseload["ada"].id]


@pytest.mark.parametrize(
    "params",
    [{"stage": "hired"}, {"coach": "seven"}, {"neighbourhood": "-1"}, {"programme": str(2**64)}],
)
def test_a_bad_filter_value_is_a_400(api, coordinator, params):
    assert invalid_names(api.as_user(coordinator).get("/api/v1/residents", params)) == set(params)


def test_pages(api, coordinator, caseload):
    client = api.as_user(coordinator)

    first = client.get("/api/v1/residents", {"pageSize": 3}).json()
    second = client.get("/api/v1/residents", {"pageSize": 3, "page": 2}).json()

    assert first["count"] == second["count"] == 4
    assert first["previous"] is None and first["next"].endswith("page=2&pageSize=3")
    assert second["next"] is None and second["previous"] is not None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(first["results"]) == 3 and sorted(ids) == sorted(r.id for r in caseload.values())
    assert client.get("/api/v1/residents", {"page": 3, "pageSize": 3}).status_code == 404


def test_default_page_size_is_25_and_a_larger_page_size_is_served_as_200(api, coordinator, coach):
    moerwijk = NeighbourhoodFactory()
    Resident.objects.bulk_create(ResidentFactory.build_batch(205, coach=coach, neighbourhood=moerwijk, pathway=False))
    client = api.as_user(coordinator)

    default = client.get("/api/v1/residents").json()
    capped = client.get("/api/v1/residents", {"pageSize": 1000}).json()

    assert default["count"] == capped["count"] == 205
    assert len(default["results"]) == 25
    assert len(capped["results"]) == 200 and capped["next"] is not None
