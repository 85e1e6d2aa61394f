"""`/api/v1/modules` and `/api/v1/enrolments` (contract §5): the catalogue, seats, and what educators record."""

import pytest

from pathways.journey.stages import Stage
from pathways.models import Enrolment, Module
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    EnrolmentFactory,
    ModuleFactory,
    OrganisationFactory,
    PathwayFactory,
    ResidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODULE = {
    "title": "Zonnepanelen leggen",
    "theme": "energy_transition",
    "hours": 120,
    "capacity": 15,
    "startsOn": "2027-02-01",
    "endsOn": "2027-06-30",
}


def _pathway_at(stage: str, **kwargs):
    return ResidentFactory(pathway__stage=stage, **kwargs).current_pathway


def _enrol(client, pathway, module):
    return client.post("/api/v1/enrolments", {"pathway": pathway.id, "module": module.id}, format="json")


# --- Modules --------------------------------------------------------------------------------------------------


def test_a_coordinator_creates_and_changes_a_module(api, coordinator):
    school = OrganisationFactory(school=True)
    client = api.as_user(coordinator)

    response = client.post("/api/v1/modules", {**MODULE, "provider": school.id}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], **MODULE, "provider": school.id, "project": None}
    module = Module.objects.get(pk=body["id"])
    assert (module.title, module.provider, module.capacity) == ("Zonnepanelen leggen", school, 15)

    response = client.patch(f"/api/v1/modules/{module.id}", {"capacity": 20, "theme": "construction"}, format="json")
    assert response.status_code == 200 and response.json()["capacity"] == 20
    module.refresh_from_db()
    assert (module.capacity, module.theme) == (20, Module.Theme.CONSTRUCTION)


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"theme": "banking"}, "theme"),
        ({"endsOn": "2027-01-01"}, "endsOn"),
        ({"capacity": 0}, "capacity"),
        ({"hours": -4}, "hours"),
        ({"provider": 987654321}, "provider"),
    ],
)
def test_a_module_refuses_impossible_values(api, coordinator, fields, name):
    payload = {**MODULE, "provider": OrganisationFactory(school=True).id, **fields}
    assert invalid_names(api.as_user(coordinator).post("/api/v1/modules", payload, format="json")) == {name}
    assert not Module.objects.exists()


def test_capacity_cannot_drop_below_the_seats_taken(api, coordinator):
    module = ModuleFactory(capacity=3)
    EnrolmentFactory.create_batch(2, module=module)
    EnrolmentFactory(module=module, dropped=True)  # holds no seat
    client = api.as_user(coordinator)

    assert_problem(client.patch(f"/api/v1/modules/{module.id}", {"capacity": 1}, format="json"), 409, "conflict")
    module.refresh_from_db()
    assert module.capacity == 3
    assert client.patch(f"/api/v1/modules/{module.id}", {"capacity": 2}, format="json").status_code == 200


@pytest.mark.parametrize(("role", "patch_status"), [("coach", 403), ("educator", 403), ("employer_user", 404)])
def test_only_coordinators_write_modules(api, request, role, patch_status):
    user = request.getfixturevalue(role)
    module = ModuleFactory(provider=user.organisation, title="Zorg")
    client = api.as_user(user)

    created = client.post("/api/v1/modules", {**MODULE, "provider": user.organisation_id}, format="json")
    changed = client.patch(f"/api/v1/modules/{module.id}", {"title": "Anders"}, format="json")

    assert created.status_code == 403
    assert changed.status_code == patch_status  # an employer does not see modules at all
    module.refresh_from_db()
    assert module.title == "Zorg" and Module.objects.count() == 1


def test_coaches_see_the_whole_catalogue_and_educators_their_own_modules(api, coach, educator):
    own = ModuleFactory(provider=educator.organisation, theme=Module.Theme.CARE)
    other = ModuleFactory(theme=Module.Theme.LOGISTICS)

    coach_ids = {row["id"] for row in api.as_user(coach).get("/api/v1/modules").json()["results"]}
    assert coach_ids == {own.id, other.id}
    logistics = api.as_user(coach).get("/api/v1/modules", {"theme": "logistics"}).json()["results"]
    assert [row["id"] for row in logistics] == [other.id]
    educator_client = api.as_user(educator)
    assert [row["id"] for row in educator_client.get("/api/v1/modules").json()["results"]] == [own.id]
    assert educator_client.get(f"/api/v1/modules/{other.id}").status_code == 404


# --- Enrolling ------------------------------------------------------------------------------------------------


