"""Writes of notifications: a user reads one; a domain app notifies about an object now; erasure rewrites them."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from api.sql import execute, in_ids

from .handover import enqueue_emails
from .models import Notification
from .sources import source_of, sources
from .sweep import Deliver, SweepReport, insert_notifications, objects_sql, queue_emails, texts_sql


def notification_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_create(
    *, kind: str, object_id: int, recipient_ids: Iterable[int], deliver: Deliver = enqueue_emails
) -> list[int]:
    """Notifies these users about this object now, with the texts of the kind's registered source: each exactly once
    (a user notified of it before is skipped), each with an outbox e-mail handed to `deliver` after the commit of
    the caller's transaction (e.g. a decision's). Answers the ids of the new notifications."""
    source, kind_reminder = source_of(kind)
    recipient_ids = list(recipient_ids)
    if not recipient_ids:
        return []  # nobody to notify (a query for no ids compiles to no SQL at all)
    users = get_user_model().objects.filter(pk__in=recipient_ids, is_active=True)
    created = insert_notifications(source, kind_reminder, [object_id], now=timezone.now(), users=users)
    queue_emails(SweepReport(), created, deliver=deliver)
    return created


def notifications_rewrite(*, resident_ids: list[int]) -> int:
    """Writes the notifications about these residents again, from their templates and the rows as they are now:
    after an erasure, the same text without the name. Answers how many were rewritten."""
    table = Notification._meta.db_table
    rewritten = 0
    for source in sources():
        if source.resident is None:
            continue
        rows, rows_params = objects_sql(source, resident=True)
        about, about_param = in_ids("o.about_resident", resident_ids)
        for reminder in source.reminders:
            subject, body = texts_sql(reminder)
            rewritten += execute(
                f"""UPDATE {table} SET subject = {subject}, body = {body}
                    FROM ({rows}) o
                    WHERE {table}.kind = %s AND {table}.object_type = %s AND {table}.object_id = o.pk AND {about}""",
                [*rows_params, reminder.kind, source.object_type, about_param],
            )
    return rewritten
