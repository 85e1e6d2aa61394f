"""`/api/v1/placements` (contract §6): propose, confirm (with the check-ins), decline and end."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from pathways.journey.stages import Stage
from pathways.models import CheckIn, Placement
from tests.assertions import assert_problem, invalid_names
from tests.factories import OrganisationFactory, PlacementFactory, ProgrammeFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(datetime(2026, 6, 15, 10, 0, tzinfo=AMSTERDAM))


def _pathway_at(stage: str, **kwargs):
    return ResidentFactory(pathway__stage=stage, **kwargs).current_pathway


def _proposal(pathway, employer, **fields) -> dict:
    return {
        "pathway": pathway.id,
        "employer": employer.id,
        "jobTitle": "Installatiemonteur warmtepompen",
        "startDate": "2026-12-01",
        "hoursPerWeek": 36,
        "contractType": "apprenticeship",
        **fields,
    }


def _action(client, placement, name: str, body: dict | None = None):
    return client.post(f"/api/v1/placements/{placement.id}/{name}", body or {}, format="json")


# --- Proposing ------------------------------------------------------------------------------------------------


def test_a_coach_proposes_a_placement(api, coach):
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    employer = OrganisationFactory(employer=True)

    response = api.as_user(coach).post("/api/v1/placements", _proposal(pathway, employer), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    resident = pathway.resident
    assert {key: body[key] for key in ("pathway", "resident", "employer", "jobTitle", "startDate", "hoursPerWeek")} == {
        "pathway": pathway.id,
        "resident": {"id": resident.id, "firstName": resident.first_name, "lastName": resident.last_name},
        "employer": employer.id,
        "jobTitle": "Installatiemonteur warmtepompen",
        "startDate": "2026-12-01",
        "hoursPerWeek": 36,
    }
    assert body["contractType"] == "apprenticeship" and body["status"] == "proposed"
    assert body["proposedAt"] is not None
    assert body["confirmedAt"] is None and body["confirmedBy"] is None
    assert body["endDate"] is None and body["endReason"] == ""
    placement = Placement.objects.get(pk=body["id"])
    assert (placement.status, placement.proposed_by, placement.start_date) == (
        Placement.Status.PROPOSED,
        coach,
        date(2026, 12, 1),
    )
    pathway.refresh_from_db()
    assert pathway.stage == Stage.JOB_SEARCH  # proposing moves nothing
    assert not CheckIn.objects.exists()


def test_a_start_date_in_the_past_is_allowed(api, coach):
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    payload = _proposal(pathway, OrganisationFactory(employer=True), startDate="2025-09-01")
    response = api.as_user(coach).post("/api/v1/placements", payload, format="json")
    assert response.status_code == 201
    assert Placement.objects.get().start_date == date(2025, 9, 1)


@pytest.mark.parametrize(
    ("start_date", "allowed"),
    [
        ("2021-06-15", True),  # 5 years before today in Amsterdam
        ("2021-06-14", False),  # ... which in UTC is still the 14th: its bound would let this in
        ("2028-06-15", True),  # 2 years after
        ("2028-06-16", False),
        ("9999-12-31", False),  # its check-ins would lie beyond the calendar
        ("0001-01-01", False),
    ],
)
def test_the_start_date_lies_at_most_5_years_back_and_2_ahead(api, coach, time_machine, start_date, allowed):
    time_machine.move_to(datetime(2026, 6, 14, 22, 30, tzinfo=UTC))  # 00:30 on 15 June in Amsterdam
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    payload = _proposal(pathway, OrganisationFactory(employer=True), startDate=start_date)

    response = api.as_user(coach).post("/api/v1/placements", payload, format="json")

    if allowed:
        assert response.status_code == 201, response.content
        assert Placement.objects.get().start_date.isoformat() == start_date
    else:
        assert invalid_names(response) == {"startDate"}
        assert "between 2021-06-15 and 2028-06-15" in response.json()["invalidParams"][0]["reason"]
        assert not Placement.objects.exists()


def test_a_placement_at_the_furthest_start_is_confirmed_with_its_check_ins(api, coach, employer_user):
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    payload = _proposal(pathway, employer_user.organisation, startDate="2028-06-15")
    placement = api.as_user(coach).post("/api/v1/placements", payload, format="json").json()

    response = _action(api.as_user(employer_user), Placement.objects.get(pk=placement["id"]), "confirm")

    assert response.status_code == 200, response.content
    assert max(CheckIn.objects.values_list("due_on", flat=True)) == date(2029, 6, 15)


@pytest.mark.parametrize("stage", [Stage.INTAKE, Stage.LEARNING, Stage.PLACED, Stage.COMPLETED, Stage.EXITED])
def test_a_placement_is_proposed_only_at_job_search(api, coordinator, stage):
    pathway = _pathway_at(stage)
    response = api.as_user(coordinator).post(
        "/api/v1/placements", _proposal(pathway, OrganisationFactory(employer=True)), format="json"
    )
    assert_problem(response, 409, "conflict")
    assert not Placement.objects.exists()


@pytest.mark.parametrize(
    "employer", [{"school": True}, {"kind": "housing_corporation"}, {"employer": True, "inactive": True}]
)
def test_the_employer_must_be_an_active_organisation_of_kind_employer(api, coach, employer):
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    response = api.as_user(coach).post(
        "/api/v1/placements", _proposal(pathway, OrganisationFactory(**employer)), format="json"
    )
    assert invalid_names(response) == {"employer"}
    assert not Placement.objects.exists()


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"contractType": "zero_hours"}, "contractType"),
        ({"hoursPerWeek": 0}, "hoursPerWeek"),
        ({"hoursPerWeek": 61}, "hoursPerWeek"),
        ({"startDate": "2026-02-30"}, "startDate"),
        ({"status": "confirmed"}, "status"),
        ({"confirmedBy": 1}, "confirmedBy"),
        ({"salary": 3000}, "salary"),
    ],
)
def test_a_proposal_refuses_bad_unknown_and_read_only_fields(api, coach, fields, name):
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    payload = _proposal(pathway, OrganisationFactory(employer=True), **fields)
    assert invalid_names(api.as_user(coach).post("/api/v1/placements", payload, format="json")) == {name}
    assert not Placement.objects.exists()


def test_a_coach_cannot_propose_for_someone_elses_resident(api, coach):
    pathway = _pathway_at(Stage.JOB_SEARCH)
    payload = _proposal(pathway, OrganisationFactory(employer=True))
    assert invalid_names(api.as_user(coach).post("/api/v1/placements", payload, format="json")) == {"pathway"}
    assert not Placement.objects.exists()


@pytest.mark.parametrize("role", ["employer_user", "educator"])
def test_employers_and_educators_do_not_propose(api, request, role):
    user = request.getfixturevalue(role)
    employer = user.organisation if role == "employer_user" else OrganisationFactory(employer=True)
    payload = _proposal(_pathway_at(Stage.JOB_SEARCH), employer)
    assert_problem(api.as_user(user).post("/api/v1/placements", payload, format="json"), 403, "permission-denied")
    assert not Placement.objects.exists()


# --- Confirming -----------------------------------------------------------------------------------------------


@pytest.fixture
def proposed(coach, employer_user):
    """A placement proposed by `coach` at `employer_user`'s organisation, starting on START."""
    pathway = _pathway_at(Stage.JOB_SEARCH, coach=coach)
    return PlacementFactory(pathway=pathway, employer=employer_user.organisation, start_date=START, proposed_by=coach)


