"""The reminder sweep (contract §7): each registered source (notifications.sources) says what fell due, and every
reminder becomes one notification and one outbox e-mail — exactly once, however many sweeps run at the same moment.

Exactly once rests on the database, not on timing:
- sources claim their rows in batches with `FOR UPDATE SKIP LOCKED` and change their state in the transaction that
  writes their notifications, so two sweeps never claim the same row;
- a notification is unique per (recipient, kind, object) and inserted with ON CONFLICT DO NOTHING;
- an outbox e-mail is unique per notification; its id goes to the broker only after commit, and a pending e-mail
  not sent in time is handed over again (the sender locks it and checks it is still pending).
Writes are set-wise SQL, so a sweep over a million check-ins takes seconds, not hours.

One object's bad data never holds up anyone else's reminders: the texts fit their columns by construction (a subject
is cut to its column in the SQL), each step (a source, and the re-drive) runs on its own, and a batch the database
refuses is run again in halves, each in a savepoint, until the rows it refuses stand alone. Those are left out of
the sweep, logged and reported (the SweepReport, send_reminders, and /health through SweepProblem); the happy path
never goes row by row.
"""

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from api.sql import compiled, fetch, ids_table, in_ids

from .models import REDRIVE, Notification, OutboxEmail, SweepProblem
from .sources import Among, Ids, Reminder, Source, claim, locked_ids, sources

logger = logging.getLogger(__name__)

Deliver = Callable[[list[int]], None]

# Rows a step may leave out in one sweep before the step counts as broken rather than its rows as bad: isolating a
# row costs a few failed statements, and a step that fails for every row would otherwise be tried row by row.
MAX_REFUSED_ROWS = 100


@dataclass
class SweepReport:
    counts: Counter = field(default_factory=Counter)  # the sources' own counts (e.g. "became_due")
    notifications: int = 0
    emails_queued: int = 0  # new e-mails, plus pending ones handed over again
    redriven: int = 0
    failed_steps: list[str] = field(default_factory=list)  # steps that failed as a whole (their work waits)
    skipped: dict[str, list[int]] = field(default_factory=dict)  # per step, the rows the database refused

    def add(self, other: "SweepReport") -> None:
        for counter in ("notifications", "emails_queued", "redriven"):
            setattr(self, counter, getattr(self, counter) + getattr(other, counter))
        self.counts.update(other.counts)


# A batch of a step: (its report, only these rows when not None, never these rows) → whether more may be left.
Batch = Callable[[SweepReport, list[int] | None, list[int]], bool]
# The ids of the rows a batch of the step would take now, but these (locked where the batch's claims lock them).
Rows = Callable[[list[int]], list[int]]


def reminders_sweep(*, now: datetime, deliver: Deliver, on_backlog: Callable[[], None] | None = None) -> SweepReport:
    """One sweep as of `now`: each registered source, then the re-drive; `deliver` receives the ids of outbox
    e-mails to send, after their rows committed. `on_backlog` is called once if the first batch of a batched source
    came back full: more sweeps may then share the work (the workers ask for one more), each claiming batches the
    others have not locked."""
    # Fixed before this sweep hands anything over, so that it never hands over again what it handed over itself:
    # otherwise, with a short re-drive time, its re-drive loop would claim the same rows for ever.
    stale = timezone.now() - timedelta(seconds=settings.EMAIL_REDRIVE_AFTER_SECONDS)
    limit = settings.REMINDER_SWEEP_BATCH_SIZE
    report = SweepReport()
    backlog = _once(on_backlog)
    for source in sources():
        if source.due is not None:
            batched = {"limit": limit, "on_backlog": backlog} if source.batched else {}
            _run_step(report, source.name, *_source_step(source, now=now, deliver=deliver), **batched)
    _run_step(report, REDRIVE, *_redrive_step(stale=stale, deliver=deliver), limit=limit)
    _record_problems(report)
    return report


def _once(call: Callable[[], None] | None) -> Callable[[], None] | None:
    if call is None:
        return None
    called = []

    def once() -> None:
        if not called:
            called.append(True)
            call()

    return once


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


def sweep_steps() -> list[str]:
    """The steps of a sweep, as SweepProblem, /health and the report name them: the sources, then the re-drive."""
    return [source.name for source in sources() if source.due is not None] + [REDRIVE]


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


def _source_step(source: Source, *, now: datetime, deliver: Deliver) -> tuple[Batch, Rows]:
    """A source's step: what it found due becomes notifications and outbox e-mails, in one transaction."""

    def batch(report: SweepReport, only: list[int] | None, skip: list[int]) -> bool:
        due = source.due(now=now, among=Among(only, skip))
        report.counts.update(due.counts)
        notifications = []
        for kind, objects in due.objects.items():
            reminder = next(candidate for candidate in source.reminders if candidate.kind == kind)
            notifications += insert_notifications(source, reminder, objects, now=now)
        queue_emails(report, notifications, deliver=deliver)
        return due.more

    def rows(skip: list[int]) -> list[int]:
        if source.candidates is None:
            return []
        return source.candidates(now=now, among=Among(None, skip))

    return batch, rows


