"""Erasure (contract §10, issue 4): POST /residents/{id}/erase anonymises a resident irreversibly, everywhere.

The scan test fills a resident with marker strings in every personal field and free text, makes copies of them
(history, reminders, the admin's log), erases, and then reads every text column of every table of the database.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.sources import sources
from pathways.models import CheckIn, Enrolment, Pathway, Placement, Resident, StageChange
from pathways.outcomes.reports import GROUPS, retention_report
from pathways.privacy import services
from pathways.privacy.services import ERASED_FIRST_NAME, ERASED_LAST_NAME, ERASED_TEXT
from tests.assertions import assert_problem
from tests.factories import (
    CheckInFactory,
    EnrolmentFactory,
    ModuleFactory,
    OrganisationFactory,
    PathwayFactory,
    PlacementFactory,
    ResidentFactory,
    UserFactory,
)
from tests.harness.admin import form_data

pytestmark = pytest.mark.django_db


def erase(api, user, resident):
    return api.as_user(user).post(f"/api/v1/residents/{resident.pk}/erase")


def test_erasure_anonymises_the_resident_and_keeps_the_row(api, coordinator):
    placement = PlacementFactory(declined=True, decline_reason="Did not show up, sick again")
    pathway = placement.pathway
    resident = pathway.resident
    kept = (resident.coach_id, resident.neighbourhood_id, resident.consent_given_at, resident.created_at, pathway.stage)
    StageChange.objects.filter(pathway=pathway).update(note="Talked about her debts")
    check_in = CheckInFactory(placement__pathway=pathway, notes="Her landlord wants her out")

    response = erase(api, coordinator, resident)

    assert response.status_code == 204 and not response.content
    resident.refresh_from_db()
    assert (resident.first_name, resident.last_name, resident.email, resident.phone, resident.date_of_birth) == (
        ERASED_FIRST_NAME,
        ERASED_LAST_NAME,
        "",
        "",
        None,
    )
    assert resident.erased_at is not None
    assert list(StageChange.objects.filter(pathway=pathway).values_list("note", flat=True)) == [ERASED_TEXT]
    assert Pathway.objects.get(pk=pathway.pk).exit_reason == ""  # an empty free text stays empty
    assert Placement.objects.get(pk=placement.pk).decline_reason == ERASED_TEXT
    assert CheckIn.objects.get(pk=check_in.pk).notes == ERASED_TEXT
    # Only personal data goes: the rest of the file, which the counts are made of, stays.
    stage = Pathway.objects.get(pk=pathway.pk).stage
    assert (resident.coach_id, resident.neighbourhood_id, resident.consent_given_at, resident.created_at, stage) == kept


def test_erasing_twice_is_fine_and_keeps_the_first_moment(api, coordinator):
    resident = ResidentFactory()
    assert erase(api, coordinator, resident).status_code == 204
    first = Resident.objects.get(pk=resident.pk).erased_at

    assert erase(api, coordinator, resident).status_code == 204

    assert Resident.objects.get(pk=resident.pk).erased_at == first


def test_only_coordinators_erase(api, coach):
    own, other = ResidentFactory(coach=coach), ResidentFactory()

    assert erase(api, coach, own).status_code == 403  # visible, but not the coach's to erase
    assert erase(api, coach, other).status_code == 404  # not visible at all
    assert Resident.objects.filter(erased_at__isnull=False).count() == 0


def test_the_reminders_that_named_the_resident_keep_their_text_without_the_name(api, coordinator):
    employer_staff = UserFactory(employer=True)
    placement = PlacementFactory(
        employer=employer_staff.organisation,
        pathway__resident__first_name="Noor",
        pathway__resident__last_name="Haddad",
        proposed_at=timezone.now() - timedelta(days=5),
    )
    resident = placement.pathway.resident
    CheckInFactory(placement__pathway=placement.pathway, due_on=timezone.localdate() - timedelta(days=30))
    other = CheckInFactory(due_on=timezone.localdate() - timedelta(days=1))  # someone else's reminder stays
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = {n.pk: (n.subject, n.body) for n in Notification.objects.all()}
    about_resident = Notification.objects.exclude(object_type="check_in", object_id=other.pk)
    naming_residents = {reminder.kind for source in sources() if source.resident for reminder in source.reminders}
    assert set(about_resident.values_list("kind", flat=True)) == naming_residents

    assert erase(api, coordinator, resident).status_code == 204

    for notification in Notification.objects.all():
        subject, body = before[notification.pk]
        if notification.object_type == "check_in" and notification.object_id == other.pk:
            assert (notification.subject, notification.body) == (subject, body)
            continue
        name = "Noor Haddad"
        assert name in subject + body
        erased = f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}"
        assert (notification.subject, notification.body) == (subject.replace(name, erased), body.replace(name, erased))


def test_the_admin_log_forgets_the_name(client, api, coordinator):
    client.force_login(UserFactory(superuser=True))
    consent = timezone.now().replace(microsecond=0) - timedelta(days=3)  # as the admin's form sends it back
    resident = ResidentFactory(first_name="Yusuf", last_name="Kaya", consent_given_at=consent)
    url = reverse("admin:pathways_resident_change", args=[resident.pk])
    assert client.post(url, {**form_data(client.get(url)), "phone": "+31 6 55555555"}).status_code == 302
    inline = LogEntry.objects.create(  # as the admin writes it for an object changed inline
        user=coordinator,
        content_type=ContentType.objects.get_for_model(Pathway),
        object_id=str(resident.current_pathway_id),
        object_repr=str(resident.current_pathway),
        action_flag=CHANGE,
        change_message='[{"changed": {"name": "check in", "object": "Yusuf Kaya, day 7", "fields": ["Notes"]}}]',
    )
    assert LogEntry.objects.get(content_type__model="resident", object_id=str(resident.pk)).object_repr == "Yusuf Kaya"

    assert erase(api, coordinator, resident).status_code == 204

    entry = LogEntry.objects.get(content_type__model="resident", object_id=str(resident.pk))
    assert entry.object_repr == f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}"
    assert entry.get_change_message() == "Changed Phone."  # which fields changed is kept
    inline.refresh_from_db()
    assert inline.get_change_message() == f"Changed Notes for check in “{ERASED_TEXT}”."


# --- The scan ---------------------------------------------------------------------------------------------------

MARKERS = {
    "first_name": "Xylofoonia",
    "last_name": "Quarkenbosch",
    "admin_last_name": "Quarkenbosch-Admin",
    "email": "xylo.quark@marker.example",
    "old_email": "xq.old@marker.example",
    "phone": "+31 6 7319 2846",
    "old_phone": "+31 6 4242 7171",
    "stage_note": "ZQ-stage-note: moved in with her sister",
    "decline_reason": "ZQ-decline: turned up late twice",
    "check_in_notes": "ZQ-check-in: debts with the housing corporation",
    "bulk_notes": "ZQ-bulk: phoned, no answer",
    "admin_notes": "ZQ-admin: edited in the back office",
    "exit_reason": "ZQ-exit: moved to Zeeland",
}
MARKER_BIRTHDAY = date(1913, 2, 17)
TEXT_TYPES = ("character varying", "character", "text", "json", "jsonb")


@dataclass
class Scan:
    hits: dict[str, int]  # table → rows holding a marker
    text_columns: int
    date_columns: int
    tables: int  # tables with a text or date column, all scanned
    schema_tables: int  # every table of the schema (the others hold only ids, numbers, times)


def scan() -> Scan:
    """Every text-like column of every table in the schema searched for every marker, and every date column for
    the birthday; the tables and columns are read from information_schema, so none can be left out."""
    patterns = [f"%{marker}%" for marker in MARKERS.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name, data_type FROM information_schema.columns
               JOIN information_schema.tables USING (table_schema, table_name)
               WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
               ORDER BY table_name, column_name"""
        )
        schema = cursor.fetchall()
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in schema:
            if data_type in TEXT_TYPES or data_type == "date":
                columns.setdefault(table, []).append((column, data_type))
        hits = {}
        for table, table_columns in columns.items():
            conditions = [
                f'"{column}" = %s' if data_type == "date" else f'"{column}"::text ILIKE ANY(%s)'
                for column, data_type in table_columns
            ]
            params = [MARKER_BIRTHDAY if data_type == "date" else patterns for _column, data_type in table_columns]
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE {" OR ".join(conditions)}', params)
            (count,) = cursor.fetchone()
            if count:
                hits[table] = count
    scanned = [data_type for table_columns in columns.values() for _column, data_type in table_columns]
    return Scan(
        hits=hits,
        text_columns=sum(data_type in TEXT_TYPES for data_type in scanned),
        date_columns=scanned.count("date"),
        tables=len(columns),
        schema_tables=len({table for table, _column, _type in schema}),
    )


