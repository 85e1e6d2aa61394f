"""Sending the outbox (contract §7, "every notification is also sent as an e-mail"): once, and failures visible."""

import threading
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connections
from django.utils import timezone

from pathways.emails import delivery_health, emails_send
from pathways.models import OutboxEmail
from tests.factories import NotificationFactory, UserFactory

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class WorkerKilled(BaseException):
    """What the sender sees of a worker killed mid-send: nothing is caught, nothing recorded."""


class DyingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise WorkerKilled


@pytest.fixture(autouse=True)
def email_settings(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.EMAIL_MAX_ATTEMPTS = 3
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 60
    settings.EMAIL_REDRIVE_AFTER_SECONDS = 600
    return settings


def outbox_email(recipient=None, **fields) -> OutboxEmail:
    notification = NotificationFactory(**({"recipient": recipient} if recipient else {}))
    fields.setdefault("created_at", timezone.now())
    fields.setdefault("enqueued_at", timezone.now())
    return OutboxEmail.objects.create(notification=notification, **fields)


def fresh(email: OutboxEmail) -> OutboxEmail:
    email.refresh_from_db()
    return email


def test_a_pending_email_is_sent_once_to_its_recipient():
    email = outbox_email()
    notification = email.notification

    report = emails_send(ids=[email.pk, email.pk])  # the same id twice in one hand-over
    again = emails_send(ids=[email.pk])  # and handed over again later

    assert (report.sent, report.failed, report.skipped) == (1, 0, 1)
    assert (again.sent, again.skipped) == (0, 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [notification.recipient.email]
    assert (message.subject, message.body) == (notification.subject, notification.body)
    email = fresh(email)
    assert email.status == OutboxEmail.Status.SENT
    assert email.sent_at is not None and email.attempts == 1 and email.last_error == ""


def test_emails_already_sent_or_failed_are_not_sent():
    sent = outbox_email(status=OutboxEmail.Status.SENT, sent_at=timezone.now(), attempts=1)
    failed = outbox_email(status=OutboxEmail.Status.FAILED, attempts=3, last_error="SMTPException: no")

    report = emails_send(ids=[sent.pk, failed.pk, 999_999])  # and one that does not exist

    assert (report.sent, report.failed, report.skipped) == (0, 0, 3)
    assert mail.outbox == []
    assert (fresh(sent).attempts, fresh(failed).attempts, fresh(failed).status) == (1, 3, OutboxEmail.Status.FAILED)


def test_a_failing_backend_is_retried_with_doubling_backoff_and_ends_failed(email_settings):
    email_settings.EMAIL_BACKEND = "tests.pathways.test_emails.FailingBackend"
    email = outbox_email()

    for attempt, backoff in ((1, 60), (2, 120)):
        before = timezone.now()
        report = emails_send(ids=[email.pk])
        email = fresh(email)
        assert (report.sent, report.failed) == (0, 1)
        assert email.status == OutboxEmail.Status.PENDING
        assert email.attempts == attempt
        assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        assert (
            before + timedelta(seconds=backoff) <= email.next_attempt_at <= timezone.now() + timedelta(seconds=backoff)
        )
        assert email.enqueued_at is None  # so the sweep hands it over again once the backoff has passed

        # Handed over again during the backoff: not tried, not counted.
        assert emails_send(ids=[email.pk]).skipped == 1
        assert fresh(email).attempts == attempt

        # The backoff passes and the sweep hands it over again.
        OutboxEmail.objects.filter(pk=email.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1), enqueued_at=timezone.now()
        )

    report = emails_send(ids=[email.pk])  # the last of EMAIL_MAX_ATTEMPTS = 3
    email = fresh(email)
    assert report.failed == 1
    assert email.status == OutboxEmail.Status.FAILED
    assert email.attempts == 3
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert email.sent_at is None

    email_settings.EMAIL_BACKEND = LOCMEM  # the server is back: a failed e-mail stays failed, for a person to see
    assert emails_send(ids=[email.pk]).skipped == 1
    assert mail.outbox == []
    assert fresh(email).attempts == 3


def test_an_email_that_failed_once_is_sent_on_a_later_attempt(email_settings):
    email_settings.EMAIL_BACKEND = "tests.pathways.test_emails.FailingBackend"
    email = outbox_email()
    emails_send(ids=[email.pk])
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    email_settings.EMAIL_BACKEND = LOCMEM
    assert emails_send(ids=[email.pk]).sent == 1

    email = fresh(email)
    assert (email.status, email.attempts, email.last_error) == (OutboxEmail.Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_a_recipient_without_an_email_address_is_a_recorded_failure():
    recipient = UserFactory(email="")
    email = outbox_email(recipient=recipient)

    report = emails_send(ids=[email.pk])

    email = fresh(email)
    assert report.failed == 1
    assert mail.outbox == []
    assert email.status == OutboxEmail.Status.PENDING and email.attempts == 1
    assert email.last_error == f"ValueError: {recipient.username} has no e-mail address"
    assert email.next_attempt_at is not None


def test_an_email_whose_every_attempt_killed_its_worker_ends_failed(email_settings):
    email_settings.EMAIL_BACKEND = "tests.pathways.test_emails.DyingBackend"
    email = outbox_email()

    for attempt in (1, 2, 3):
        with pytest.raises(WorkerKilled):
            emails_send(ids=[email.pk])
        email = fresh(email)
        # The attempt was counted before sending; the worker died before it could record anything else.
        assert (email.status, email.attempts, email.last_error) == (OutboxEmail.Status.PENDING, attempt, "")

    email_settings.EMAIL_BACKEND = LOCMEM
    report = emails_send(ids=[email.pk])  # handed over once more: no attempt is left

    email = fresh(email)
    assert (report.sent, report.skipped) == (0, 1)
    assert mail.outbox == []
    assert email.status == OutboxEmail.Status.FAILED
    assert "worker lost" in email.last_error


class WatchingBackend(BaseEmailBackend):
    """A mail server that, as it accepts each hand-over, notes how many messages it carried and which e-mails
    another connection already sees committed as sent."""

    calls: list[tuple[int, list[int]]] = []

    def send_messages(self, email_messages):
        committed: list[int] = []

        def look():  # a connection of its own, as another worker has
            committed.extend(OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).values_list("pk", flat=True))
            connections.close_all()

        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
        WatchingBackend.calls.append((len(email_messages), sorted(committed)))
        return len(email_messages)


@pytest.mark.django_db(transaction=True)
def test_each_send_is_recorded_committed_before_the_next_message_goes_to_the_server(email_settings):
    """The one window §7 admits (accepted by the server, not yet recorded) is one message wide: messages go one at
    a time, and each is committed as sent before the next is handed over."""
    email_settings.EMAIL_BACKEND = "tests.pathways.test_emails.WatchingBackend"
    WatchingBackend.calls = []
    emails = [outbox_email() for _ in range(3)]

    assert emails_send(ids=[email.pk for email in emails]).sent == 3

    assert WatchingBackend.calls == [(1, []), (1, [emails[0].pk]), (1, [emails[0].pk, emails[1].pk])]


def test_every_attempt_of_an_email_carries_the_same_message_id_and_no_other_email_does(email_settings):
    email_settings.EMAIL_BACKEND = "tests.pathways.test_emails.FailingBackend"
    email, other = outbox_email(), outbox_email()
    emails_send(ids=[email.pk])  # a failed attempt: its message never reached anyone
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    email_settings.EMAIL_BACKEND = LOCMEM
    emails_send(ids=[email.pk, other.pk])
    # What a re-drive sends after a worker died between the server's acceptance and the commit: the same message.
    OutboxEmail.objects.filter(pk=email.pk).update(status=OutboxEmail.Status.PENDING)
    emails_send(ids=[email.pk])

    first, second, repeat = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first == repeat == f"<outbox-{email.pk}@werkpad.example>"
    assert second == f"<outbox-{other.pk}@werkpad.example>"


def test_delivery_health_counts_failed_and_stuck_emails():
    long_ago = timezone.now() - timedelta(seconds=2 * 600 + 1)
    assert delivery_health() == {"failed": 0, "stuck": 0}
    outbox_email(status=OutboxEmail.Status.FAILED, attempts=3)
    outbox_email(status=OutboxEmail.Status.FAILED, attempts=3, created_at=long_ago)
    outbox_email(created_at=long_ago)  # pending long past the re-drive time: stuck
    outbox_email(created_at=long_ago, enqueued_at=None, attempts=1, next_attempt_at=long_ago)  # backoff over: stuck
    outbox_email()  # pending, just created
    outbox_email(created_at=long_ago, attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5))  # backoff
    outbox_email(created_at=long_ago, status=OutboxEmail.Status.SENT, sent_at=timezone.now())

    assert delivery_health() == {"failed": 2, "stuck": 2}