def insert_notifications(
    source: Source, reminder: Reminder, objects: Ids, *, now: datetime, users: QuerySet | None = None
) -> list[int]:
    """Notifications of `reminder` about `objects` to its recipients (or to `users`, each about every object), in
    one statement; one that exists already (another sweep's) is skipped, not repeated. They carry the sweep's
    moment: with --as-of, the moment the sweep stands for."""
    if isinstance(objects, list) and not objects:
        return []
    rows, rows_params = objects_sql(source)
    match = reminder.recipients.match if users is None else None
    users = reminder.recipients.users() if users is None else users
    users_sql, users_params = compiled(users.values("pk", *([match[0]] if match else [])))
    joined = f"JOIN ({users_sql}) u ON u.{_q(match[0])} = o.{_q(match[1])}" if match else f"CROSS JOIN ({users_sql}) u"
    about, about_params = _ids_condition("o.pk", objects)
    subject, body = texts_sql(reminder)
    table = Notification._meta.db_table
    return [
        row[0]
        for row in fetch(
            f"""INSERT INTO {table} (recipient_id, kind, subject, body, created_at, object_type, object_id)
                SELECT u.pk, %s, {subject}, {body}, %s, %s, o.pk
                FROM ({rows}) o {joined}
                WHERE {about}
                ON CONFLICT (recipient_id, kind, object_type, object_id) DO NOTHING
                RETURNING id""",
            [reminder.kind, now, source.object_type, *rows_params, *users_params, *about_params],
        )
    ]


def objects_sql(source: Source, *, resident: bool = False) -> tuple[str, list]:
    """The rows a source's notifications are written from: the id and each annotation (and, with `resident`, the id
    of the resident each is about, as `about_resident`)."""
    objects = source.objects()
    if resident:
        objects = objects.annotate(about_resident=F(source.resident))
    return compiled(objects.values("pk", *objects.query.annotations))


def _ids_condition(column: str, ids: Ids) -> tuple[str, list]:
    if isinstance(ids, QuerySet):
        sql, params = compiled(ids.values("pk"))
        return f"{column} IN ({sql})", params
    condition, param = in_ids(column, ids)
    return condition, [param]


def queue_emails(report: SweepReport, notification_ids: list[int], *, deliver: Deliver) -> list[int]:
    """An outbox e-mail per new notification, handed to `deliver` once this transaction has committed."""
    report.notifications += len(notification_ids)
    if not notification_ids:
        return []
    ids, ids_param = ids_table(notification_ids)  # inserted just now: no need to read them back
    email_ids = [
        row[0]
        for row in fetch(
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
    return email_ids


def _redrive_step(*, stale: datetime, deliver: Deliver) -> tuple[Batch, Rows]:
    """Hands over again pending e-mails handed over before `stale` whose hand-over was lost (broker down, worker
    killed), or whose backoff after a failure has passed. The sender locks each row and checks it is pending, so a
    row handed over twice is still sent once."""
    outbox = OutboxEmail._meta.db_table
    # Written out rather than by the ORM: its literal 'pending' is what lets PostgreSQL use the partial index.
    lost = OutboxEmail.objects.filter(
        RawSQL(
            """status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
               AND (enqueued_at IS NULL OR enqueued_at < %s)""",
            [timezone.now(), stale],
            output_field=BooleanField(),
        )
    )

    def batch(report: SweepReport, only: list[int] | None, skip: list[int]) -> bool:
        claimed, claimed_params = claim(Among(only, skip).filter(lost))
        ids = [
            row[0]
            for row in fetch(
                f"UPDATE {outbox} SET enqueued_at = %s WHERE {claimed} RETURNING id", [timezone.now(), *claimed_params]
            )
        ]
        if ids:
            report.redriven += len(ids)
            report.emails_queued += len(ids)
            transaction.on_commit(lambda: deliver(ids), robust=True)
        return len(ids) == settings.REMINDER_SWEEP_BATCH_SIZE

    def rows(skip: list[int]) -> list[int]:
        return locked_ids(Among(None, skip).filter(lost))

    return batch, rows


# --- The texts, as SQL: PostgreSQL in production; SQLite for the development run --------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def texts_sql(reminder: Reminder) -> tuple[str, str]:
    """The subject and body of a kind of reminder as SQL expressions over the source's rows (`o`): the template's
    text and each placeholder's column in its place, concatenated, so that a million reminders are written by one
    statement per batch. The subject is cut to its column: a long name or job title must not make the database
    refuse the row."""
    subject, body = (_template_sql(text) for text in (reminder.subject, reminder.body))
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
            pieces.append(f"(o.{_q(part)})")
        elif part:
            pieces.append("'" + part.replace("'", "''") + "'")
    return " || ".join(pieces)
