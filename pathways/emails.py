"""Sending the outbox: each e-mail is sent by whoever locks its row first, and marked sent in that transaction."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from .models import OutboxEmail

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # attempts that failed (retried later unless the e-mail gave up)
    skipped: int = 0  # already sent, given up, locked by another worker, or not yet due for a retry


def emails_send(*, ids: list[int]) -> DeliveryReport:
    """Sends the pending e-mails among `ids` over one mail connection."""
    report = DeliveryReport()
    with get_connection() as mail:
        for email_id in ids:
            outcome = email_send(email_id=email_id, mail=mail)
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def email_send(*, email_id: int, mail) -> str:
    """Sends one outbox e-mail if it is still pending; answers 'sent', 'failed' or 'skipped'."""
    # The attempt is counted and committed before sending: an e-mail that kills its worker every time still runs
    # out of attempts and ends failed instead of coming back for ever. A row another worker is sending right now is
    # locked, and skipped without counting.
    with transaction.atomic():
        email = _pending_locked(email_id)
        if email is None or (email.next_attempt_at and email.next_attempt_at > timezone.now()):
            return "skipped"
        if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            email.status = OutboxEmail.Status.FAILED
            email.last_error = f"Gave up after {email.attempts} attempts that never finished (worker lost)."
            email.save(update_fields=["status", "last_error"])
            return "skipped"  # no attempt was made now
        email.attempts += 1
        email.save(update_fields=["attempts"])
    with transaction.atomic():
        email = _pending_locked(email_id)
        if email is None:
            return "skipped"  # sent meanwhile by another worker
        recipient = email.notification.recipient
        try:
            if not recipient.email:
                raise ValueError(f"{recipient.username} has no e-mail address")
            mail.send_messages([_message(email)])  # one message at a time: the window below is one message wide
        except Exception as exc:
            _record_failure(email, exc)
            return "failed"
        # The one window exactly-once cannot close (contract §7): the server has accepted the message and this
        # commit has not happened. Nothing but the record runs in it; a worker dying here makes the re-drive send
        # the message again, under the same Message-ID.
        email.status = OutboxEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["status", "sent_at", "last_error"])
        return "sent"


def _pending_locked(email_id: int) -> OutboxEmail | None:
    return (
        OutboxEmail.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("notification__recipient")
        .filter(pk=email_id, status=OutboxEmail.Status.PENDING)
        .first()
    )


def _message(email: OutboxEmail) -> EmailMessage:
    notification = email.notification
    # The same Message-ID at every attempt: should a worker die after the mail server accepted the message but
    # before the commit, the repeat is recognisable downstream as the same message.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or "werkpad"
    return EmailMessage(
        notification.subject,
        notification.body,
        to=[notification.recipient.email],
        headers={"Message-ID": f"<outbox-{email.pk}@{domain}>"},
    )


def _record_failure(email: OutboxEmail, exc: Exception) -> None:
    logger.warning("E-mail %s failed (attempt %s): %s", email.pk, email.attempts, exc)
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        email.status = OutboxEmail.Status.FAILED
    else:
        backoff = settings.EMAIL_RETRY_BACKOFF_SECONDS * 2 ** (email.attempts - 1)
        email.next_attempt_at = timezone.now() + timedelta(seconds=backoff)
        email.enqueued_at = None  # the sweep hands it over again once the backoff has passed
    email.save(update_fields=["status", "last_error", "next_attempt_at", "enqueued_at"])


def delivery_health() -> dict[str, int]:
    """Deliveries that need a person's attention: failed ones, and pending ones stuck past the re-drive time."""
    stuck_before = timezone.now() - 2 * timedelta(seconds=settings.EMAIL_REDRIVE_AFTER_SECONDS)
    return {
        "failed": OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).count(),
        "stuck": OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, created_at__lt=stuck_before)
        .exclude(next_attempt_at__gt=timezone.now())
        .count(),
    }
