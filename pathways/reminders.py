"""The reminder sweep (contract §7): check-ins fall due or are missed, unconfirmed placements are chased, and every
reminder becomes one notification and one outbox e-mail — exactly once, however many sweeps run at the same moment.

Exactly once rests on the database, not on timing:
- check-ins are claimed in batches with `FOR UPDATE SKIP LOCKED` and change state in the transaction that writes
  their notifications, so two sweeps never claim the same row;
- a notification is unique per (recipient, kind, object) and inserted with ON CONFLICT DO NOTHING;
- an outbox e-mail is unique per notification; its id goes to the broker only after commit, and a pending e-mail
  not sent in time is handed over again (the sender locks it and checks it is still pending).
Writes are set-wise SQL, so a sweep over a million check-ins takes seconds, not hours.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from coalition.models import Organisation, Role, User

from .models import CheckIn, Notification, OutboxEmail, Pathway, Placement, Resident
from .sql import ids_table, in_ids

Deliver = Callable[[list[int]], None]

CHECK_IN = "check_in"
PLACEMENT = "placement"

# Texts of the reminders; {placeholders} are filled in by the database, row by row.
TEXTS = {
    Notification.Kind.CHECK_IN_DUE: (
        "Check-in due: {name}, day {day}",
        "{name} started as {job} at {employer} on {start}. Their day-{day} check-in is due on {due}. "
        "Record it in Werkpad once you have spoken with them.",
    ),
    Notification.Kind.CHECK_IN_MISSED: (
        "Check-in missed: {name}, day {day}",
        "The day-{day} check-in of {name} ({job} at {employer}, started {start}) was due on {due} and has not been "
        "recorded {grace} days later. Coach: {coach}.",
    ),
    Notification.Kind.PLACEMENT_UNCONFIRMED: (
        "Please confirm or decline: {job} for {name}",
        "{name} was proposed as {job} at {employer}, starting {start}. "
        "Please confirm or decline the placement in Werkpad.",
    ),
}
# What each kind of reminder is about (its object_type).
ABOUT = {
    Notification.Kind.CHECK_IN_DUE: CHECK_IN,
    Notification.Kind.CHECK_IN_MISSED: CHECK_IN,
    Notification.Kind.PLACEMENT_UNCONFIRMED: PLACEMENT,
}


@dataclass
class SweepReport:
    became_due: int = 0
    became_missed: int = 0
    notifications: int = 0
    emails_queued: int = 0  # new e-mails, plus pending ones handed over again
    redriven: int = 0


def reminders_sweep(*, now: datetime, deliver: Deliver, on_backlog: Callable[[], None] | None = None) -> SweepReport:
    """One sweep as of `now`; `deliver` receives the ids of outbox e-mails to send, after their rows committed.
    `on_backlog` is called once if the first batch of check-ins came back full: more sweeps may then share the
    work (the workers ask for one more), each claiming batches the others have not locked."""
    # The coalition's date (Europe/Amsterdam, settings.TIME_ZONE), whatever zone is active in this thread.
    today = timezone.localdate(now, timezone.get_default_timezone())
    missed_before = today - timedelta(days=settings.REMINDER_MISSED_AFTER_DAYS)
    # Fixed before this sweep hands anything over, so that it never hands over again what it handed over itself:
    # otherwise, with a short re-drive time, its re-drive loop would claim the same rows for ever.
    stale = timezone.now() - timedelta(seconds=settings.EMAIL_REDRIVE_AFTER_SECONDS)
    report = SweepReport()
    more = _sweep_check_in_batch(report, today=today, missed_before=missed_before, now=now, deliver=deliver)
    if more and on_backlog is not None:
        on_backlog()
    while more:
        more = _sweep_check_in_batch(report, today=today, missed_before=missed_before, now=now, deliver=deliver)
    _sweep_unconfirmed_placements(report, now=now, deliver=deliver)
    while _redrive_batch(report, stale=stale, deliver=deliver):
        pass
    return report


def _sweep_check_in_batch(
    report: SweepReport, *, today: date, missed_before: date, now: datetime, deliver: Deliver
) -> bool:
    """Claims one batch of check-ins whose state must change; False when none was left."""
    limit = settings.REMINDER_SWEEP_BATCH_SIZE
    checkin = CheckIn._meta.db_table
    with transaction.atomic():
        # Out of scheduled: the coach is reminded, whether the check-in is now due or already missed.
        out_of_scheduled = _fetch(
            f"""UPDATE {checkin} SET status = CASE WHEN due_on < %s THEN 'missed' ELSE 'due' END
                WHERE {_claim(f"SELECT id FROM {checkin} WHERE status = 'scheduled' AND due_on <= %s LIMIT %s")}
                RETURNING id, status""",
            [missed_before, today, limit],
        )
        # Due for too long: now missed.
        due_to_missed = _fetch(
            f"""UPDATE {checkin} SET status = 'missed'
                WHERE {_claim(f"SELECT id FROM {checkin} WHERE status = 'due' AND due_on < %s LIMIT %s")}
                RETURNING id, status""",
            [missed_before, limit],
        )
        if not out_of_scheduled and not due_to_missed:
            return False
        missed = [row[0] for row in out_of_scheduled if row[1] == CheckIn.Status.MISSED]
        missed += [row[0] for row in due_to_missed]
        report.became_due += len(out_of_scheduled) - len(missed) + len(due_to_missed)
        report.became_missed += len(missed)
        notifications = _notify_about_check_ins(
            Notification.Kind.CHECK_IN_DUE, [row[0] for row in out_of_scheduled], recipients="coach", now=now
        )
        notifications += _notify_about_check_ins(
            Notification.Kind.CHECK_IN_MISSED, missed, recipients="coordinators", now=now
        )
        _queue_emails(report, notifications, deliver=deliver)
    return len(out_of_scheduled) == limit or len(due_to_missed) == limit


def _notify_about_check_ins(kind: str, check_in_ids: list[int], *, recipients: str, now: datetime) -> list[int]:
    """Notifications carry the sweep's moment: with --as-of, the moment the sweep stands for."""
    if not check_in_ids:
        return []
    if recipients == "coach":
        recipient_join = f"JOIN {User._meta.db_table} u ON u.id = r.coach_id AND u.is_active"
    else:
        recipient_join = f"CROSS JOIN ({_coordinators_sql()}) u"
    subject, body = _texts_sql(kind)
    id_in, ids_param = in_ids("c.id", check_in_ids)
    return _insert_notifications(
        f"""SELECT u.id, %s, {subject}, {body}, %s, '{CHECK_IN}', c.id
            FROM {_about_sql(CHECK_IN)}
            {recipient_join}
            WHERE {id_in}""",
        [kind, now, ids_param],
    )