def test_enrolling_at_intake_starts_learning(api, coach):
    pathway = _pathway_at(Stage.INTAKE, coach=coach)
    module = ModuleFactory()

    response = _enrol(api.as_user(coach), pathway, module)

    assert response.status_code == 201
    body = response.json()
    assert body["pathway"] == pathway.id and body["module"] == module.id
    assert body["status"] == "enrolled" and body["completedAt"] is None and body["attendedHours"] == 0
    enrolment = Enrolment.objects.get(pk=body["id"])
    assert (enrolment.pathway, enrolment.module, enrolment.status) == (pathway, module, Enrolment.Status.ENROLLED)
    pathway.refresh_from_db()
    assert pathway.stage == Stage.LEARNING


@pytest.mark.parametrize("stage", [Stage.LEARNING, Stage.JOB_SEARCH])
def test_enrolling_later_keeps_the_stage(api, coach, stage):
    pathway = _pathway_at(stage, coach=coach)
    history = pathway.history.count()

    assert _enrol(api.as_user(coach), pathway, ModuleFactory()).status_code == 201

    pathway.refresh_from_db()
    assert pathway.stage == stage and pathway.history.count() == history


@pytest.mark.parametrize("stage", [Stage.PLACED, Stage.COMPLETED, Stage.EXITED])
def test_enrolling_needs_intake_learning_or_job_search(api, coordinator, stage):
    pathway = PathwayFactory(stage=stage)

    response = _enrol(api.as_user(coordinator), pathway, ModuleFactory())

    assert_problem(response, 409, "conflict")
    assert not Enrolment.objects.exists()
    pathway.refresh_from_db()
    assert pathway.stage == stage


def test_a_full_module_refuses_another_enrolment(api, coach):
    module = ModuleFactory(capacity=2)
    EnrolmentFactory(module=module)
    EnrolmentFactory(module=module, completed=True)  # a completed enrolment keeps its seat
    pathway = _pathway_at(Stage.INTAKE, coach=coach)

    assert_problem(_enrol(api.as_user(coach), pathway, module), 409, "conflict")
    assert module.enrolments.count() == 2
    pathway.refresh_from_db()
    assert pathway.stage == Stage.INTAKE  # the refused enrolment moved nothing


def test_a_dropped_enrolment_frees_its_seat(api, coach):
    module = ModuleFactory(capacity=1)
    EnrolmentFactory(module=module, dropped=True)
    assert _enrol(api.as_user(coach), _pathway_at(Stage.LEARNING, coach=coach), module).status_code == 201


def test_the_same_pathway_cannot_enrol_twice_in_one_module(api, coach):
    pathway = _pathway_at(Stage.LEARNING, coach=coach)
    module = ModuleFactory()
    EnrolmentFactory(pathway=pathway, module=module, dropped=True)

    assert_problem(_enrol(api.as_user(coach), pathway, module), 409, "conflict")
    assert Enrolment.objects.filter(pathway=pathway, module=module).count() == 1


def test_a_coach_cannot_enrol_someone_elses_resident(api, coach):
    pathway = _pathway_at(Stage.LEARNING)
    assert invalid_names(_enrol(api.as_user(coach), pathway, ModuleFactory())) == {"pathway"}
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("role", ["educator", "employer_user"])
def test_educators_and_employers_do_not_enrol(api, request, role):
    user = request.getfixturevalue(role)
    response = _enrol(api.as_user(user), _pathway_at(Stage.LEARNING), ModuleFactory(provider=user.organisation))
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("field", ["status", "attendedHours", "completedAt"])
def test_an_enrolment_is_created_enrolled(api, coach, field):
    pathway = _pathway_at(Stage.LEARNING, coach=coach)
    value = {"status": "completed", "attendedHours": 40, "completedAt": "2026-01-01T00:00:00+01:00"}[field]
    payload = {"pathway": pathway.id, "module": ModuleFactory().id, field: value}
    assert invalid_names(api.as_user(coach).post("/api/v1/enrolments", payload, format="json")) == {field}
    assert not Enrolment.objects.exists()


# --- Completing, dropping, attendance -------------------------------------------------------------------------


@pytest.fixture
def enrolment(educator):
    return EnrolmentFactory(module=ModuleFactory(provider=educator.organisation, hours=80))


