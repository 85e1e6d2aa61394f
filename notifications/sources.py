"""What the reminder sweep reminds of. Each domain app registers its sources, in its AppConfig.ready; the sweep,
the /notifications API, the access log and erasure ask them, and know no domain model themselves.

A source is one step of the sweep: it finds and claims what fell due (`due`), and says how its notifications are
written — the rows they are written from (`objects`, an ORM query annotated with each placeholder of the texts),
who receives each kind, and which resident each is about. For example (an app's `ready`):

    from django.db.models import F
    from notifications.sources import Recipients, Reminder, Source, register

    register(
        Source(
            name="stopped_projects",  # the sweep step, as /health and send_reminders name it
            object_type="project",
            objects=lambda: Project.objects.annotate(title=F("name"), lead=F("lead_organisation")),
            resident=None,  # about no resident (else the lookup to the id of the resident it is about)
            reminders=(
                Reminder(
                    kind="project_stopped",
                    label="Project stopped",
                    subject="Project stopped: {title}",
                    body="The project {title} was stopped.",
                    recipients=Recipients(active_users, match=("organisation_id", "lead")),
                ),
            ),
            # No `due`: not swept; notifications.services.notifications_create writes these in the transaction
            # of the decision.
        )
    )

A swept source's `due(now=, among=)` answers, per kind, the ids of the objects to notify about now (a list, or an
ORM query of ids), whether more may be left (a full batch: the sweep asks for the next), and counts for the report.
It claims with `claim`/`locked_ids` (FOR UPDATE SKIP LOCKED) what it changes, keeps to `among` (the sweep isolates
rows the database refuses), and runs in the sweep's transaction; the notifications are inserted with ON CONFLICT DO
NOTHING (one per recipient, kind and object), so a source may name an object again safely.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from api.sql import compiled, in_ids

Ids = list[int] | QuerySet


@dataclass(frozen=True)
class Among:
    """The rows a batch may take: only `only` when given (the sweep isolating rows the database refused), never
    those in `skip` (refused already). Nothing at all on the happy path."""

    only: list[int] | None = None
    skip: list[int] = field(default_factory=list)

    def sql(self, column: str) -> tuple[str, list]:
        """SQL conditions, each beginning with AND, that keep `column` among these rows, and their parameters."""
        conditions, params = "", []
        for ids, negation in ((self.only, ""), (self.skip or None, "NOT ")):
            if ids is not None:
                condition, param = in_ids(column, ids)
                conditions += f" AND {negation}{condition}"
                params.append(param)
        return conditions, params

    def filter(self, queryset: QuerySet) -> QuerySet:
        """`queryset` kept among these rows (by primary key)."""
        model = queryset.model
        column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(model._meta.pk.column)}"
        conditions, params = self.sql(column)
        if not conditions:
            return queryset
        return queryset.filter(RawSQL(conditions.removeprefix(" AND "), params, output_field=BooleanField()))


@dataclass(frozen=True)
class Due:
    """What a source found due: per kind, the objects to notify about now."""

    objects: Mapping[str, Ids]
    more: bool = False  # a batch came back full: more may be left
    counts: Mapping[str, int] = field(default_factory=dict)  # for the report (e.g. "became_due"), added up


@dataclass(frozen=True)
class Recipients:
    """Who receives a kind of notification: each of `users` (an ORM query of users), and, with `match` (the user's
    column, the object's annotation), only those whose column equals the object's."""

    users: Callable[[], QuerySet]
    match: tuple[str, str] | None = None


@dataclass(frozen=True)
class Reminder:
    """A kind of notification. Its texts are templates whose {placeholders} are annotations of the source's
    `objects`, filled in by the database, row by row; {grace} is settings.REMINDER_MISSED_AFTER_DAYS."""

    kind: str
    label: str
    subject: str
    body: str
    recipients: Recipients


@dataclass(frozen=True)
class Source:
    name: str  # its step of the sweep (SweepProblem.step, the report's failed steps and rows left out)
    object_type: str  # what its notifications are about (Notification.object_type)
    objects: Callable[[], QuerySet]  # the rows notifications are written from, annotated with the placeholders
    resident: str | None  # the lookup from an object to the id of the resident it is about (access log, erasure);
    # None: its objects are about no resident (a project)
    reminders: tuple[Reminder, ...]
    due: Callable[..., Due] | None = None  # due(now=, among=); None: not swept
    candidates: Callable[..., list[int]] | None = None  # candidates(now=, among=): the ids `due` would take now
    batched: bool = False  # `due` takes a batch at a time (settings.REMINDER_SWEEP_BATCH_SIZE)
    counts: Mapping[str, str] = field(default_factory=dict)  # the report's counts → how send_reminders names them


_sources: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Adds a source to the sweep (in the order registered) and its kinds to the notifications'."""
    known = {reminder.kind for other in _sources.values() for reminder in other.reminders}
    if source.name in _sources or known & {reminder.kind for reminder in source.reminders}:
        raise ValueError(f"A source {source.name!r} or one of its kinds is registered already.")
    _sources[source.name] = source
    return source


def unregister(name: str) -> None:
    del _sources[name]


def sources() -> list[Source]:
    return list(_sources.values())


def source_of(kind: str) -> tuple[Source, Reminder]:
    """The source of a kind of notification, and its reminder."""
    for source in _sources.values():
        for candidate in source.reminders:
            if candidate.kind == kind:
                return source, candidate
    raise LookupError(f"No source registered for the kind {kind!r}.")


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of notification, as the registered sources name them (the model's, the API's choices)."""
    return [(reminder.kind, reminder.label) for source in _sources.values() for reminder in source.reminders]


class RegisteredKinds:
    """`kind_choices()` read whenever it is iterated: a filter's choices that the schema documents as an enum (for a
    function, drf-spectacular documents any string) and that the registry fills in after this is imported."""

    def __iter__(self):
        return iter(kind_choices())


# --- Helpers for a source's `due` ---------------------------------------------------------------------------


def claim(queryset: QuerySet) -> tuple[str, list]:
    """A condition for a hand-written UPDATE of the queryset's table: `id` is one of a batch of its rows, each
    locked for this transaction and skipped if another holds it. `= ANY(ARRAY(…))` keeps the planner on the primary
    key; `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` turns into a full scan per batch on large tables."""
    sql, params = compiled(_batch(queryset).values("pk").select_for_update(skip_locked=True))
    if connection.vendor == "postgresql":
        return f"id = ANY(ARRAY({sql}))", params
    return f"id IN ({sql})", params  # SQLite: one writer at a time, nothing to skip (nor FOR UPDATE)


def locked_ids(queryset: QuerySet) -> list[int]:
    """At most a batch of the queryset's ids, locked as `claim` locks them."""
    return list(_batch(queryset).values_list("pk", flat=True).select_for_update(skip_locked=True))


def _batch(queryset: QuerySet) -> QuerySet:
    return queryset.order_by()[: settings.REMINDER_SWEEP_BATCH_SIZE]
