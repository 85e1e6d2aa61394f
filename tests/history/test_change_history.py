"""The change history (issue 4): every change to personal data and to the pathway is recorded by PostgreSQL
triggers with who made it (user and role, or the system) and the old and new values — through the API, the admin,
bulk updates and the workers alike. SQLite records nothing, and only has to keep working (the rest of the suite)."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from coalition.models import User
from history.context import SYSTEM, history_context
from history.selectors import change_list
from notifications import tasks
from pathways.journey.stages import Stage
from pathways.models import CheckIn, Pathway, Resident, StageChange
from tests.factories import PASSWORD, CheckInFactory, PathwayFactory, ResidentFactory, UserFactory
from tests.harness.admin import form_data

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def last_change(obj):
    return change_list(obj=obj)[-1]


@pytest.mark.parametrize("served", ["wsgi", "asgi"])
def test_a_change_through_the_api_records_the_user_their_role_and_old_and_new_values(client, async_client, served):
    """Signed in with a real token: Django's middleware sees nobody; DRF authenticates later, and that counts —
    under WSGI (gunicorn) and ASGI alike."""
    resident = ResidentFactory(phone="+31 6 11111111")
    coach = resident.coach
    credentials = {"username": coach.username, "password": PASSWORD}
    token = client.post("/api/v1/auth/token", credentials, content_type="application/json").json()["token"]
    patch = client.patch if served == "wsgi" else async_to_sync(async_client.patch)

    response = patch(
        f"/api/v1/residents/{resident.pk}",
        {"phone": "+31 6 22222222"},
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )

    assert response.status_code == 200, response.content
    change = last_change(resident)
    assert (change.action, change.user, change.role) == ("update", coach.pk, "coach")
    assert change.fields == {"phone": ("+31 6 11111111", "+31 6 22222222")}


def test_a_stage_change_records_the_pathway_and_its_history_row(api, coordinator):
    pathway = PathwayFactory(learning=True)

    response = api.as_user(coordinator).post(
        f"/api/v1/pathways/{pathway.pk}/transitions", {"to": "job_search", "note": "Ready."}, format="json"
    )

    assert response.status_code == 200, response.content
    change = last_change(pathway)
    assert (change.user, change.role, change.fields) == (
        coordinator.pk,
        "coordinator",
        {"stage": ("learning", "job_search")},
    )
    opened = change_list(obj=StageChange.objects.get(pathway=pathway, to_stage=Stage.JOB_SEARCH))
    assert [(c.action, c.user, c.fields["note"]) for c in opened] == [("insert", coordinator.pk, (None, "Ready."))]


def test_a_superuser_in_the_admin_is_recorded_as_a_coordinator(client):
    superuser = UserFactory(superuser=True)
    client.force_login(superuser)
    consent = timezone.now().replace(microsecond=0) - timedelta(days=3)  # as the form sends it back
    resident = ResidentFactory(first_name="Sanne", consent_given_at=consent)
    url = reverse("admin:pathways_resident_change", args=[resident.pk])

    assert client.post(url, {**form_data(client.get(url)), "first_name": "Suzanne"}).status_code == 302

    change = last_change(resident)
    assert (change.user, change.role, change.fields) == (
        superuser.pk,
        "coordinator",
        {"first_name": ("Sanne", "Suzanne")},
    )


def test_a_bulk_update_records_every_row_it_changed():
    check_ins = CheckInFactory.create_batch(3)

    with history_context(user=None, role="operator", process="repair"):
        CheckIn.objects.filter(pk__in=[c.pk for c in check_ins]).update(notes="Called twice, no answer.")

    for check_in in check_ins:
        change = last_change(check_in)
        assert (change.action, change.role) == ("update", "operator")
        assert change.fields == {"notes": ("", "Called twice, no answer.")}


def test_a_change_by_the_scheduled_sweep_has_the_system_as_its_actor(monkeypatch):
    check_in = CheckInFactory(due_on=timezone.localdate() - timedelta(days=1))
    monkeypatch.setattr(tasks, "enqueue_emails", lambda ids: None)  # the task's hand-over to the broker

    tasks.sweep_reminders()

    change = last_change(check_in)
    assert (change.user, change.role, change.fields) == (None, SYSTEM, {"status": ("scheduled", "due")})


def test_a_change_by_a_management_command_has_the_system_as_its_actor():
    check_in = CheckInFactory(due_on=timezone.localdate() - timedelta(days=30))

    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (last_change(check_in).role, last_change(check_in).fields) == (SYSTEM, {"status": ("scheduled", "missed")})


def test_staff_personal_data_is_tracked_but_never_their_password():
    with history_context(user=None, role=SYSTEM):
        user = UserFactory(email="old@werkpad.example")
        user.email = "new@werkpad.example"
        user.set_password("another-long-passphrase")
        user.save()
        user.set_password("and-yet-another-passphrase")
        user.save(update_fields=["password"])

    changes = change_list(obj=user)
    assert [change.action for change in changes] == ["insert", "update"]  # the password alone is no change here
    assert changes[-1].fields == {"email": ("old@werkpad.example", "new@werkpad.example")}
    assert not any("password" in change.fields or "last_login" in change.fields for change in changes)


def test_a_delete_is_recorded_with_the_row_it_removed():
    resident = ResidentFactory()
    pathway = Pathway.objects.get(resident=resident)

    Pathway.objects.filter(pk=pathway.pk).delete()

    change = last_change(pathway)
    assert change.action == "delete" and change.fields["stage"] == ("intake", None)


def test_the_history_cannot_be_changed_or_deleted():
    resident = ResidentFactory()
    recorded = Resident.pgh_event_model.objects.filter(pgh_obj=resident).count()
    for write in (lambda events: events.update(first_name="Someone else"), lambda events: events.delete()):
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            write(Resident.pgh_event_model.objects.filter(pgh_obj=resident))
    assert Resident.pgh_event_model.objects.filter(pgh_obj=resident).count() == recorded


def test_the_back_office_shows_the_history_read_only(client):
    client.force_login(UserFactory(superuser=True))
    resident = ResidentFactory()
    for model in (Resident, User):
        changelist = client.get(reverse(f"admin:history_{model.pgh_event_model._meta.model_name}_changelist"))
        assert changelist.status_code == 200
    event = Resident.pgh_event_model.objects.filter(pgh_obj=resident).last()
    page = client.get(reverse("admin:history_residentevent_change", args=[event.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