def test_the_employer_confirms_with_the_default_check_ins(api, employer_user, proposed):
    response = _action(api.as_user(employer_user), proposed, "confirm")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "confirmed" and body["confirmedBy"] == employer_user.id and body["confirmedAt"]
    proposed.refresh_from_db()
    assert (proposed.status, proposed.confirmed_by) == (Placement.Status.CONFIRMED, employer_user)
    assert proposed.pathway.stage == Stage.PLACED
    assert [(c.day, c.due_on, c.status) for c in proposed.check_ins.order_by("day")] == [
        (7, date(2026, 3, 9), CheckIn.Status.SCHEDULED),
        (30, date(2026, 4, 1), CheckIn.Status.SCHEDULED),
        (90, date(2026, 5, 31), CheckIn.Status.SCHEDULED),
        (180, date(2026, 8, 29), CheckIn.Status.SCHEDULED),
        (365, date(2027, 3, 2), CheckIn.Status.SCHEDULED),
    ]


def test_confirming_plans_the_programmes_check_in_days(api, coordinator, proposed):
    resident = proposed.pathway.resident
    resident.programme = ProgrammeFactory(check_in_days=[14, 60, 120])
    resident.save(update_fields=["programme"])

    assert _action(api.as_user(coordinator), proposed, "confirm").status_code == 200

    assert [(c.day, c.due_on) for c in proposed.check_ins.order_by("day")] == [
        (14, START + timedelta(days=14)),
        (60, START + timedelta(days=60)),
        (120, START + timedelta(days=120)),
    ]
    proposed.refresh_from_db()
    assert proposed.confirmed_by == coordinator


