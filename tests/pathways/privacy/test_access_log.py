"""The access log (contract §10, NEN 7513): every answer that shows residents leaves one entry per resident shown,
written in one INSERT in the request's transaction; the database refuses to change or remove an entry; coordinators
read it at /api/v1/access-log."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalition.models import User
from pathways.models import AccessLogEntry, Resident
from pathways.privacy import access_log
from tests.assertions import assert_problem
from tests.factories import (
    AccessLogEntryFactory,
    CheckInFactory,
    EnrolmentFactory,
    ModuleFactory,
    NotificationFactory,
    OrganisationFactory,
    PathwayFactory,
    PlacementFactory,
    ResidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOG_INSERT = f"INSERT INTO {AccessLogEntry._meta.db_table} "


@dataclass
class People:
    coordinator: User
    superuser: User
    coach: User
    employer: User
    educator: User


@pytest.fixture
def people(coordinator, coach, employer_user, educator) -> People:
    return People(coordinator, UserFactory(superuser=True), coach, employer_user, educator)


@dataclass
class Ask:
    """A request, who makes it, and the residents its answer shows (None: the resident it creates)."""

    user: User
    method: str
    url: str
    residents: list[Resident] | None
    body: dict | None = None


def _three(make: Callable) -> list:
    return [make() for _ in range(3)]


def _residents_of(rows) -> list[Resident]:
    return [row.pathway.resident for row in rows]


def _today() -> str:
    return timezone.localdate().isoformat()


# Every endpoint that shows residents, each asked by a role the contract lets take it. Lists show three rows of
# three residents, which must be three entries written by one INSERT.
CASES: dict[str, Callable[[People], Ask]] = {}


def case(name: str):
    def register(make: Callable[[People], Ask]):
        CASES[name] = make
        return make

    return register


@case("residents list")
def _(p):
    residents = _three(lambda: ResidentFactory(coach=p.coach))
    return Ask(p.coach, "GET", "/api/v1/residents?pageSize=50&ordering=id", residents)


@case("residents list of a superuser")
def _(p):
    return Ask(p.superuser, "GET", "/api/v1/residents?search=", _three(ResidentFactory))


@case("resident detail")
def _(p):
    resident = ResidentFactory()
    return Ask(p.coordinator, "GET", f"/api/v1/residents/{resident.id}", [resident])


@case("resident create")
def _(p):
    body = {"firstName": "Sanne", "lastName": "de Vries", "consentGivenAt": timezone.now().isoformat()}
    return Ask(p.coach, "POST", "/api/v1/residents", None, body)


@case("resident patch")
def _(p):
    resident = ResidentFactory(coach=p.coach)
    return Ask(p.coach, "PATCH", f"/api/v1/residents/{resident.id}", [resident], {"phone": "+31 6 87654321"})


@case("pathways list")
def _(p):
    pathways = _three(PathwayFactory)
    return Ask(p.coordinator, "GET", "/api/v1/pathways?stage=intake", [pathway.resident for pathway in pathways])


@case("pathway detail")
def _(p):
    pathway = PathwayFactory(resident__coach=p.coach)
    return Ask(p.coach, "GET", f"/api/v1/pathways/{pathway.id}", [pathway.resident])


@case("pathway create")
def _(p):
    resident = ResidentFactory(coach=p.coach, pathway__exited=True)
    return Ask(p.coach, "POST", "/api/v1/pathways", [resident], {"resident": resident.id})


@case("pathway transition")
def _(p):
    pathway = PathwayFactory(resident__coach=p.coach)
    return Ask(p.coach, "POST", f"/api/v1/pathways/{pathway.id}/transitions", [pathway.resident], {"to": "learning"})


@case("pathway history")
def _(p):
    pathway = PathwayFactory()
    return Ask(p.coordinator, "GET", f"/api/v1/pathways/{pathway.id}/history", [pathway.resident])


@case("enrolments list")
def _(p):
    module = ModuleFactory(provider=p.educator.organisation)
    enrolments = _three(lambda: EnrolmentFactory(module=module))
    return Ask(p.educator, "GET", "/api/v1/enrolments?pageSize=10", _residents_of(enrolments))


@case("enrolment detail")
def _(p):
    enrolment = EnrolmentFactory(pathway__resident__coach=p.coach)
    return Ask(p.coach, "GET", f"/api/v1/enrolments/{enrolment.id}", [enrolment.pathway.resident])


@case("enrolment create")
def _(p):
    pathway = PathwayFactory(resident__coach=p.coach, learning=True)
    body = {"pathway": pathway.id, "module": ModuleFactory().id}
    return Ask(p.coach, "POST", "/api/v1/enrolments", [pathway.resident], body)


@case("enrolment patch")
def _(p):
    enrolment = EnrolmentFactory(module__provider=p.educator.organisation)
    url = f"/api/v1/enrolments/{enrolment.id}"
    return Ask(p.educator, "PATCH", url, [enrolment.pathway.resident], {"attendedHours": 10})


@case("enrolment complete")
def _(p):
    enrolment = EnrolmentFactory(module__provider=p.educator.organisation)
    url = f"/api/v1/enrolments/{enrolment.id}/complete"
    return Ask(p.educator, "POST", url, [enrolment.pathway.resident], {"attendedHours": 80})


@case("enrolment drop")
def _(p):
    enrolment = EnrolmentFactory()
    return Ask(p.coordinator, "POST", f"/api/v1/enrolments/{enrolment.id}/drop", [enrolment.pathway.resident])


@case("placements list of an employer")
def _(p):
    placements = _three(lambda: PlacementFactory(employer=p.employer.organisation))
    return Ask(p.employer, "GET", "/api/v1/placements", _residents_of(placements))


@case("placement detail")
def _(p):
    placement = PlacementFactory(employer=p.employer.organisation)
    return Ask(p.employer, "GET", f"/api/v1/placements/{placement.id}", [placement.pathway.resident])


@case("placement create")
def _(p):
    pathway = PathwayFactory(resident__coach=p.coach, job_search=True)
    body = {
        "pathway": pathway.id,
        "employer": OrganisationFactory(employer=True).id,
        "jobTitle": "Installateur warmtepompen",
        "startDate": _today(),
        "hoursPerWeek": 32,
        "contractType": "permanent",
    }
    return Ask(p.coach, "POST", "/api/v1/placements", [pathway.resident], body)


@case("placement confirm")
def _(p):
    placement = PlacementFactory(employer=p.employer.organisation)
    return Ask(p.employer, "POST", f"/api/v1/placements/{placement.id}/confirm", [placement.pathway.resident])


@case("placement decline")
def _(p):
    placement = PlacementFactory(employer=p.employer.organisation)
    url = f"/api/v1/placements/{placement.id}/decline"
    return Ask(p.employer, "POST", url, [placement.pathway.resident], {"reason": "The vacancy was filled."})


@case("placement end")
def _(p):
    placement = PlacementFactory(confirmed=True, pathway__resident__coach=p.coach)
    body = {"endDate": _today(), "endReason": "resigned"}
    return Ask(p.coach, "POST", f"/api/v1/placements/{placement.id}/end", [placement.pathway.resident], body)


@case("check-ins list")
def _(p):
    check_ins = _three(CheckInFactory)
    residents = [check_in.placement.pathway.resident for check_in in check_ins]
    return Ask(p.coordinator, "GET", "/api/v1/check-ins?status=scheduled", residents)


@case("check-in detail")
def _(p):
    check_in = CheckInFactory(placement__pathway__resident__coach=p.coach)
    return Ask(p.coach, "GET", f"/api/v1/check-ins/{check_in.id}", [check_in.placement.pathway.resident])


@case("check-in complete")
def _(p):
    check_in = CheckInFactory(placement__pathway__resident__coach=p.coach, due_on=timezone.localdate())
    url = f"/api/v1/check-ins/{check_in.id}/complete"
    return Ask(p.coach, "POST", url, [check_in.placement.pathway.resident], {"outcome": "employed", "notes": "Fine."})


# Notifications name a check-in or a placement: the resident is theirs.
@case("notifications list")
def _(p):
    check_ins = _three(CheckInFactory)
    for check_in in check_ins[:2]:
        NotificationFactory(recipient=p.coach, object_type="check_in", object_id=check_in.id)
    NotificationFactory(
        recipient=p.coach, kind="placement_unconfirmed", object_type="placement", object_id=check_ins[2].placement_id
    )
    residents = [check_in.placement.pathway.resident for check_in in check_ins]
    return Ask(p.coach, "GET", "/api/v1/notifications?isRead=false", residents)


@case("notification detail")
def _(p):
    placement = PlacementFactory()
    notification = NotificationFactory(recipient=p.employer, object_type="placement", object_id=placement.id)
    return Ask(p.employer, "GET", f"/api/v1/notifications/{notification.id}", [placement.pathway.resident])


@case("notification read")
def _(p):
    check_in = CheckInFactory()
    notification = NotificationFactory(recipient=p.coach, object_type="check_in", object_id=check_in.id)
    url = f"/api/v1/notifications/{notification.id}/read"
    return Ask(p.coach, "POST", url, [check_in.placement.pathway.resident])


def send(api, ask: Ask):
    body = b"" if ask.body is None else orjson.dumps(ask.body)
    return api.as_user(ask.user).generic(ask.method, ask.url, body, "application/json")


def logged() -> list[tuple]:
    return sorted(AccessLogEntry.objects.values_list("user", "role", "resident", "method", "path"))


def log_inserts(queries: CaptureQueriesContext) -> int:
    # `in`, not startswith: on PostgreSQL a write request's statements begin with the change history's context.
    return sum(LOG_INSERT in query["sql"].replace('"', "") for query in queries.captured_queries)


# --- What is logged -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_an_answer_logs_exactly_the_residents_it_shows_in_one_insert(case, people, api):
    ask = CASES[case](people)
    assert not AccessLogEntry.objects.exists()

    with CaptureQueriesContext(connection) as queries:
        response = send(api, ask)

    assert response.status_code in (200, 201), response.content
    residents = [response.json()["id"]] if ask.residents is None else [resident.id for resident in ask.residents]
    role = "coordinator" if ask.user.is_superuser else ask.user.role
    path = ask.url.split("?")[0]  # never the query string: a search may name someone
    assert logged() == sorted((ask.user.id, role, resident, ask.method, path) for resident in residents)
    assert log_inserts(queries) == 1


def test_a_resident_shown_twice_is_logged_once(api, coordinator):
    pathway = PathwayFactory(learning=True)
    EnrolmentFactory.create_batch(2, pathway=pathway)

    response = api.as_user(coordinator).get("/api/v1/enrolments")

    assert len(response.json()["results"]) == 2
    assert logged() == [(coordinator.id, "coordinator", pathway.resident_id, "GET", "/api/v1/enrolments")]


def test_a_notification_about_nothing_that_exists_logs_nothing(api, coach):
    NotificationFactory(recipient=coach, object_type="check_in", object_id=10**12)

    assert api.as_user(coach).get("/api/v1/notifications").json()["count"] == 1
    assert not AccessLogEntry.objects.exists()


def test_answers_without_residents_log_nothing(api, coordinator, coach):
    ModuleFactory()
    with CaptureQueriesContext(connection) as queries:
        assert api.as_user(coach).get("/api/v1/residents").json()["count"] == 0  # an empty list
        assert api.as_user(coordinator).get("/api/v1/modules").json()["count"] == 1
        assert api.as_user(coordinator).get("/api/v1/organisations").status_code == 200
        assert api.as_user(coordinator).options("/api/v1/residents").status_code == 200
    assert log_inserts(queries) == 0
    assert not AccessLogEntry.objects.exists()


# Requests that fail: (the status, the request). `residents` is unused: nothing may be logged.
FAILURES: dict[str, tuple[int, Callable[[People], Ask]]] = {
    "missing": (404, lambda p: Ask(p.coordinator, "GET", "/api/v1/residents/999999", [])),
    "out of scope": (404, lambda p: Ask(p.coach, "GET", f"/api/v1/residents/{ResidentFactory().id}", [])),
    "action out of scope": (
        404,
        lambda p: Ask(p.employer, "POST", f"/api/v1/placements/{PlacementFactory().id}/confirm", []),
    ),
    "bad body": (
        400,
        lambda p: Ask(p.coordinator, "PATCH", f"/api/v1/residents/{ResidentFactory().id}", [], {"email": "x"}),
    ),
    "bad filter": (400, lambda p: ResidentFactory() and Ask(p.coordinator, "GET", "/api/v1/residents?coach=x", [])),
    "not the role's to take": (
        403,
        lambda p: Ask(
            p.coach, "POST", f"/api/v1/placements/{PlacementFactory(pathway__resident__coach=p.coach).id}/confirm", []
        ),
    ),
    "refused state change": (
        409,
        lambda p: Ask(
            p.coach,
            "POST",
            f"/api/v1/pathways/{PathwayFactory(resident__coach=p.coach).id}/transitions",
            [],
            {"to": "placed"},
        ),
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failed_request_logs_nothing(case, people, api):
    status, make = FAILURES[case]
    response = send(api, make(people))

    assert response.status_code == status, response.content
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_log_is_written_in_the_requests_transaction(api, coordinator, monkeypatch):
    """A request that fails after its answer was built and logged leaves no entry (nor anything else)."""
    resident = ResidentFactory()

    def record_then_fail(**kwargs):
        assert access_log.access_log_record(**kwargs) == 1
        assert AccessLogEntry.objects.count() == 1  # written, inside the request's transaction
        raise RuntimeError("the request fails after logging")

    monkeypatch.setattr("pathways.privacy.access_log.access_log_record", record_then_fail)
    response = api.as_user(coordinator).patch(
        f"/api/v1/residents/{resident.id}", {"phone": "+31 6 11112222"}, format="json"
    )

    assert response.status_code == 500
    assert not AccessLogEntry.objects.exists()
    resident.refresh_from_db()
    assert resident.phone != "+31 6 11112222"  # the whole request was rolled back

    monkeypatch.undo()
    assert api.as_user(coordinator).get(f"/api/v1/residents/{resident.id}").status_code == 200
    assert AccessLogEntry.objects.filter(resident=resident).count() == 1  # committed with its request


# --- Append-only, in the database -----------------------------------------------------------------------------

REFUSED = {
    "queryset update": lambda entry: AccessLogEntry.objects.filter(pk=entry.pk).update(path="/api/v1/elsewhere"),
    "queryset delete": lambda entry: AccessLogEntry.objects.filter(pk=entry.pk).delete(),
    "save": lambda entry: (setattr(entry, "role", "coach"), entry.save()),
    "delete": lambda entry: entry.delete(),
    "SQL update": lambda entry: connection.cursor().execute(
        f"UPDATE {AccessLogEntry._meta.db_table} SET user_id = %s", [UserFactory().pk]
    ),
    "SQL delete": lambda entry: connection.cursor().execute(f"DELETE FROM {AccessLogEntry._meta.db_table}"),
}


@pytest.mark.services
@pytest.mark.parametrize("change", REFUSED)
def test_the_database_refuses_to_change_or_remove_an_entry(change):
    entry = AccessLogEntryFactory()
    before = AccessLogEntry.objects.values().get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        REFUSED[change](entry)

    assert AccessLogEntry.objects.values().get() == before


@pytest.mark.services
def test_a_resident_with_entries_cannot_be_deleted_from_under_them():
    entry = AccessLogEntryFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        Resident.objects.filter(pk=entry.resident_id).delete()  # PROTECT; erasure anonymises instead


# --- GET /api/v1/access-log -----------------------------------------------------------------------------------

URL = "/api/v1/access-log"


def test_coordinators_read_the_log_newest_first(api, coordinator, people):
    now = timezone.now()
    older = AccessLogEntryFactory(at=now - timedelta(hours=2))
    newer = AccessLogEntryFactory(at=now - timedelta(hours=1), method="POST")
    same_moment = AccessLogEntryFactory(at=newer.at)  # a page of residents: one moment, the later id first

    for user in (coordinator, people.superuser):
        response = api.as_user(user).get(URL)
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [same_moment.id, newer.id, older.id]

    assert response.json()["results"][1] == {
        "id": newer.id,
        "at": timezone.localtime(newer.at).isoformat(),
        "user": newer.user_id,
        "role": "coach",
        "resident": newer.resident_id,
        "method": "POST",
        "path": newer.path,
    }
    assert AccessLogEntry.objects.count() == 3  # reading the log is not itself logged


@pytest.mark.parametrize("role", ["coach", "employer", "educator", "anonymous"])
def test_other_roles_are_refused(api, people, role):
    AccessLogEntryFactory()
    if role == "anonymous":
        assert_problem(api.get(URL), 401, "not-authenticated")
    else:
        assert_problem(api.as_user(getattr(people, role)).get(URL), 403, "permission-denied")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_log_cannot_be_written_through_the_api(api, coordinator, method):
    entry = AccessLogEntryFactory()
    response = api.as_user(coordinator).generic(method, URL, b'{"path": "/"}', "application/json")
    assert_problem(response, 405, "method-not-allowed")
    assert AccessLogEntry.objects.values_list("path", flat=True).get() == entry.path


def test_filters(api, coordinator):
    now = timezone.now()
    resident, user = ResidentFactory(), UserFactory(coach=True)
    early = AccessLogEntryFactory(resident=resident, at=now - timedelta(days=2))
    in_between = AccessLogEntryFactory(resident=resident, user=user, at=now - timedelta(days=1))
    late = AccessLogEntryFactory(user=user, at=now)
    client = api.as_user(coordinator)

    def ids(**query) -> list[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(resident=resident.id) == [in_between.id, early.id]
    assert ids(user=user.id) == [late.id, in_between.id]
    assert ids(resident=resident.id, user=user.id) == [in_between.id]
    # `after` is inclusive, `before` exclusive: consecutive windows never count an entry twice.
    middle = timezone.localtime(in_between.at).isoformat()
    assert ids(after=middle) == [late.id, in_between.id]
    assert ids(before=middle) == [early.id]
    assert ids(after=(now - timedelta(days=3)).isoformat(), before=middle) == [early.id]
    assert ids(after=(now + timedelta(seconds=1)).isoformat()) == []
    # Offsets PostgreSQL cannot store (beyond ±15:59) and instants beyond the years 1 to 9999 in UTC: the same.
    assert ids(after=in_between.at.astimezone(timezone.get_fixed_timezone(16 * 60)).isoformat()) == [
        late.id,
        in_between.id,
    ]
    assert ids(after="0001-01-01T00:00:00+14:00", before="9999-12-31T23:00:00-12:00") == [
        late.id,
        in_between.id,
        early.id,
    ]
    for name, value in [("after", "yesterday"), ("before", "2026-13-01T00:00:00+01:00"), ("resident", "x")]:
        response = client.get(URL, {name: value})
        assert {param["name"] for param in assert_problem(response, 400, "validation-error")["invalidParams"]} == {name}


def test_a_coordinator_answers_who_looked_at_a_residents_file(api, coordinator, people):
    """ "Who looked at my file?": the coach, the employer and the coordinator, each with where and in what role."""
    coach, employer = people.coach, people.employer
    resident = ResidentFactory(coach=coach, pathway__job_search=True)
    placement = PlacementFactory(pathway=resident.current_pathway, employer=employer.organisation)
    ResidentFactory(coach=coach)  # someone else on the coach's caseload

    api.as_user(coach).get(f"/api/v1/residents/{resident.id}")
    api.as_user(employer).get("/api/v1/placements?status=proposed")
    api.as_user(employer).post(f"/api/v1/placements/{placement.id}/confirm")
    api.as_user(coordinator).get("/api/v1/residents", {"search": resident.last_name})  # the query is not kept
    api.as_user(coach).get("/api/v1/residents")

    response = api.as_user(coordinator).get(URL, {"resident": resident.id})

    rows = [(row["user"], row["role"], row["method"], row["path"]) for row in response.json()["results"]]
    assert rows == [
        (coach.id, "coach", "GET", "/api/v1/residents"),
        (coordinator.id, "coordinator", "GET", "/api/v1/residents"),
        (employer.id, "employer", "POST", f"/api/v1/placements/{placement.id}/confirm"),
        (employer.id, "employer", "GET", "/api/v1/placements"),
        (coach.id, "coach", "GET", f"/api/v1/residents/{resident.id}"),
    ]
    assert response.json()["count"] == 5


# --- The back office ------------------------------------------------------------------------------------------


def _admin_url(view: str, *args) -> str:
    return reverse(f"admin:pathways_accesslogentry_{view}", args=args)


def test_the_admin_reads_and_searches_but_never_changes(client):
    client.force_login(UserFactory(superuser=True))
    # Usernames without digits: the search takes a resident's id as a term, and a sequence number in a name would
    # match it too (which one depends on how many users the run made before).
    entry = AccessLogEntryFactory(user__username="coach.amira")
    other = AccessLogEntryFactory(user__username="coach.bram")

    for term in (str(entry.resident_id), entry.user.username):
        found = client.get(_admin_url("changelist"), {"q": term}).context["cl"].result_list
        assert list(found) == [entry], term
    assert client.get(_admin_url("changelist"), {"role": "coach"}).status_code == 200
    assert client.get(_admin_url("change", entry.pk)).status_code == 200  # to read
    assert client.get(_admin_url("add")).status_code == 403
    assert client.post(_admin_url("change", entry.pk), {"path": "/elsewhere"}).status_code == 403
    assert client.post(_admin_url("delete", entry.pk), {"post": "yes"}).status_code == 403
    assert AccessLogEntry.objects.filter(pk__in=[entry.pk, other.pk], path__startswith="/api/v1/").count() == 2
