"""`/api/v1/check-ins` (contract §7): the list and its filters, and completing a check-in."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pathways.journey.stages import Stage
from pathways.models import CheckIn, Placement
from tests.assertions import assert_problem, invalid_names
from tests.factories import CheckInFactory, PlacementFactory, ResidentFactory, UserFactory
from tests.live import in_threads

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # check-ins due 2026-03-09, 04-01, 05-31, 08-29, 2027-03-02
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """A week before the day-180 check-in falls due: it and the earlier ones can be held."""
    time_machine.move_to(datetime(2026, 8, 22, 10, 0, tzinfo=AMSTERDAM))


def _placement_of(coach) -> Placement:
    """A confirmed placement of one of `coach`'s residents, with its five check-ins."""
    pathway = ResidentFactory(coach=coach, pathway__stage=Stage.PLACED).current_pathway
    return PlacementFactory(pathway=pathway, start_date=START, status=Placement.Status.CONFIRMED)


@pytest.fixture
def placement(coach):
    return _placement_of(coach)


def _complete(client, check_in, body):
    return client.post(f"/api/v1/check-ins/{check_in.id}/complete", body, format="json")


# --- Reading --------------------------------------------------------------------------------------------------


def test_a_coach_lists_the_check_ins_of_their_residents(api, coach, placement):
    PlacementFactory(confirmed=True)  # someone else's resident
    resident = placement.pathway.resident

    response = api.as_user(coach).get("/api/v1/check-ins")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["day"] for row in rows] == [7, 30, 90, 180, 365]  # soonest due first
    first = placement.check_ins.get(day=7)
    assert rows[0] == {
        "id": first.id,
        "placement": placement.id,
        "resident": {"id": resident.id, "firstName": resident.first_name, "lastName": resident.last_name},
        "day": 7,
        "dueOn": "2026-03-09",
        "status": "scheduled",
        "completedAt": None,
        "outcome": "",
        "notes": "",
        "supportNeeds": [],
    }
    assert api.as_user(coach).get(f"/api/v1/check-ins/{first.id}").json() == rows[0]


def test_a_coach_does_not_see_other_coaches_check_ins(api, coach):
    other = CheckInFactory()
    assert_problem(api.as_user(coach).get(f"/api/v1/check-ins/{other.id}"), 404, "not-found")


@pytest.mark.parametrize("role", ["employer_user", "educator"])
def test_employers_and_educators_see_no_check_ins(api, request, role, placement):
    client = api.as_user(request.getfixturevalue(role))
    assert client.get("/api/v1/check-ins").json()["results"] == []
    assert_problem(client.get(f"/api/v1/check-ins/{placement.check_ins.first().id}"), 404, "not-found")


@pytest.mark.parametrize(
    ("params", "days"),
    [
        ({"status": "due"}, [30]),
        ({"status": "completed"}, [7]),
        ({"dueOnBefore": "2026-04-01"}, [7, 30]),  # on or before
        ({"dueOnAfter": "2026-05-31"}, [90, 180, 365]),  # on or after
        ({"dueOnAfter": "2026-04-02", "dueOnBefore": "2026-08-29"}, [90, 180]),
        ({"dueOnBefore": "2026-03-08"}, []),
        ({"status": "scheduled", "dueOnBefore": "2026-06-01"}, [90]),
    ],
)
def test_filters_on_status_and_due_date(api, coordinator, placement, params, days):
    placement.check_ins.filter(day=7).update(status=CheckIn.Status.COMPLETED)
    placement.check_ins.filter(day=30).update(status=CheckIn.Status.DUE)

    response = api.as_user(coordinator).get("/api/v1/check-ins", params)

    assert response.status_code == 200
    assert [row["day"] for row in response.json()["results"]] == days


def test_filters_on_placement_and_coach(api, coordinator, coach, placement):
    other = PlacementFactory(confirmed=True)
    client = api.as_user(coordinator)

    def placements(**params):
        return {row["placement"] for row in client.get("/api/v1/check-ins", params).json()["results"]}

    assert placements() == {placement.id, other.id}
    assert placements(placement=other.id) == {other.id}
    assert placements(coach=coach.id) == {placement.id}
    assert placements(coach=other.pathway.resident.coach_id) == {other.id}


@pytest.mark.parametrize(
    "params", [{"status": "late"}, {"dueOnBefore": "yesterday"}, {"dueOnAfter": "2026-02-30"}, {"placement": "x"}]
)
def test_a_bad_filter_is_a_400(api, coordinator, params):
    assert invalid_names(api.as_user(coordinator).get("/api/v1/check-ins", params)) == set(params)