def _sweep_unconfirmed_placements(report: SweepReport, *, now: datetime, deliver: Deliver) -> None:
    """Each active staff member of the employer is reminded once of a placement still proposed after N days."""
    cutoff = now - timedelta(days=settings.PLACEMENT_UNCONFIRMED_AFTER_DAYS)
    kind = Notification.Kind.PLACEMENT_UNCONFIRMED
    subject, body = _texts_sql(kind)
    with transaction.atomic():
        notifications = _insert_notifications(
            f"""SELECT u.id, %s, {subject}, {body}, %s, '{PLACEMENT}', p.id
                FROM {_about_sql(PLACEMENT)}
                JOIN {User._meta.db_table} u ON u.organisation_id = p.employer_id AND u.is_active
                WHERE p.status = 'proposed' AND p.proposed_at <= %s""",
            [kind, now, cutoff],
        )
        _queue_emails(report, notifications, deliver=deliver)


def notifications_rewrite(*, resident_ids: list[int]) -> int:
    """Writes the reminders about these residents again, from their templates and the rows as they are now: after
    an erasure, the same text without the name. Answers how many were rewritten."""
    table = Notification._meta.db_table
    id_in, ids_param = in_ids("r.id", resident_ids)
    rewritten = 0
    for kind, object_type in ABOUT.items():
        subject, body = _texts_sql(kind)
        alias = "c" if object_type == CHECK_IN else "p"
        rewritten += _update(
            f"""UPDATE {table} SET subject = {subject}, body = {body}
                FROM {_about_sql(object_type)}
                WHERE {table}.kind = %s AND {table}.object_type = %s AND {table}.object_id = {alias}.id AND {id_in}""",
            [kind, object_type, ids_param],
        )
    return rewritten


def _insert_notifications(select_sql: str, params: list) -> list[int]:
    """Inserts the selected notifications; one that exists already (another sweep's) is skipped, not repeated."""
    table = Notification._meta.db_table
    return [
        row[0]
        for row in _fetch(
            f"""INSERT INTO {table} (recipient_id, kind, subject, body, created_at, object_type, object_id)
                {select_sql}
                ON CONFLICT (recipient_id, kind, object_type, object_id) DO NOTHING
                RETURNING id""",
            params,
        )
    ]


