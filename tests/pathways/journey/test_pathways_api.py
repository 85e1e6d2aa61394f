"""`/api/v1/pathways` (contract §5): opening, transitions, history, and the stage table walked through the API."""

from datetime import date
from itertools import product

import pytest

from pathways.journey.stages import MOVES, Cause, Stage
from pathways.models import CheckIn, Pathway, Placement, StageChange
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    CheckInFactory,
    ModuleFactory,
    PlacementFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

# The moves the contract's table lets a coach or coordinator ask for, written out so that a wrong table fails.
CONTRACT_ASKED_MOVES = {
    ("intake", "learning"),
    ("intake", "job_search"),
    ("learning", "job_search"),
    ("job_search", "learning"),
    ("placed", "completed"),
    ("intake", "exited"),
    ("learning", "exited"),
    ("job_search", "exited"),
    ("placed", "exited"),
}
# The moves only the system makes, each through its one trigger.
CONTRACT_SYSTEM_MOVES = {
    Cause.ENROLMENT: {("intake", "learning")},
    Cause.PLACEMENT_CONFIRMED: {("job_search", "placed")},
    Cause.PLACEMENT_ENDED: {("placed", "job_search")},
}


def _moves_for(cause: Cause) -> set[tuple[str, str]]:
    return {(str(a), str(b)) for (a, b), causes in MOVES.items() if cause in causes}


def _pathway_at(stage: str, **kwargs) -> Pathway:
    """A resident whose current pathway is at `stage`."""
    return ResidentFactory(pathway__stage=stage, **kwargs).current_pathway


def _transition(client, pathway: Pathway, to: str, **fields):
    return client.post(f"/api/v1/pathways/{pathway.id}/transitions", {"to": to, **fields}, format="json")


def _snapshot(pathway: Pathway) -> tuple:
    pathway.refresh_from_db()
    return pathway.stage, pathway.closed_at, pathway.exit_reason, pathway.history.count()


# --- The stage table ------------------------------------------------------------------------------------------


def test_the_table_allows_exactly_the_contracts_asked_moves():
    assert _moves_for(Cause.ASKED) == CONTRACT_ASKED_MOVES


@pytest.mark.parametrize("cause", list(CONTRACT_SYSTEM_MOVES), ids=lambda cause: cause.value)
def test_the_table_gives_each_system_cause_exactly_its_move(cause):
    assert _moves_for(cause) == CONTRACT_SYSTEM_MOVES[cause]


def test_every_move_in_the_table_has_a_cause():
    assert all(MOVES.values())
    assert set(MOVES) == {
        (Stage(a), Stage(b)) for moves in [CONTRACT_ASKED_MOVES, *CONTRACT_SYSTEM_MOVES.values()] for a, b in moves
    }


@pytest.mark.parametrize(("current", "to"), list(product(Stage.values, repeat=2)), ids="{0[0]}->{0[1]}".format)
def test_stage_table_through_the_api(api, coordinator, current, to):
    pathway = _pathway_at(current)
    before = _snapshot(pathway)
    fields = {"exitReason": "Moved to Rotterdam"} if to == Stage.EXITED else {}

    response = _transition(api.as_user(coordinator), pathway, to, note="Walked by the table test", **fields)

    if (current, to) in _moves_for(Cause.ASKED):
        assert response.status_code == 200, response.content
        assert response.json()["stage"] == to
        pathway.refresh_from_db()
        assert pathway.stage == to
        assert (pathway.closed_at is not None) == (to in (Stage.COMPLETED, Stage.EXITED))
        assert pathway.exit_reason == fields.get("exitReason", "")
        last = pathway.history.order_by("sequence").last()
        assert pathway.history.count() == before[3] + 1
        assert (last.from_stage, last.to_stage, last.by, last.note) == (
            current,
            to,
            coordinator,
            "Walked by the table test",
        )
    else:
        body = assert_problem(response, 409, "invalid-transition")
        assert f"'{current}'" in body["detail"] and f"'{to}'" in body["detail"]
        assert _snapshot(pathway) == before


def test_enrolling_at_intake_moves_the_pathway_to_learning(api, coach):
    pathway = _pathway_at(Stage.INTAKE, coach=coach)
    module = ModuleFactory()

    response = api.as_user(coach).post(
        "/api/v1/enrolments", {"pathway": pathway.id, "module": module.id}, format="json"
    )

    assert response.status_code == 201
    pathway.refresh_from_db()
    assert pathway.stage == Stage.LEARNING
    last = pathway.history.order_by("sequence").last()
    assert (last.from_stage, last.to_stage, last.by) == (Stage.INTAKE, Stage.LEARNING, coach)