# --- Completing -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [CheckIn.Status.SCHEDULED, CheckIn.Status.DUE, CheckIn.Status.MISSED])
def test_the_coach_completes_an_open_check_in(api, coach, placement, status):
    check_in = placement.check_ins.get(day=30)
    check_in.status = status
    check_in.save(update_fields=["status"])

    response = _complete(
        api.as_user(coach),
        check_in,
        {"outcome": "at_risk", "notes": "Struggles with the early shifts.", "supportNeeds": ["transport", "childcare"]},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed" and body["outcome"] == "at_risk" and body["completedAt"]
    assert body["supportNeeds"] == ["childcare", "transport"]
    check_in.refresh_from_db()
    assert (check_in.status, check_in.outcome, check_in.notes, check_in.completed_by) == (
        CheckIn.Status.COMPLETED,
        CheckIn.Outcome.AT_RISK,
        "Struggles with the early shifts.",
        coach,
    )
    assert check_in.support_needs == ["childcare", "transport"] and check_in.completed_at is not None
    placement.refresh_from_db()
    assert placement.status == Placement.Status.CONFIRMED  # only left_job ends the placement


def test_a_coordinator_completes_with_the_outcome_only(api, coordinator, placement):
    check_in = placement.check_ins.get(day=7)

    response = _complete(api.as_user(coordinator), check_in, {"outcome": "employed"})

    assert response.status_code == 200
    check_in.refresh_from_db()
    assert (check_in.status, check_in.outcome, check_in.notes, check_in.support_needs) == (
        CheckIn.Status.COMPLETED,
        CheckIn.Outcome.EMPLOYED,
        "",
        [],
    )
    assert check_in.completed_by == coordinator


@pytest.mark.parametrize("status", [CheckIn.Status.COMPLETED, CheckIn.Status.CANCELLED])
def test_a_completed_or_cancelled_check_in_cannot_be_completed(api, coach, placement, status):
    check_in = placement.check_ins.get(day=30)
    check_in.status = status
    check_in.save(update_fields=["status"])

    response = _complete(api.as_user(coach), check_in, {"outcome": "employed", "notes": "Again?"})

    body = assert_problem(response, 409, "invalid-transition")
    assert f"'{status}'" in body["detail"] and "'completed'" in body["detail"]
    check_in.refresh_from_db()
    assert check_in.status == status and check_in.notes == "" and check_in.completed_by is None


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({}, {"outcome"}),
        ({"outcome": "promoted"}, {"outcome"}),
        ({"outcome": "employed", "supportNeeds": ["money"]}, {"supportNeeds"}),
        ({"outcome": "employed", "supportNeeds": "housing"}, {"supportNeeds"}),
        ({"outcome": "employed", "status": "completed"}, {"status"}),
    ],
)
def test_completing_refuses_bad_input(api, coach, placement, body, names):
    check_in = placement.check_ins.get(day=30)
    assert invalid_names(_complete(api.as_user(coach), check_in, body)) == names
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.SCHEDULED


@pytest.mark.parametrize("role", ["employer_user", "educator"])
def test_employers_and_educators_cannot_complete(api, request, placement, role):
    check_in = placement.check_ins.get(day=30)
    response = _complete(api.as_user(request.getfixturevalue(role)), check_in, {"outcome": "employed"})
    assert_problem(response, 404, "not-found")  # they do not see check-ins
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.SCHEDULED


def test_another_coach_cannot_complete(api, placement):
    check_in = placement.check_ins.get(day=30)
    response = _complete(api.as_user(UserFactory(coach=True)), check_in, {"outcome": "employed"})
    assert_problem(response, 404, "not-found")
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.SCHEDULED


# --- left_job ---------------------------------------------------------------------------------------------------


def test_left_job_ends_the_placement_today_in_amsterdam(api, coach, placement, monkeypatch):
    # 23:30 UTC on 30 June is already 1 July in Amsterdam (UTC+2 in summer).
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    placement.check_ins.filter(day=7).update(status=CheckIn.Status.COMPLETED)
    placement.check_ins.filter(day=30).update(status=CheckIn.Status.MISSED)
    check_in = placement.check_ins.get(day=90)
    check_in.status = CheckIn.Status.DUE
    check_in.save(update_fields=["status"])

    response = _complete(api.as_user(coach), check_in, {"outcome": "left_job", "notes": "Quit after a conflict."})

    assert response.status_code == 200
    assert response.json()["status"] == "completed" and response.json()["outcome"] == "left_job"
    placement.refresh_from_db()
    assert (placement.status, placement.end_date, placement.end_reason) == (
        Placement.Status.ENDED,
        date(2026, 7, 1),
        Placement.EndReason.OTHER,
    )
    # Check-ins due after the end are cancelled; earlier ones keep their state (a missed one can still be held).
    assert dict(placement.check_ins.values_list("day", "status")) == {
        7: CheckIn.Status.COMPLETED,
        30: CheckIn.Status.MISSED,
        90: CheckIn.Status.COMPLETED,
        180: CheckIn.Status.CANCELLED,
        365: CheckIn.Status.CANCELLED,
    }
    pathway = placement.pathway
    pathway.refresh_from_db()
    assert pathway.stage == Stage.JOB_SEARCH
    last = pathway.history.order_by("sequence").last()
    assert (last.from_stage, last.to_stage, last.by) == (Stage.PLACED, Stage.JOB_SEARCH, coach)