def test_confirming_is_all_or_nothing(api, employer_user, proposed, monkeypatch):
    """The pathway moves and the check-ins are created in one transaction: if planning fails, nothing changed."""

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(CheckIn.objects, "bulk_create", fail)

    response = _action(api.as_user(employer_user), proposed, "confirm")

    assert_problem(response, 500, "server-error")
    assert "database went away" not in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == Placement.Status.PROPOSED and proposed.confirmed_at is None
    assert proposed.pathway.stage == Stage.JOB_SEARCH and proposed.pathway.history.count() == 1
    assert not CheckIn.objects.exists()


def test_another_employer_does_not_see_the_placement(api, proposed):
    stranger = UserFactory(employer=True)
    assert_problem(_action(api.as_user(stranger), proposed, "confirm"), 404, "not-found")
    assert_problem(_action(api.as_user(stranger), proposed, "decline", {"reason": "x"}), 404, "not-found")
    proposed.refresh_from_db()
    assert proposed.status == Placement.Status.PROPOSED


def test_the_coach_may_not_confirm_or_decline(api, coach, proposed):
    client = api.as_user(coach)
    assert_problem(_action(client, proposed, "confirm"), 403, "permission-denied")
    assert_problem(_action(client, proposed, "decline", {"reason": "x"}), 403, "permission-denied")
    proposed.refresh_from_db()
    assert proposed.status == Placement.Status.PROPOSED and not proposed.check_ins.exists()


@pytest.mark.parametrize("trait", ["confirmed", "declined", "ended"])
def test_only_a_proposed_placement_can_be_confirmed(api, coordinator, trait):
    placement = PlacementFactory(**{trait: True})
    check_ins = placement.check_ins.count()

    body = assert_problem(_action(api.as_user(coordinator), placement, "confirm"), 409, "invalid-transition")

    assert f"'{placement.status}'" in body["detail"] and "'confirmed'" in body["detail"]
    assert Placement.objects.get(pk=placement.pk).status == trait
    assert placement.check_ins.count() == check_ins


def test_confirm_takes_no_body(api, employer_user, proposed):
    response = _action(api.as_user(employer_user), proposed, "confirm", {"status": "confirmed"})
    assert invalid_names(response) == {"status"}
    proposed.refresh_from_db()
    assert proposed.status == Placement.Status.PROPOSED


# --- Declining ------------------------------------------------------------------------------------------------