def test_confirming_a_placement_moves_job_search_to_placed_and_ending_it_moves_back(api, coach, employer_user):
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    placement = PlacementFactory(pathway=pathway, employer=employer_user.organisation, start_date=date(2026, 1, 5))
    client = api.as_user(employer_user)

    assert client.post(f"/api/v1/placements/{placement.id}/confirm").status_code == 200
    pathway.refresh_from_db()
    assert pathway.stage == Stage.PLACED
    last = pathway.history.order_by("sequence").last()
    assert (last.from_stage, last.to_stage, last.by) == (Stage.JOB_SEARCH, Stage.PLACED, employer_user)

    ended = client.post(
        f"/api/v1/placements/{placement.id}/end", {"endDate": "2026-02-01", "endReason": "dismissed"},
        format="json",
    )  # fmt: skip
    assert ended.status_code == 200, ended.content
    pathway.refresh_from_db()
    assert pathway.stage == Stage.JOB_SEARCH
    last = pathway.history.order_by("sequence").last()
    assert (last.from_stage, last.to_stage, last.by) == (Stage.PLACED, Stage.JOB_SEARCH, employer_user)


def test_confirming_a_placement_whose_pathway_left_job_search_is_refused_and_changes_nothing(api, coach, employer_user):
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    placement = PlacementFactory(pathway=pathway, employer=employer_user.organisation)
    assert _transition(api.as_user(coach), pathway, "learning").status_code == 200
    before = _snapshot(pathway)

    response = api.as_user(employer_user).post(f"/api/v1/placements/{placement.id}/confirm")

    body = assert_problem(response, 409, "invalid-transition")
    assert "'learning'" in body["detail"] and "'placed'" in body["detail"]
    assert _snapshot(pathway) == before
    placement.refresh_from_db()
    assert placement.status == Placement.Status.PROPOSED and placement.confirmed_at is None
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("to", ["placed", "job_search"])
def test_system_moves_cannot_be_asked_for(api, coordinator, to):
    pathway = _pathway_at(Stage.JOB_SEARCH if to == "placed" else Stage.PLACED)
    before = _snapshot(pathway)
    assert_problem(_transition(api.as_user(coordinator), pathway, to), 409, "invalid-transition")
    assert _snapshot(pathway) == before


# --- Transitions ----------------------------------------------------------------------------------------------


def test_a_coach_moves_their_residents_pathway(api, coach):
    pathway = _pathway_at(Stage.INTAKE, coach=coach)

    response = _transition(api.as_user(coach), pathway, "job_search", note="Has a diploma already.")

    assert response.status_code == 200
    assert response.json() == {
        "id": pathway.id,
        "resident": pathway.resident_id,
        "stage": "job_search",
        "startedAt": response.json()["startedAt"],
        "closedAt": None,
        "exitReason": "",
    }
    pathway.refresh_from_db()
    assert pathway.stage == Stage.JOB_SEARCH
    assert pathway.resident.current_pathway == pathway


@pytest.mark.parametrize("role", ["employer_user", "educator"])
def test_employers_and_educators_cannot_move_pathways(api, request, role):
    pathway = _pathway_at(Stage.INTAKE)
    before = _snapshot(pathway)
    response = _transition(api.as_user(request.getfixturevalue(role)), pathway, "learning")
    assert response.status_code == 404  # they do not see pathways at all
    assert _snapshot(pathway) == before


def test_a_coach_cannot_move_someone_elses_pathway(api, coach):
    pathway = _pathway_at(Stage.INTAKE)
    before = _snapshot(pathway)
    assert_problem(_transition(api.as_user(coach), pathway, "learning"), 404, "not-found")
    assert _snapshot(pathway) == before


def test_exiting_needs_an_exit_reason(api, coach):
    pathway = _pathway_at(Stage.LEARNING, coach=coach)
    before = _snapshot(pathway)
    client = api.as_user(coach)

    assert invalid_names(_transition(client, pathway, "exited")) == {"exitReason"}
    assert invalid_names(_transition(client, pathway, "exited", exitReason="")) == {"exitReason"}
    assert _snapshot(pathway) == before

    response = _transition(client, pathway, "exited", exitReason="Found work on their own")
    assert response.status_code == 200
    assert response.json()["exitReason"] == "Found work on their own" and response.json()["closedAt"] is not None
    pathway.refresh_from_db()
    assert pathway.stage == Stage.EXITED and pathway.exit_reason == "Found work on their own"
    assert pathway.closed_at is not None


