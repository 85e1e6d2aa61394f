"""Notifications, their e-mail outbox and the sweep's problems: the rows of exactly-once reminders (contract §7)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .sources import kind_choices

# The sweep's own step: pending e-mails handed over again.
REDRIVE = "redrive"


class Notification(models.Model):
    """A reminder for one user about one object, written by the sweep (or notifications_create) from a source."""

    # Lookups by recipient use the unique (recipient, kind, object) index: no index of its own to write.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=32, choices=kind_choices)  # the registered sources' kinds
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    object_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField()

    class Meta:
        db_table = "pathways_notification"  # moved from pathways with its rows (migration 0001)
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly once: one reminder per recipient, kind and object, whatever runs twice.
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_type", "object_id"], name="notification_once_per_object"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class OutboxEmail(models.Model):
    """The e-mail of one notification, as a row: sent exactly once by whichever worker locks it first.

    The message is rendered from the notification at sending time, so no copy of its text is kept here.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    # Written by the sweep from the ids of the notifications it has just inserted, and deleted with them (Django
    # cascades): the database does not check the reference as well. Checking it cost a million share-locks on the
    # notification rows at the commit of a sweep — a quarter of its time.
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="email", db_constraint=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    # When its id was last handed to the broker; a pending row not sent long after is handed over again.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt: not before this moment (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "pathways_outboxemail"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "enqueued_at"], condition=Q(status="pending"), name="outbox_email_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"E-mail for notification {self.notification_id} ({self.status})"


class SweepProblem(models.Model):
    """The latest problem of each step of the reminder sweep: the step failed as a whole, or the database refused
    some of its rows (left out, logged). /health shows the recent ones; a sweep without problems writes nothing."""

    step = models.CharField(max_length=32, primary_key=True)  # a source's name, or REDRIVE
    at = models.DateTimeField()
    failed = models.BooleanField()  # the whole step; its work waits for a sweep in which it succeeds
    skipped_rows = models.PositiveIntegerField()

    class Meta:
        db_table = "pathways_sweepproblem"

    def __str__(self) -> str:
        return f"{self.step} at {self.at}"