def test_the_employer_declines_with_a_reason(api, employer_user, proposed):
    response = _action(api.as_user(employer_user), proposed, "decline", {"reason": "Vacancy filled internally."})

    assert response.status_code == 200 and response.json()["status"] == "declined"
    proposed.refresh_from_db()
    assert proposed.status == Placement.Status.DECLINED and proposed.declined_at is not None
    assert proposed.decline_reason == "Vacancy filled internally."
    assert proposed.pathway.stage == Stage.JOB_SEARCH and not proposed.check_ins.exists()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501}, {"reason": "ok", "extra": 1}])
def test_declining_needs_a_reason(api, employer_user, proposed, body):
    assert_problem(_action(api.as_user(employer_user), proposed, "decline", body), 400, "validation-error")
    proposed.refresh_from_db()
    assert proposed.status == Placement.Status.PROPOSED


def test_a_confirmed_placement_cannot_be_declined(api, coordinator):
    placement = PlacementFactory(confirmed=True)
    assert_problem(_action(api.as_user(coordinator), placement, "decline", {"reason": "x"}), 409, "invalid-transition")
    placement.refresh_from_db()
    assert placement.status == Placement.Status.CONFIRMED


# --- Ending ---------------------------------------------------------------------------------------------------


@pytest.fixture
def confirmed(coach, employer_user):
    """A confirmed placement that started on START, with its five check-ins (day 7 and 30 already held)."""
    pathway = _pathway_at(Stage.PLACED, coach=coach)
    placement = PlacementFactory(
        pathway=pathway, employer=employer_user.organisation, start_date=START, status=Placement.Status.CONFIRMED
    )
    placement.check_ins.filter(day__in=[7, 30]).update(status=CheckIn.Status.COMPLETED)
    return placement


@pytest.mark.parametrize("role", ["employer_user", "coach", "coordinator"])
def test_ending_cancels_later_check_ins_and_returns_to_job_search(api, request, confirmed, role):
    user = request.getfixturevalue(role)

    response = _action(api.as_user(user), confirmed, "end", {"endDate": "2026-06-15", "endReason": "resigned"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ended"
    assert (response.json()["endDate"], response.json()["endReason"]) == ("2026-06-15", "resigned")
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.end_date, confirmed.end_reason) == (
        Placement.Status.ENDED,
        date(2026, 6, 15),
        Placement.EndReason.RESIGNED,
    )
    # Day 90 fell due on 2026-05-31, before the end: it stays open; 180 and 365 are cancelled.
    assert dict(confirmed.check_ins.values_list("day", "status")) == {
        7: CheckIn.Status.COMPLETED,
        30: CheckIn.Status.COMPLETED,
        90: CheckIn.Status.SCHEDULED,
        180: CheckIn.Status.CANCELLED,
        365: CheckIn.Status.CANCELLED,
    }
    pathway = confirmed.pathway
    pathway.refresh_from_db()
    assert pathway.stage == Stage.JOB_SEARCH
    last = pathway.history.order_by("sequence").last()
    assert (last.from_stage, last.to_stage, last.by) == (Stage.PLACED, Stage.JOB_SEARCH, user)


def test_a_check_in_due_on_the_end_date_is_kept(api, coordinator, confirmed):
    response = _action(api.as_user(coordinator), confirmed, "end", {"endDate": "2026-05-31", "endReason": "other"})
    assert response.status_code == 200
    assert confirmed.check_ins.get(day=90).status == CheckIn.Status.SCHEDULED
    assert confirmed.check_ins.get(day=180).status == CheckIn.Status.CANCELLED


def test_ending_keeps_a_closed_pathway_closed(api, coordinator, confirmed):
    pathway = confirmed.pathway
    exited = api.as_user(coordinator).post(
        f"/api/v1/pathways/{pathway.id}/transitions", {"to": "exited", "exitReason": "Moved abroad"}, format="json"
    )
    assert exited.status_code == 200

    response = _action(api.as_user(coordinator), confirmed, "end", {"endDate": "2026-06-15", "endReason": "resigned"})

    assert response.status_code == 200
    pathway.refresh_from_db()
    assert pathway.stage == Stage.EXITED and pathway.exit_reason == "Moved abroad"
    assert confirmed.check_ins.get(day=365).status == CheckIn.Status.CANCELLED


def test_an_end_date_in_the_future_is_refused(api, coordinator, confirmed):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = _action(api.as_user(coordinator), confirmed, "end", {"endDate": tomorrow, "endReason": "resigned"})

    assert invalid_names(response) == {"endDate"}
    confirmed.refresh_from_db()
    assert confirmed.status == Placement.Status.CONFIRMED and confirmed.end_date is None
    assert not confirmed.check_ins.filter(status=CheckIn.Status.CANCELLED).exists()
    assert confirmed.pathway.stage == Stage.PLACED


def test_today_is_a_valid_end_date(api, coordinator, confirmed):
    today = timezone.localdate().isoformat()
    response = _action(api.as_user(coordinator), confirmed, "end", {"endDate": today, "endReason": "dismissed"})
    assert response.status_code == 200 and response.json()["endDate"] == today


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({}, {"endDate", "endReason"}),
        ({"endDate": "2026-06-15", "endReason": "fired"}, {"endReason"}),
        ({"endDate": "15-06-2026", "endReason": "resigned"}, {"endDate"}),
    ],
)
def test_ending_needs_a_date_and_a_reason(api, coordinator, confirmed, body, names):
    assert invalid_names(_action(api.as_user(coordinator), confirmed, "end", body)) == names
    confirmed.refresh_from_db()
    assert confirmed.status == Placement.Status.CONFIRMED