def test_only_an_exit_has_an_exit_reason(api, coach):
    pathway = _pathway_at(Stage.INTAKE, coach=coach)
    before = _snapshot(pathway)
    response = _transition(api.as_user(coach), pathway, "learning", exitReason="Why not")
    assert invalid_names(response) == {"exitReason"}
    assert _snapshot(pathway) == before


@pytest.mark.parametrize(
    "body",
    [{}, {"to": "hired"}, {"to": "learning", "stage": "placed"}, {"to": "learning", "note": "x" * 2001}],
    ids=["no-to", "unknown-stage", "unknown-field", "long-note"],
)
def test_a_malformed_transition_is_a_400_and_changes_nothing(api, coach, body):
    pathway = _pathway_at(Stage.INTAKE, coach=coach)
    before = _snapshot(pathway)
    response = api.as_user(coach).post(f"/api/v1/pathways/{pathway.id}/transitions", body, format="json")
    assert_problem(response, 400, "validation-error")
    assert _snapshot(pathway) == before


# --- Completing a placed pathway ------------------------------------------------------------------------------


@pytest.fixture
def placed(coach):
    """A placed pathway whose confirmed placement has five check-ins."""
    pathway = _pathway_at(Stage.PLACED, coach=coach)
    return PlacementFactory(pathway=pathway, status=Placement.Status.CONFIRMED)


@pytest.mark.parametrize("open_status", sorted(CheckIn.OPEN))
def test_a_coach_cannot_complete_while_a_check_in_is_open(api, coach, placed, open_status):
    placed.check_ins.update(status=CheckIn.Status.COMPLETED)
    placed.check_ins.filter(day=365).update(status=open_status)
    before = _snapshot(placed.pathway)

    response = _transition(api.as_user(coach), placed.pathway, "completed")

    body = assert_problem(response, 409, "invalid-transition")
    assert "'placed'" in body["detail"] and "'completed'" in body["detail"]
    assert _snapshot(placed.pathway) == before


def test_a_coordinator_completes_while_check_ins_are_open(api, coordinator, placed):
    response = _transition(api.as_user(coordinator), placed.pathway, "completed")
    assert response.status_code == 200
    placed.pathway.refresh_from_db()
    assert placed.pathway.stage == Stage.COMPLETED and placed.pathway.closed_at is not None


def test_a_coach_completes_once_every_check_in_is_completed_or_cancelled(api, coach, placed):
    placed.check_ins.filter(day__lte=90).update(status=CheckIn.Status.COMPLETED)
    placed.check_ins.filter(day__gt=90).update(status=CheckIn.Status.CANCELLED)

    response = _transition(api.as_user(coach), placed.pathway, "completed", note="A year in work.")

    assert response.status_code == 200
    placed.pathway.refresh_from_db()
    assert placed.pathway.stage == Stage.COMPLETED
    assert placed.pathway.history.order_by("sequence").last().note == "A year in work."


def test_open_check_ins_of_an_ended_placement_do_not_block_completion(api, coach, placed):
    """Only the placement the resident is placed in counts; an earlier one that ended is history."""
    earlier = PlacementFactory(pathway=placed.pathway, ended=True, check_ins=False)
    CheckInFactory(placement=earlier, day=30)
    placed.check_ins.update(status=CheckIn.Status.COMPLETED)

    assert _transition(api.as_user(coach), placed.pathway, "completed").status_code == 200


# --- Opening a new pathway and reading ------------------------------------------------------------------------


