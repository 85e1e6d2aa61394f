"""The reminder sweep (contract §7): check-ins fall due or are missed, unconfirmed placements are chased, and every
reminder becomes one notification and one outbox e-mail — exactly once, however many sweeps run at the same moment.

Exactly once rests on the database, not on timing:
- check-ins are claimed in batches with `FOR UPDATE SKIP LOCKED` and change state in the transaction that writes
  their notifications, so two sweeps never claim the same row;
- a notification is unique per (recipient, kind, object) and inserted with ON CONFLICT DO NOTHING;
- an outbox e-mail is unique per notification; its id goes to the broker only after commit, and a pending e-mail
  not sent in time is handed over again (the sender locks it and checks it is still pending).
Writes are set-wise SQL, so a sweep over a million check-ins takes seconds, not hours.

One object's bad data never holds up anyone else's reminders: the texts fit their columns by construction (a subject
is cut to its column in the SQL), each step runs on its own, and a batch the database refuses is run again in halves,
each in a savepoint, until the rows it refuses stand alone. Those are left out of the sweep, logged and reported (the
SweepReport, send_reminders, and /health through SweepProblem); the happy path never goes row by row.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from coalition.models import Organisation, Role, User

from .models import CheckIn, Notification, OutboxEmail, Pathway, Placement, Resident, SweepProblem
from .sql import ids_table, in_ids

logger = logging.getLogger(__name__)

Deliver = Callable[[list[int]], None]

CHECK_IN = "check_in"
PLACEMENT = "placement"

# Rows a step may leave out in one sweep before the step counts as broken rather than its rows as bad: isolating a
# row costs a few failed statements, and a step that fails for every row would otherwise be tried row by row.
MAX_REFUSED_ROWS = 100

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
    failed_steps: list[str] = field(default_factory=list)  # steps that failed as a whole (their work waits)
    skipped: dict[str, list[int]] = field(default_factory=dict)  # per step, the rows the database refused

    def add(self, other: "SweepReport") -> None:
        for counter in ("became_due", "became_missed", "notifications", "emails_queued", "redriven"):
            setattr(self, counter, getattr(self, counter) + getattr(other, counter))


# A batch of a step: (its report, only these rows when not None, never these rows) → whether more may be left.
Batch = Callable[[SweepReport, list[int] | None, list[int]], bool]
# The ids of the rows a batch of the step would take now, but these (locked where the batch's claims lock them).
Rows = Callable[[list[int]], list[int]]


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
    limit = settings.REMINDER_SWEEP_BATCH_SIZE
    report = SweepReport()
    _run_step(
        report,
        SweepProblem.Step.CHECK_INS,
        *_check_in_step(today=today, missed_before=missed_before, now=now, deliver=deliver),
        limit=limit,
        on_backlog=on_backlog,
    )
    _run_step(report, SweepProblem.Step.UNCONFIRMED_PLACEMENTS, *_placement_step(now=now, deliver=deliver))
    _run_step(report, SweepProblem.Step.REDRIVE, *_redrive_step(stale=stale, deliver=deliver), limit=limit)
    _record_problems(report)
    return report


def _run_step(
    report: SweepReport,
    step: str,
    batch: Batch,
    rows: Rows,
    *,
    limit: int | None = None,
    on_backlog: Callable[[], None] | None = None,
) -> None:
    """Runs `batch` until it says nothing is left. A batch the database refuses is run again over the rows it would
    take (`rows`, at most `limit`; all when None), in halves, each in a savepoint, until the rows it refuses stand
    alone: those are left out for the rest of this sweep. A step that fails otherwise is logged and reported; the
    sweep goes on with its next step either way."""
    refused: list[int] = []
    first = True
    try:
        while True:
            try:
                more = _committed(report, lambda part: batch(part, None, refused))
            except DatabaseError:
                logger.warning("Reminder sweep, %s: a batch failed; isolating the rows it cannot write.", step)
                fallback = SweepReport()
                with transaction.atomic():
                    ids = rows(refused)
                    _isolate(fallback, step, ids, batch, refused)
                report.add(fallback)
                more = limit is not None and len(ids) == limit
            if first and more and on_backlog is not None:
                on_backlog()
            first = False
            if not more:
                break
    except Exception:
        logger.exception("Reminder sweep, %s: the step failed; the other steps go on.", step)
        report.failed_steps.append(step)
    if refused:
        report.skipped[step] = refused


def _committed(report: SweepReport, run: Callable[[SweepReport], bool]) -> bool:
    """Runs `run` in a transaction (a savepoint inside one); what it did counts once that has succeeded."""
    part = SweepReport()
    with transaction.atomic():
        more = run(part)
    report.add(part)
    return more


def _isolate(report: SweepReport, step: str, ids: list[int], batch: Batch, refused: list[int]) -> None:
    """Runs `batch` over `ids`; if the database refuses, over each half, until a row it refuses stands alone."""
    try:
        _committed(report, lambda part: batch(part, ids, []))
        return
    except DatabaseError as error:
        if not ids:
            raise  # refused with no row at all: the step is broken, not a row
        if len(ids) == 1:
            logger.error("Reminder sweep, %s: row %s left out: %s", step, ids[0], error)
            refused.append(ids[0])
            if len(refused) > MAX_REFUSED_ROWS:
                raise
            return
    middle = len(ids) // 2
    for half in (ids[:middle], ids[middle:]):
        _isolate(report, step, half, batch, refused)


def _among(column: str, only: list[int] | None, skip: list[int]) -> tuple[str, list]:
    """SQL conditions (each beginning with AND) that keep `column` to `only`, when given, and off `skip`, with their
    parameters; none at all on the happy path."""
    conditions, params = "", []
    for ids, negation in ((only, ""), (skip or None, "NOT ")):
        if ids is not None:
            condition, param = in_ids(column, ids)
            conditions += f" AND {negation}{condition}"
            params.append(param)
    return conditions, params


def _record_problems(report: SweepReport) -> None:
    """Keeps the latest problem of each step for /health. Written only when there is one: the happy path stays
    free of writes, and sweeps at the same moment only ever overwrite a problem with a newer one."""
    steps = set(report.failed_steps) | set(report.skipped)
    if not steps:
        return
    problems = [
        SweepProblem(
            step=step,
            at=timezone.now(),
            failed=step in report.failed_steps,
            skipped_rows=len(report.skipped.get(step, [])),
        )
        for step in steps
    ]
    try:
        SweepProblem.objects.bulk_create(
            problems,
            update_conflicts=True,
            unique_fields=["step"],
            update_fields=[f.name for f in SweepProblem._meta.concrete_fields if not f.primary_key],
        )
    except DatabaseError:
        logger.exception("Reminder sweep: could not record its problems for /health.")


def sweep_health() -> list[dict]:
    """The steps that had a problem in the last two sweep intervals (a problem a sweep keeps running into is renewed
    every interval; one that is gone drops out after two), for /health."""
    since = timezone.now() - timedelta(seconds=2 * settings.REMINDER_SWEEP_INTERVAL_SECONDS)
    return [
        {
            "step": problem.step,
            "at": timezone.localtime(problem.at),
            "failed": problem.failed,
            "skipped_rows": problem.skipped_rows,
        }
        for problem in SweepProblem.objects.filter(at__gte=since).order_by("step")
    ]


def _check_in_step(*, today: date, missed_before: date, now: datetime, deliver: Deliver) -> tuple[Batch, Rows]:
    """Check-ins whose state must change, claimed in batches: out of scheduled on their day, due for too long."""
    checkin = CheckIn._meta.db_table
    falling_due = ("status = 'scheduled' AND due_on <= %s", [today])
    falling_missed = ("status = 'due' AND due_on < %s", [missed_before])

    def batch(report: SweepReport, only: list[int] | None, skip: list[int]) -> bool:
        limit = settings.REMINDER_SWEEP_BATCH_SIZE
        among, among_params = _among("id", only, skip)
        # Out of scheduled: the coach is reminded, whether the check-in is now due or already missed.
        out_of_scheduled = _fetch(
            f"""UPDATE {checkin} SET status = CASE WHEN due_on < %s THEN 'missed' ELSE 'due' END
                WHERE {_claim(f"SELECT id FROM {checkin} WHERE {falling_due[0]}{among} LIMIT %s")}
                RETURNING id, status""",
            [missed_before, *falling_due[1], *among_params, limit],
        )
        # Due for too long: now missed.
        due_to_missed = _fetch(
            f"""UPDATE {checkin} SET status = 'missed'
                WHERE {_claim(f"SELECT id FROM {checkin} WHERE {falling_missed[0]}{among} LIMIT %s")}
                RETURNING id, status""",
            [*falling_missed[1], *among_params, limit],
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

    def rows(skip: list[int]) -> list[int]:
        among, among_params = _among("id", None, skip)
        where = f"(({falling_due[0]}) OR ({falling_missed[0]})){among}"
        return _locked_ids(checkin, where, [*falling_due[1], *falling_missed[1], *among_params])

    return batch, rows


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


def _placement_step(*, now: datetime, deliver: Deliver) -> tuple[Batch, Rows]:
    """Each active staff member of the employer is reminded once of a placement still proposed after N days (one
    statement: the reminders already written are skipped by their unique index)."""
    placement = Placement._meta.db_table
    still_proposed = "p.status = 'proposed' AND p.proposed_at <= %s"
    cutoff = now - timedelta(days=settings.PLACEMENT_UNCONFIRMED_AFTER_DAYS)
    kind = Notification.Kind.PLACEMENT_UNCONFIRMED
    subject, body = _texts_sql(kind)

    def batch(report: SweepReport, only: list[int] | None, skip: list[int]) -> bool:
        among, among_params = _among("p.id", only, skip)
        notifications = _insert_notifications(
            f"""SELECT u.id, %s, {subject}, {body}, %s, '{PLACEMENT}', p.id
                FROM {_about_sql(PLACEMENT)}
                JOIN {User._meta.db_table} u ON u.organisation_id = p.employer_id AND u.is_active
                WHERE {still_proposed}{among}""",
            [kind, now, cutoff, *among_params],
        )
        _queue_emails(report, notifications, deliver=deliver)
        return False

    def rows(skip: list[int]) -> list[int]:
        # Not locked: confirming or declining a placement need not wait for the sweep.
        among, among_params = _among("p.id", None, skip)
        return [
            row[0]
            for row in _fetch(f"SELECT p.id FROM {placement} p WHERE {still_proposed}{among}", [cutoff, *among_params])
        ]

    return batch, rows


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
    # Robust: a hand-over that fails after the commit is logged, and never taken for a failure of the batch.
    transaction.on_commit(lambda: deliver(email_ids), robust=True)


def _redrive_step(*, stale: datetime, deliver: Deliver) -> tuple[Batch, Rows]:
    """Hands over again pending e-mails handed over before `stale` whose hand-over was lost (broker down, worker
    killed), or whose backoff after a failure has passed. The sender locks each row and checks it is pending, so a
    row handed over twice is still sent once."""
    outbox = OutboxEmail._meta.db_table
    now = timezone.now()
    lost = (
        """status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
           AND (enqueued_at IS NULL OR enqueued_at < %s)""",
        [now, stale],
    )

    def batch(report: SweepReport, only: list[int] | None, skip: list[int]) -> bool:
        limit = settings.REMINDER_SWEEP_BATCH_SIZE
        among, among_params = _among("id", only, skip)
        ids = [
            row[0]
            for row in _fetch(
                f"""UPDATE {outbox} SET enqueued_at = %s
                    WHERE {_claim(f"SELECT id FROM {outbox} WHERE {lost[0]}{among} LIMIT %s")}
                    RETURNING id""",
                [timezone.now(), *lost[1], *among_params, limit],
            )
        ]
        if ids:
            report.redriven += len(ids)
            report.emails_queued += len(ids)
            transaction.on_commit(lambda: deliver(ids), robust=True)
        return len(ids) == limit

    def rows(skip: list[int]) -> list[int]:
        among, among_params = _among("id", None, skip)
        return _locked_ids(outbox, f"{lost[0]}{among}", [*lost[1], *among_params])

    return batch, rows


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


def _locked_ids(table: str, where: str, params: list) -> list[int]:
    """At most a batch of the ids of `table` matching `where`, locked as _claim locks them."""
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = f"SELECT id FROM {table} WHERE {where} LIMIT %s{lock}"
    return [row[0] for row in _fetch(sql, [*params, settings.REMINDER_SWEEP_BATCH_SIZE])]


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
    column in its place, concatenated, so that a million reminders are written by one statement per batch. The
    subject is cut to its column: a long name or job title must not make the database refuse the row."""
    subject, body = (_template_sql(text) for text in TEXTS[kind])
    return _cut_sql(subject, Notification._meta.get_field("subject").max_length), body


def _cut_sql(text: str, max_length: int) -> str:
    """`text` as it is if it fits in `max_length` characters, else cut to fit with an ellipsis at the end."""
    return f"CASE WHEN length({text}) <= {max_length} THEN {text} ELSE substr({text}, 1, {max_length - 1}) || '…' END"


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