def _queue_emails(report: SweepReport, notification_ids: list[int], *, deliver: Deliver) -> None:
    """An outbox e-mail per new notification, handed to `deliver` once this transaction has committed."""
    report.notifications += len(notification_ids)
    if not notification_ids:
        return
    ids, ids_param = ids_table(notification_ids)  # inserted just now: no need to read them back
    email_ids = [
        row[0]
        for row in _fetch(
            f"""INSERT INTO {OutboxEmail._meta.db_table}
                    (notification_id, status, attempts, last_error, created_at, enqueued_at)
                SELECT ids.id, 'pending', 0, '', %s, %s FROM {ids}
                WHERE true  -- SQLite reads ON CONFLICT after a SELECT without WHERE as a join's ON
                ON CONFLICT (notification_id) DO NOTHING
                RETURNING id""",
            [timezone.now(), timezone.now(), ids_param],  # outbox times are the real clock's
        )
    ]
    report.emails_queued += len(email_ids)
    transaction.on_commit(lambda: deliver(email_ids))


def _redrive_batch(report: SweepReport, *, stale: datetime, deliver: Deliver) -> bool:
    """Hands over again pending e-mails handed over before `stale` whose hand-over was lost (broker down, worker
    killed), or whose backoff after a failure has passed. The sender locks each row and checks it is pending, so a
    row handed over twice is still sent once."""
    now = timezone.now()
    outbox = OutboxEmail._meta.db_table
    with transaction.atomic():
        ids = [
            row[0]
            for row in _fetch(
                f"""UPDATE {outbox} SET enqueued_at = %s
                    WHERE {
                    _claim(f'''SELECT id FROM {outbox} WHERE status = 'pending'
                                      AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
                                      AND (enqueued_at IS NULL OR enqueued_at < %s) LIMIT %s''')
                }
                    RETURNING id""",
                [now, now, stale, settings.REMINDER_SWEEP_BATCH_SIZE],
            )
        ]
        if ids:
            report.redriven += len(ids)
            report.emails_queued += len(ids)
            transaction.on_commit(lambda: deliver(ids))
    return len(ids) == settings.REMINDER_SWEEP_BATCH_SIZE


# --- SQL helpers: PostgreSQL in production; SQLite for the development run ------------------------------------


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _update(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _claim(select_ids_sql: str) -> str:
    """`id` is one of the selected rows, each locked for this transaction and skipped if another holds it.
    `= ANY(ARRAY(…))` keeps the planner on the primary key; `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` turns
    into a full scan per batch on large tables."""
    if connection.vendor == "postgresql":
        return f"id = ANY(ARRAY({select_ids_sql} FOR UPDATE SKIP LOCKED))"
    return f"id IN ({select_ids_sql})"  # SQLite: one writer at a time, nothing to skip


def _about_sql(object_type: str) -> str:
    """The rows a reminder about a check-in or a placement is written from, under the aliases of _PLACEHOLDERS."""
    rows = f"{Placement._meta.db_table} p"
    if object_type == CHECK_IN:
        rows = f"{CheckIn._meta.db_table} c JOIN {rows} ON p.id = c.placement_id"
    return f"""{rows}
        JOIN {Organisation._meta.db_table} e ON e.id = p.employer_id
        JOIN {Pathway._meta.db_table} pw ON pw.id = p.pathway_id
        JOIN {Resident._meta.db_table} r ON r.id = pw.resident_id
        LEFT JOIN {User._meta.db_table} coach ON coach.id = r.coach_id"""


def _coordinators_sql() -> str:
    return f"SELECT id FROM {User._meta.db_table} WHERE is_active AND (role = '{Role.COORDINATOR}' OR is_superuser)"


# What each placeholder of TEXTS is, in SQL over the aliases of the queries above.
_PLACEHOLDERS = {
    "name": "r.first_name || ' ' || r.last_name",
    "job": "p.job_title",
    "employer": "e.name",
    "start": "CAST(p.start_date AS TEXT)",
    "day": "CAST(c.day AS TEXT)",
    "due": "CAST(c.due_on AS TEXT)",
    "coach": "COALESCE(NULLIF(TRIM(coach.first_name || ' ' || coach.last_name), ''), coach.username, 'none')",
}


def _texts_sql(kind: str) -> tuple[str, str]:
    """The subject and body of a kind of reminder as SQL expressions: the template's text and each placeholder's
    column in its place, concatenated, so that a million reminders are written by one statement per batch."""
    return tuple(_template_sql(text) for text in TEXTS[kind])


def _template_sql(template: str) -> str:
    # Concatenated in one pass rather than REPLACEd once per placeholder: a tenth less work for the INSERT, and a
    # value that happens to contain a placeholder ("{job}" in a name) is left as it is.
    template = template.replace("{grace}", str(settings.REMINDER_MISSED_AFTER_DAYS))
    pieces = []
    for index, part in enumerate(re.split(r"\{(\w+)\}", template)):  # text, placeholder, text, …, text
        if index % 2:
            pieces.append(f"({_PLACEHOLDERS[part]})")
        elif part:
            pieces.append("'" + part.replace("'", "''") + "'")
    return " || ".join(pieces)