def test_left_job_on_a_late_check_in_of_an_ended_placement_changes_only_the_check_in(api, coach):
    """A check-in held late, after the placement already ended: it is recorded, nothing else moves."""
    pathway = ResidentFactory(coach=coach, pathway__stage=Stage.JOB_SEARCH).current_pathway
    placement = PlacementFactory(pathway=pathway, ended=True, end_date=date(2026, 6, 1), start_date=START)
    placement.check_ins.filter(due_on__gt=date(2026, 6, 1)).update(status=CheckIn.Status.CANCELLED)
    check_in = placement.check_ins.get(day=90)
    check_in.status = CheckIn.Status.MISSED
    check_in.save(update_fields=["status"])

    response = _complete(api.as_user(coach), check_in, {"outcome": "left_job"})

    assert response.status_code == 200
    placement.refresh_from_db()
    assert (placement.status, placement.end_date) == (Placement.Status.ENDED, date(2026, 6, 1))
    pathway.refresh_from_db()
    assert pathway.stage == Stage.JOB_SEARCH and pathway.history.count() == 1


# --- Not before a week ahead ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (datetime(2026, 8, 21, 21, 59, tzinfo=UTC), False),  # 23:59 on the 21st in Amsterdam
        (datetime(2026, 8, 21, 22, 0, tzinfo=UTC), True),  # midnight: the 22nd, a week before 29 August
        (datetime(2026, 8, 29, 9, 0, tzinfo=UTC), True),
    ],
)
def test_a_check_in_is_held_from_a_week_before_it_falls_due(api, coach, placement, time_machine, moment, allowed):
    time_machine.move_to(moment)
    check_in = placement.check_ins.get(day=180)  # due 2026-08-29

    response = _complete(api.as_user(coach), check_in, {"outcome": "employed"})

    check_in.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.content
        assert check_in.status == CheckIn.Status.COMPLETED
    else:
        body = assert_problem(response, 409, "invalid-transition")
        assert "from 2026-08-22" in body["detail"], body
        assert (check_in.status, check_in.outcome) == (CheckIn.Status.SCHEDULED, "")


def test_a_check_in_a_year_ahead_cannot_be_held_now(api, coordinator, placement):
    check_in = placement.check_ins.get(day=365)  # due 2027-03-02; today is 2026-08-22

    body = assert_problem(
        _complete(api.as_user(coordinator), check_in, {"outcome": "employed"}), 409, "invalid-transition"
    )

    assert "falls due on 2027-03-02" in body["detail"] and "from 2027-02-23" in body["detail"]
    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.SCHEDULED


# --- At the same moment (real requests, each with its own connection) ---------------------------------------------


def _at_once(*requests) -> list[int]:
    """Sends each (user, path, body) POST in its own thread, released together; answers their status codes."""

    def send(n: int) -> int:
        user, path, body = requests[n]
        client = APIClient()
        client.force_authenticate(user=user)
        return client.post(path, body, format="json").status_code

    return in_threads(len(requests), send)


def _ended_once(placement) -> None:
    """The placement ended once: one move back to job search, and no check-in left open after its end."""
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED
    moves = placement.pathway.history.filter(from_stage=Stage.PLACED, to_stage=Stage.JOB_SEARCH)
    assert moves.count() == 1
    assert not placement.check_ins.filter(due_on__gt=placement.end_date, status__in=CheckIn.OPEN).exists()


ROUNDS = 4  # the deadlock this guards against came 5 times in 5 (two check-ins) and 2 in 5 (with `end`)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_check_ins_of_one_placement_left_job_at_once(coach):
    """One ends the placement; the other is recorded too, or, cancelled by that end, refused with a 409."""
    for _ in range(ROUNDS):
        placement = _placement_of(coach)
        day_90, day_180 = placement.check_ins.get(day=90), placement.check_ins.get(day=180)  # 180 falls due after today

        statuses = _at_once(
            *[(coach, f"/api/v1/check-ins/{c.id}/complete", {"outcome": "left_job"}) for c in (day_90, day_180)]
        )

        assert sorted(statuses) in ([200, 200], [200, 409]), statuses
        _ended_once(placement)
        day_180.refresh_from_db()
        assert day_180.status == (CheckIn.Status.COMPLETED if statuses[1] == 200 else CheckIn.Status.CANCELLED)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_left_job_beside_ending_the_placement(coach):
    """Whichever comes second: a second end is a 409, a check-in before the end is still recorded."""
    for _ in range(ROUNDS):
        placement = _placement_of(coach)
        day_90 = placement.check_ins.get(day=90)

        statuses = _at_once(
            (coach, f"/api/v1/check-ins/{day_90.id}/complete", {"outcome": "left_job"}),
            (coach, f"/api/v1/placements/{placement.id}/end", {"endDate": "2026-08-22", "endReason": "resigned"}),
        )

        assert statuses in ([200, 200], [200, 409]), statuses
        _ended_once(placement)
        day_90.refresh_from_db()
        assert day_90.status == CheckIn.Status.COMPLETED