def test_a_new_pathway_opens_only_when_the_last_is_closed(api, coach):
    pathway = _pathway_at(Stage.LEARNING, coach=coach)
    resident = pathway.resident
    client = api.as_user(coach)

    refused = client.post("/api/v1/pathways", {"resident": resident.id}, format="json")
    assert_problem(refused, 409, "conflict")
    resident.refresh_from_db()
    assert resident.pathways.count() == 1 and resident.current_pathway == pathway

    assert _transition(client, pathway, "exited", exitReason="Paused for care duties").status_code == 200
    response = client.post("/api/v1/pathways", {"resident": resident.id}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["resident"] == resident.id and body["stage"] == "intake" and body["closedAt"] is None
    new = Pathway.objects.get(pk=body["id"])
    resident.refresh_from_db()
    assert resident.current_pathway == new and resident.pathways.count() == 2
    assert list(new.history.values_list("from_stage", "to_stage", "by")) == [("", Stage.INTAKE, coach.id)]
    assert_problem(client.post("/api/v1/pathways", {"resident": resident.id}, format="json"), 409, "conflict")


def test_a_pathway_opens_for_a_resident_who_has_none(api, coordinator):
    resident = ResidentFactory(pathway=False)
    response = api.as_user(coordinator).post("/api/v1/pathways", {"resident": resident.id}, format="json")
    assert response.status_code == 201
    resident.refresh_from_db()
    assert resident.current_pathway_id == response.json()["id"]


def test_a_coach_cannot_open_a_pathway_for_someone_elses_resident(api, coach):
    resident = ResidentFactory(pathway=False)
    response = api.as_user(coach).post("/api/v1/pathways", {"resident": resident.id}, format="json")
    assert invalid_names(response) == {"resident"}
    assert not Pathway.objects.filter(resident=resident).exists()


@pytest.mark.parametrize("body", [{"resident": 1, "stage": "placed"}, {"resident": 1, "exitReason": "x"}])
def test_a_pathway_is_read_only_except_by_actions(api, coordinator, body):
    resident = ResidentFactory(pathway=False)
    payload = {**body, "resident": resident.id}
    response = api.as_user(coordinator).post("/api/v1/pathways", payload, format="json")
    assert invalid_names(response) == set(body) - {"resident"}
    assert not Pathway.objects.filter(resident=resident).exists()


def test_pathways_cannot_be_patched(api, coordinator):
    pathway = _pathway_at(Stage.INTAKE)
    response = api.as_user(coordinator).patch(f"/api/v1/pathways/{pathway.id}", {"stage": "placed"}, format="json")
    assert_problem(response, 405, "method-not-allowed")
    pathway.refresh_from_db()
    assert pathway.stage == Stage.INTAKE


def test_history_is_oldest_first_and_starts_from_no_stage(api, coach):
    client = api.as_user(coach)
    created = client.post(
        "/api/v1/residents",
        {"firstName": "Lotte", "lastName": "Jansen", "consentGivenAt": "2026-01-05T10:00:00+01:00"},
        format="json",
    ).json()
    pathway = Pathway.objects.get(pk=created["currentPathway"]["id"])
    _transition(client, pathway, "learning", note="Starts the care module.")
    _transition(client, pathway, "job_search")
    _transition(client, pathway, "exited", exitReason="Moved away", note="Left the city.")

    response = client.get(f"/api/v1/pathways/{pathway.id}/history")

    assert response.status_code == 200
    rows = response.json()
    assert [(row["fromStage"], row["toStage"], row["by"], row["note"]) for row in rows] == [
        (None, "intake", coach.id, ""),
        ("intake", "learning", coach.id, "Starts the care module."),
        ("learning", "job_search", coach.id, ""),
        ("job_search", "exited", coach.id, "Left the city."),
    ]
    moments = [row["at"] for row in rows]
    assert moments == sorted(moments)
    assert list(StageChange.objects.filter(pathway=pathway).values_list("sequence", flat=True)) == [1, 2, 3, 4]


def test_history_of_an_invisible_pathway_is_a_404(api, coach):
    pathway = _pathway_at(Stage.INTAKE)
    assert_problem(api.as_user(coach).get(f"/api/v1/pathways/{pathway.id}/history"), 404, "not-found")


def test_pathway_list_and_filters(api, coach):
    learning = _pathway_at(Stage.LEARNING, coach=coach)
    intake = _pathway_at(Stage.INTAKE, coach=coach)
    _pathway_at(Stage.LEARNING)  # someone else's
    client = api.as_user(coach)

    listed = client.get("/api/v1/pathways").json()
    assert sorted(row["id"] for row in listed["results"]) == sorted([learning.id, intake.id])
    assert [row["id"] for row in client.get("/api/v1/pathways", {"stage": "learning"}).json()["results"]] == [
        learning.id
    ]
    by_resident = client.get("/api/v1/pathways", {"resident": intake.resident_id}).json()["results"]
    assert [row["id"] for row in by_resident] == [intake.id]
    detail = client.get(f"/api/v1/pathways/{learning.id}").json()
    assert detail["stage"] == "learning" and detail["resident"] == learning.resident_id