def aggregates() -> dict:
    today = timezone.localdate()
    return {
        "residents": Resident.objects.count(),
        "stages": dict(Pathway.objects.values_list("stage").annotate(Count("id")).order_by()),
        "placements": dict(Placement.objects.values_list("status").annotate(Count("id")).order_by()),
        "retention": {group: retention_report(group_by=group, today=today) for group in sorted(GROUPS)},
    }


@pytest.mark.services
def test_after_erasure_no_table_holds_any_of_the_residents_data(api, client, coordinator):
    coach = UserFactory(coach=True)
    employer_staff = UserFactory(employer=True)
    employer = employer_staff.organisation
    UserFactory(coordinator=True)  # told of missed check-ins too
    as_coach = as_employer = api.as_user

    # A resident registered through the API, then changed: the old values live on in the history.
    response = as_coach(coach).post(
        "/api/v1/residents",
        {
            "firstName": MARKERS["first_name"],
            "lastName": MARKERS["last_name"],
            "email": MARKERS["old_email"],
            "phone": MARKERS["old_phone"],
            "dateOfBirth": MARKER_BIRTHDAY.isoformat(),
            "consentGivenAt": timezone.now().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    resident = Resident.objects.get(pk=response.json()["id"])
    pathway = resident.current_pathway
    changed = {"email": MARKERS["email"], "phone": MARKERS["phone"]}
    assert as_coach(coach).patch(f"/api/v1/residents/{resident.pk}", changed, format="json").status_code == 200
    module = ModuleFactory()
    enrol = {"pathway": pathway.pk, "module": module.pk}
    assert as_coach(coach).post("/api/v1/enrolments", enrol, format="json").status_code == 201
    moved = {"to": "job_search", "note": MARKERS["stage_note"]}
    assert as_coach(coach).post(f"/api/v1/pathways/{pathway.pk}/transitions", moved, format="json").status_code == 200

    # Placements: one declined with a reason, one left unconfirmed, one confirmed after the fact (check-ins due).
    def propose(**body):
        job = {"pathway": pathway.pk, "employer": employer.pk, "jobTitle": "Hulpkok", "hoursPerWeek": 24}
        job |= {"contractType": "temporary_agency", "startDate": timezone.localdate().isoformat(), **body}
        response = as_coach(coach).post("/api/v1/placements", job, format="json")
        assert response.status_code == 201, response.content
        return Placement.objects.get(pk=response.json()["id"])

    declined = propose()
    reason = {"reason": MARKERS["decline_reason"]}
    response = as_employer(employer_staff).post(f"/api/v1/placements/{declined.pk}/decline", reason, format="json")
    assert response.status_code == 200
    unconfirmed = propose()
    Placement.objects.filter(pk=unconfirmed.pk).update(proposed_at=timezone.now() - timedelta(days=5))  # bulk
    confirmed = propose(startDate=(timezone.localdate() - timedelta(days=40)).isoformat())
    assert as_employer(employer_staff).post(f"/api/v1/placements/{confirmed.pk}/confirm").status_code == 200
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Notification.objects.count() >= 4  # due and missed for the coach, missed for 2 coordinators, unconfirmed

    day_7, day_30, *later = confirmed.check_ins.order_by("day")
    held = {"outcome": "at_risk", "notes": MARKERS["check_in_notes"], "supportNeeds": ["debt"]}
    assert as_coach(coach).post(f"/api/v1/check-ins/{day_30.pk}/complete", held, format="json").status_code == 200
    CheckIn.objects.filter(pk__in=[c.pk for c in later]).update(notes=MARKERS["bulk_notes"])  # a bulk update

    # Edits in the back office, which keeps its own log of them.
    client.force_login(UserFactory(superuser=True))
    url = reverse("admin:pathways_resident_change", args=[resident.pk])
    assert client.post(url, {**form_data(client.get(url)), "last_name": MARKERS["admin_last_name"]}).status_code == 302
    url = reverse("admin:pathways_checkin_change", args=[day_7.pk])
    assert client.post(url, {**form_data(client.get(url)), "notes": MARKERS["admin_notes"]}).status_code == 302

    exit_ = {"to": "exited", "exitReason": MARKERS["exit_reason"]}
    assert as_coach(coach).post(f"/api/v1/pathways/{pathway.pk}/transitions", exit_, format="json").status_code == 200

    before = scan()
    # The scan finds what it looks for: the markers are in the rows, their history, the reminders and the admin log.
    assert {
        "pathways_resident",
        "pathways_stagechange",
        "pathways_placement",
        "pathways_checkin",
        "pathways_pathway",
        "pathways_notification",
        "django_admin_log",
        "history_residentevent",
        "history_stagechangeevent",
        "history_placementevent",
        "history_checkinevent",
        "history_pathwayevent",
    } <= set(before.hits), before.hits
    counts = aggregates()

    assert erase(api, coordinator, resident).status_code == 204

    after = scan()
    print(
        f"\nErasure scan: {after.text_columns} text-like columns and {after.date_columns} date columns in "
        f"{after.tables} tables (of {after.schema_tables} in the schema; the others hold only ids, numbers, times): "
        f"{sum(before.hits.values())} rows with a marker before erasure, {sum(after.hits.values())} after"
    )
    assert after.hits == {}
    assert after.text_columns >= 80 and after.tables >= 25  # the whole schema, the history's tables included
    assert aggregates() == counts  # counts and reports are the same after erasure


@pytest.mark.services
def test_erasure_goes_through_the_append_only_history_and_records_itself(api, coordinator):
    from history.selectors import change_list

    resident = ResidentFactory(first_name="Xylofoonia")

    assert erase(api, coordinator, resident).status_code == 204

    versions = Resident.pgh_event_model.objects.filter(pgh_obj=resident)
    assert len(versions) >= 3 and {version.first_name for version in versions} == {ERASED_FIRST_NAME}
    erasure = change_list(obj=resident)[-1]
    assert (erasure.user, erasure.role) == (coordinator.pk, "coordinator")
    assert erasure.fields["erased_at"][0] is None and erasure.fields["erased_at"][1] is not None


# --- Retention ----------------------------------------------------------------------------------------------------


def closed_pathway(days_ago: int, **resident) -> Pathway:
    return PathwayFactory(
        exited=True, closed_at=timezone.now() - timedelta(days=days_ago), resident__first_name="Kept", **resident
    )


def test_apply_retention_anonymises_those_whose_last_pathway_closed_long_enough_ago(settings, capsys):
    settings.RETENTION_DAYS = 730
    due = closed_pathway(731).resident
    recent = closed_pathway(729).resident
    reopened = closed_pathway(900).resident
    PathwayFactory(resident=reopened)  # open again
    twice = closed_pathway(1000).resident
    PathwayFactory(resident=twice, exited=True, closed_at=timezone.now() - timedelta(days=10))  # the last counts
    open_only = ResidentFactory()
    already = closed_pathway(2000).resident
    services.resident_erase(resident=already, by=None)
    already.refresh_from_db()

    call_command("apply_retention")

    assert f"anonymised: 1 (ids {due.pk})" in capsys.readouterr().out
    assert Resident.objects.get(pk=due.pk).first_name == ERASED_FIRST_NAME
    kept = Resident.objects.filter(pk__in=[recent.pk, reopened.pk, twice.pk, open_only.pk])
    assert set(kept.values_list("erased_at", flat=True)) == {None}
    assert Resident.objects.get(pk=already.pk).erased_at == already.erased_at  # not again


def test_apply_retention_dry_run_changes_nothing(settings, capsys):
    settings.RETENTION_DAYS = 30
    due = closed_pathway(31).resident

    call_command("apply_retention", "--dry-run")

    assert f"would be anonymised: 1 (ids {due.pk})" in capsys.readouterr().out
    assert Resident.objects.get(pk=due.pk).erased_at is None


@pytest.mark.services
def test_the_scheduled_retention_erases_as_the_system(settings):
    from history.selectors import change_list
    from pathways import tasks

    settings.RETENTION_DAYS = 30
    due = closed_pathway(31).resident

    assert tasks.apply_retention() == [due.pk]

    erasure = change_list(obj=due)[-1]
    assert (erasure.user, erasure.role, list(erasure.fields)) == (None, "system", ["erased_at"])
    assert Resident.objects.get(pk=due.pk).first_name == ERASED_FIRST_NAME


# --- Read-only once erased ---------------------------------------------------------------------------------------


def _today() -> str:
    return timezone.localdate().isoformat()


# Each write to what hangs below a resident: (what to build, the request on it). The resident is erased in between.
WRITES_BELOW = {
    "resident named again": (
        lambda: ResidentFactory(),
        lambda r: ("patch", f"/residents/{r.pk}", {"firstName": "Anna", "email": "anna@example.nl"}),
    ),
    "pathway opened": (
        lambda: ResidentFactory(pathway__exited=True),
        lambda r: ("post", "/pathways", {"resident": r.pk}),
    ),
    "pathway moved": (
        lambda: ResidentFactory(),
        lambda r: ("post", f"/pathways/{r.current_pathway_id}/transitions", {"to": "learning", "note": "Anna"}),
    ),
    "enrolled": (
        lambda: ResidentFactory(pathway__learning=True),
        lambda r: ("post", "/enrolments", {"pathway": r.current_pathway_id, "module": ModuleFactory().pk}),
    ),
    "enrolment completed": (
        lambda: EnrolmentFactory().pathway.resident,
        lambda r: ("post", f"/enrolments/{_below(r, Enrolment)}/complete", {}),
    ),
    "enrolment dropped": (
        lambda: EnrolmentFactory().pathway.resident,
        lambda r: ("post", f"/enrolments/{_below(r, Enrolment)}/drop", {}),
    ),
    "attendance recorded": (
        lambda: EnrolmentFactory().pathway.resident,
        lambda r: ("patch", f"/enrolments/{_below(r, Enrolment)}", {"attendedHours": 10}),
    ),
    "placement proposed": (
        lambda: ResidentFactory(pathway__job_search=True),
        lambda r: (
            "post",
            "/placements",
            {
                "pathway": r.current_pathway_id,
                "employer": OrganisationFactory(employer=True).pk,
                "jobTitle": "Monteur",
                "startDate": _today(),
                "hoursPerWeek": 32,
                "contractType": "permanent",
            },
        ),
    ),
    "placement confirmed": (
        lambda: PlacementFactory().pathway.resident,
        lambda r: ("post", f"/placements/{_below(r, Placement)}/confirm", {}),
    ),
    "placement declined": (
        lambda: PlacementFactory().pathway.resident,
        lambda r: ("post", f"/placements/{_below(r, Placement)}/decline", {"reason": "Anna did not come"}),
    ),
    "placement ended": (
        lambda: PlacementFactory(confirmed=True).pathway.resident,
        lambda r: ("post", f"/placements/{_below(r, Placement)}/end", {"endDate": _today(), "endReason": "resigned"}),
    ),
    "check-in completed": (
        lambda: CheckInFactory(due_on=timezone.localdate()).placement.pathway.resident,
        lambda r: ("post", f"/check-ins/{_below(r, CheckIn)}/complete", {"outcome": "left_job", "notes": "Anna"}),
    ),
}
BELOW = {Pathway: "resident", StageChange: "pathway__resident", Enrolment: "pathway__resident"}
BELOW |= {Placement: "pathway__resident", CheckIn: "placement__pathway__resident"}


def _below(resident: Resident, model) -> int:
    return model.objects.get(**{BELOW[model]: resident}).pk


def file_of(resident: Resident) -> dict:
    """Every row of the resident's file, as it is."""
    rows = {Resident: list(Resident.objects.filter(pk=resident.pk).values())}
    return rows | {
        model: list(model.objects.filter(**{path: resident}).order_by("pk").values()) for model, path in BELOW.items()
    }


@pytest.mark.parametrize("write", WRITES_BELOW)
def test_an_erased_resident_and_all_below_them_is_read_only(api, coordinator, write):
    build, request = WRITES_BELOW[write]
    resident = build()
    method, path, body = request(resident)
    services.resident_erase(resident=resident, by=coordinator)
    before = file_of(resident)

    response = getattr(api.as_user(coordinator), method)(f"/api/v1{path}", body, format="json")

    problem = assert_problem(response, 409, "conflict")
    assert "erased" in problem["detail"]
    assert file_of(resident) == before


def test_the_coach_of_an_erased_resident_can_still_be_reassigned(api, coordinator):
    """Their coach can change role only once nobody is theirs; nothing else of the resident changes."""
    resident = ResidentFactory()
    services.resident_erase(resident=resident, by=coordinator)
    new_coach = UserFactory(coach=True)
    client = api.as_user(coordinator)

    response = client.patch(f"/api/v1/residents/{resident.pk}", {"coach": new_coach.pk}, format="json")

    assert response.status_code == 200, response.content
    assert Resident.objects.get(pk=resident.pk).coach == new_coach
    also_named = {"coach": UserFactory(coach=True).pk, "firstName": "Anna"}
    assert_problem(client.patch(f"/api/v1/residents/{resident.pk}", also_named, format="json"), 409, "conflict")
    assert Resident.objects.get(pk=resident.pk).coach == new_coach