@pytest.mark.parametrize("trait", [None, "declined", "ended"])
def test_only_a_confirmed_placement_can_end(api, coordinator, trait):
    placement = PlacementFactory(**({trait: True} if trait else {}))
    response = _action(api.as_user(coordinator), placement, "end", {"endDate": "2026-06-15", "endReason": "other"})
    assert_problem(response, 409, "invalid-transition")
    assert Placement.objects.get(pk=placement.pk).status == (trait or "proposed")


def test_an_educator_cannot_end_a_placement(api, educator, confirmed):
    response = _action(api.as_user(educator), confirmed, "end", {"endDate": "2026-06-15", "endReason": "other"})
    assert_problem(response, 404, "not-found")  # educators do not see placements
    confirmed.refresh_from_db()
    assert confirmed.status == Placement.Status.CONFIRMED


# --- What employers see ---------------------------------------------------------------------------------------


def test_employers_see_their_placements_with_the_residents_name_only(api, employer_user, proposed):
    PlacementFactory()  # at another employer
    resident = proposed.pathway.resident
    client = api.as_user(employer_user)

    listed = client.get("/api/v1/placements").json()["results"]
    detail = client.get(f"/api/v1/placements/{proposed.id}").json()

    assert [row["id"] for row in listed] == [proposed.id]
    for body in (listed[0], detail):
        assert body["resident"] == {"id": resident.id, "firstName": resident.first_name, "lastName": resident.last_name}
        assert resident.email not in str(body) and resident.phone not in str(body)
    assert client.get("/api/v1/residents").json()["results"] == []
    assert_problem(client.get(f"/api/v1/residents/{resident.id}"), 404, "not-found")
    assert_problem(client.get(f"/api/v1/pathways/{proposed.pathway_id}"), 404, "not-found")


def test_placement_filters(api, coordinator, proposed):
    declined = PlacementFactory(declined=True, employer=proposed.employer)
    other = PlacementFactory()
    client = api.as_user(coordinator)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/placements", params).json()["results"]}

    assert ids(employer=proposed.employer_id) == {proposed.id, declined.id}
    assert ids(employer=proposed.employer_id, status="declined") == {declined.id}
    assert ids(pathway=other.pathway_id) == {other.id}
    assert ids(resident=proposed.pathway.resident_id) == {proposed.id}
