"""`python manage.py send_reminders [--as-of T]` (contract §7, Operations): one sweep in the foreground, e-mails sent
from the process, what it did printed. Transactional tests, so that e-mails go out after commit as they do for real."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from pathways.models import CheckIn, Notification, OutboxEmail
from tests.factories import CheckInFactory, UserFactory
from tests.pathways.poison import refused

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
AS_OF = "2027-01-15T08:00:00+01:00"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = LOCMEM
    mail.outbox = []


def send_reminders(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def lines(output: str) -> dict[str, str]:
    return dict(line.strip().split(":", 1) for line in output.splitlines()[1:])


@pytest.fixture
def world():
    """Two check-ins due on 15 January 2027 and one first swept long after its day, two coordinators."""
    coordinators = [UserFactory(coordinator=True), UserFactory(superuser=True)]
    due = [CheckInFactory(due_on=date(2027, 1, 15)), CheckInFactory(due_on=date(2027, 1, 10))]
    late = CheckInFactory(due_on=date(2026, 12, 1))
    CheckInFactory(due_on=date(2027, 1, 16))  # tomorrow in Amsterdam
    return {"coordinators": coordinators, "due": due, "late": late}


def test_it_sweeps_sends_and_prints_what_it_did(world):
    out, err = send_reminders("--as-of", AS_OF)

    assert out.splitlines()[0] == f"Sweep as of {AS_OF} (Europe/Amsterdam date 2027-01-15):"
    assert {key: value.strip() for key, value in lines(out).items()} == {
        "check-ins became due": "2",
        "check-ins became missed": "1",
        "reminders created": "5",  # a coach for each of the three, and both coordinators for the late one
        "e-mails sent": "5 (failed attempts 0, handed over again 0)",
        "deliveries failed": "0",
        "deliveries stuck": "0",
        "steps failed": "none",
        "rows left out": "0",
    }
    assert err == ""
    assert list(CheckIn.objects.order_by("due_on").values_list("status", flat=True)) == [
        "missed",
        "due",
        "due",
        "scheduled",
    ]
    assert len(mail.outbox) == Notification.objects.count() == 5
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        Notification.objects.values_list("recipient__email", flat=True)
    )
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxEmail.Status.SENT}


def test_running_it_twice_sends_nothing_twice(world):
    send_reminders("--as-of", AS_OF)

    out, _ = send_reminders("--as-of", AS_OF)

    assert lines(out)["reminders created"].strip() == "0"
    assert lines(out)["e-mails sent"].strip().startswith("0 ")
    assert len(mail.outbox) == Notification.objects.count() == 5


def test_a_moment_without_an_offset_is_read_on_the_coalition_clock(world):
    out, _ = send_reminders("--as-of", "2027-01-15T00:30")

    assert out.splitlines()[0] == "Sweep as of 2027-01-15T00:30:00+01:00 (Europe/Amsterdam date 2027-01-15):"
    assert lines(out)["check-ins became due"].strip() == "2"


def test_failed_deliveries_are_reported(world, settings):
    settings.EMAIL_MAX_ATTEMPTS = 1
    coach = world["due"][0].placement.pathway.resident.coach
    coach.email = ""
    coach.save(update_fields=["email"])

    out, err = send_reminders("--as-of", AS_OF)

    assert lines(out)["e-mails sent"].strip() == "4 (failed attempts 1, handed over again 0)"
    assert lines(out)["deliveries failed"].strip() == "1"
    assert "failed or are stuck" in err
    email = OutboxEmail.objects.get(notification__recipient=coach)
    assert email.status == OutboxEmail.Status.FAILED and "no e-mail address" in email.last_error


def test_an_attempt_that_failed_but_will_be_retried_is_not_yet_a_failed_delivery(world):
    coach = world["due"][0].placement.pathway.resident.coach
    coach.email = ""
    coach.save(update_fields=["email"])

    out, err = send_reminders("--as-of", AS_OF)

    assert lines(out)["e-mails sent"].strip() == "4 (failed attempts 1, handed over again 0)"
    assert lines(out)["deliveries failed"].strip() == lines(out)["deliveries stuck"].strip() == "0"
    assert err == ""
    email = OutboxEmail.objects.get(notification__recipient=coach)
    assert email.status == OutboxEmail.Status.PENDING and email.next_attempt_at is not None


@pytest.mark.parametrize("as_of", ["tomorrow", "2027-13-45T08:00:00+01:00", "2027-01-15T25:00"])
def test_a_bad_as_of_is_a_command_error(world, as_of):
    with pytest.raises(CommandError, match="--as-of"):
        send_reminders("--as-of", as_of)

    assert not Notification.objects.exists()
    assert CheckIn.objects.filter(status=CheckIn.Status.SCHEDULED).count() == 4


def test_without_as_of_it_sweeps_now(world, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 8, 0, tzinfo=ZoneInfo("Europe/Amsterdam")))  # before all of the world
    today = timezone.localdate()
    CheckInFactory(due_on=today - timedelta(days=1))

    out, _ = send_reminders()

    assert out.splitlines()[0].endswith(f"(Europe/Amsterdam date {today}):")
    assert lines(out)["check-ins became due"].strip() == "1"  # the world's check-ins lie in 2027
    assert len(mail.outbox) == 1


def test_a_row_the_database_refuses_is_reported_and_the_rest_is_done(world):
    bad = world["due"][1]
    with refused(Notification._meta.db_table, f"NEW.object_type = 'check_in' AND NEW.object_id = {bad.pk}"):
        out, err = send_reminders("--as-of", AS_OF)  # exits 0: call_command would raise otherwise

    assert lines(out)["check-ins became due"].strip() == "1"
    assert lines(out)["reminders created"].strip() == "4"
    assert lines(out)["e-mails sent"].strip().startswith("4 ")
    assert lines(out)["steps failed"].strip() == "none"
    assert lines(out)["rows left out"].strip() == f"1 (check_ins {bad.pk})"
    assert "Part of the sweep failed" in err
    assert len(mail.outbox) == 4