def test_the_modules_educator_completes_an_enrolment(api, educator, enrolment):
    response = api.as_user(educator).post(
        f"/api/v1/enrolments/{enrolment.id}/complete", {"attendedHours": 76}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "completed" and response.json()["attendedHours"] == 76
    assert response.json()["completedAt"] is not None
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED and enrolment.completed_at is not None
    assert enrolment.attended_hours == 76


def test_the_modules_educator_drops_an_enrolment(api, educator, enrolment):
    response = api.as_user(educator).post(f"/api/v1/enrolments/{enrolment.id}/drop")

    assert response.status_code == 200 and response.json()["status"] == "dropped"
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.DROPPED and enrolment.dropped_at is not None


@pytest.mark.parametrize("action", ["complete", "drop"])
def test_a_coordinator_completes_and_drops(api, coordinator, enrolment, action):
    response = api.as_user(coordinator).post(f"/api/v1/enrolments/{enrolment.id}/{action}")
    assert response.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == {"complete": "completed", "drop": "dropped"}[action]


@pytest.mark.parametrize("action", ["complete", "drop"])
def test_another_providers_educator_does_not_see_the_enrolment(api, enrolment, action):
    stranger = UserFactory(educator=True)
    assert_problem(api.as_user(stranger).post(f"/api/v1/enrolments/{enrolment.id}/{action}"), 404, "not-found")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


@pytest.mark.parametrize("action", ["complete", "drop"])
def test_the_coach_sees_the_enrolment_but_may_not_complete_or_drop_it(api, enrolment, action):
    coach = enrolment.pathway.resident.coach
    assert api.as_user(coach).get(f"/api/v1/enrolments/{enrolment.id}").status_code == 200
    assert_problem(api.as_user(coach).post(f"/api/v1/enrolments/{enrolment.id}/{action}"), 403, "permission-denied")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


@pytest.mark.parametrize(
    ("state", "action"),
    [("completed", "complete"), ("completed", "drop"), ("dropped", "complete"), ("dropped", "drop")],
)
def test_a_finished_enrolment_cannot_change_again(api, educator, state, action):
    enrolment = EnrolmentFactory(module=ModuleFactory(provider=educator.organisation), **{state: True})

    response = api.as_user(educator).post(f"/api/v1/enrolments/{enrolment.id}/{action}")

    body = assert_problem(response, 409, "invalid-transition")
    assert f"'{state}'" in body["detail"]
    enrolment.refresh_from_db()
    assert enrolment.status == state


def test_attended_hours_cannot_exceed_the_module(api, educator, enrolment):
    response = api.as_user(educator).post(
        f"/api/v1/enrolments/{enrolment.id}/complete", {"attendedHours": 81}, format="json"
    )
    assert invalid_names(response) == {"attendedHours"}
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_the_educator_records_attendance(api, educator, enrolment):
    response = api.as_user(educator).patch(f"/api/v1/enrolments/{enrolment.id}", {"attendedHours": 24}, format="json")

    assert response.status_code == 200 and response.json()["attendedHours"] == 24
    enrolment.refresh_from_db()
    assert enrolment.attended_hours == 24 and enrolment.status == Enrolment.Status.ENROLLED


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"attendedHours": 81}, "attendedHours"),
        ({"attendedHours": -1}, "attendedHours"),
        ({"status": "completed"}, "status"),
        ({"module": 1}, "module"),
    ],
)
def test_attendance_is_the_only_change_and_stays_within_the_module(api, educator, enrolment, body, name):
    response = api.as_user(educator).patch(f"/api/v1/enrolments/{enrolment.id}", body, format="json")
    assert invalid_names(response) == {name}
    enrolment.refresh_from_db()
    assert (enrolment.attended_hours, enrolment.status) == (0, Enrolment.Status.ENROLLED)


def test_a_coach_does_not_record_attendance(api, enrolment):
    coach = enrolment.pathway.resident.coach
    response = api.as_user(coach).patch(f"/api/v1/enrolments/{enrolment.id}", {"attendedHours": 5}, format="json")
    assert_problem(response, 403, "permission-denied")
    enrolment.refresh_from_db()
    assert enrolment.attended_hours == 0


# --- What educators see of residents --------------------------------------------------------------------------


def test_educators_see_only_the_residents_name(api, educator, enrolment):
    resident = enrolment.pathway.resident
    client = api.as_user(educator)

    listed = client.get("/api/v1/enrolments").json()["results"]
    detail = client.get(f"/api/v1/enrolments/{enrolment.id}").json()

    assert [row["id"] for row in listed] == [enrolment.id]
    for body in (listed[0], detail):
        assert body["resident"] == {"id": resident.id, "firstName": resident.first_name, "lastName": resident.last_name}
        assert resident.email not in str(body) and resident.phone not in str(body)
    # Nothing else about the resident is open to them.
    assert client.get("/api/v1/residents").json()["results"] == []
    assert_problem(client.get(f"/api/v1/residents/{resident.id}"), 404, "not-found")
    assert_problem(client.get(f"/api/v1/pathways/{enrolment.pathway_id}"), 404, "not-found")


def test_enrolment_filters(api, coordinator):
    module = ModuleFactory()
    enrolled = EnrolmentFactory(module=module)
    completed = EnrolmentFactory(module=module, completed=True)
    EnrolmentFactory()  # another module
    client = api.as_user(coordinator)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/enrolments", params).json()["results"]}

    assert ids(module=module.id) == {enrolled.id, completed.id}
    assert ids(module=module.id, status="completed") == {completed.id}
    assert ids(pathway=enrolled.pathway_id) == {enrolled.id}
    assert ids(resident=completed.pathway.resident_id) == {completed.id}
