"""The pathways' reminders (contract §7), registered with the sweep (notifications.sources) by PathwaysConfig.ready:
check-ins fall due or are missed, and placements nobody confirmed are chased. This is where a reminder is decided:
what falls due when, who is told, and what the message says."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.utils import timezone

from api.sql import fetch
from coalition.models import Role, User
from notifications.sources import Among, Due, Recipients, Reminder, Source, claim, locked_ids, register

from .models import CheckIn, Placement

CHECK_IN_DUE, CHECK_IN_MISSED, PLACEMENT_UNCONFIRMED = "check_in_due", "check_in_missed", "placement_unconfirmed"


def _active_users():
    return User.objects.filter(is_active=True)


def _coordinators():
    return _active_users().filter(Q(role=Role.COORDINATOR) | Q(is_superuser=True))


def _about(placement: str) -> dict:
    """The placeholders of the texts about a placement (`placement`: the lookup to it, "" for the placement)."""
    path = f"{placement}__" if placement else ""
    resident = f"{path}pathway__resident__"
    coach = f"{resident}coach__"
    return {
        "name": Concat(f"{resident}first_name", Value(" "), f"{resident}last_name"),
        "job": F(f"{path}job_title"),
        "employer_name": F(f"{path}employer__name"),
        "start": Cast(f"{path}start_date", TextField()),
        "coach": Coalesce(
            NullIf(Trim(Concat(f"{coach}first_name", Value(" "), f"{coach}last_name")), Value("")),
            f"{coach}username",
            Value("none"),
        ),
    }


# --- Check-ins falling due or missed ------------------------------------------------------------------------


def _check_in_dates(now: datetime) -> tuple:
    # The coalition's date (Europe/Amsterdam, settings.TIME_ZONE), whatever zone is active in this thread.
    today = timezone.localdate(now, timezone.get_default_timezone())
    return today, today - timedelta(days=settings.REMINDER_MISSED_AFTER_DAYS)


def _check_ins_due(*, now: datetime, among: Among) -> Due:
    """Check-ins whose state must change, claimed in a batch: out of scheduled on their day, due for too long."""
    today, missed_before = _check_in_dates(now)
    table = CheckIn._meta.db_table
    falling_due, falling_due_params = claim(
        among.filter(CheckIn.objects.filter(status=CheckIn.Status.SCHEDULED, due_on__lte=today))
    )
    falling_missed, falling_missed_params = claim(
        among.filter(CheckIn.objects.filter(status=CheckIn.Status.DUE, due_on__lt=missed_before))
    )
    # Out of scheduled: the coach is reminded, whether the check-in is now due or already missed.
    out_of_scheduled = fetch(
        f"""UPDATE {table} SET status = CASE WHEN due_on < %s THEN 'missed' ELSE 'due' END
            WHERE {falling_due} RETURNING id, status""",
        [missed_before, *falling_due_params],
    )
    # Due for too long: now missed.
    due_to_missed = fetch(
        f"UPDATE {table} SET status = 'missed' WHERE {falling_missed} RETURNING id, status", falling_missed_params
    )
    missed = [row[0] for row in out_of_scheduled if row[1] == CheckIn.Status.MISSED]
    missed += [row[0] for row in due_to_missed]
    limit = settings.REMINDER_SWEEP_BATCH_SIZE
    return Due(
        {CHECK_IN_DUE: [row[0] for row in out_of_scheduled], CHECK_IN_MISSED: missed},
        more=len(out_of_scheduled) == limit or len(due_to_missed) == limit,
        counts={
            "became_due": len(out_of_scheduled) - len(missed) + len(due_to_missed),
            "became_missed": len(missed),
        },
    )


def _check_ins_falling(*, now: datetime, among: Among) -> list[int]:
    today, missed_before = _check_in_dates(now)
    falling = Q(status=CheckIn.Status.SCHEDULED, due_on__lte=today) | Q(
        status=CheckIn.Status.DUE, due_on__lt=missed_before
    )
    return locked_ids(among.filter(CheckIn.objects.filter(falling)))


CHECK_INS = Source(
    name="check_ins",
    object_type="check_in",
    objects=lambda: CheckIn.objects.annotate(
        **_about("placement"),
        day_=Cast("day", TextField()),
        due=Cast("due_on", TextField()),
        coach_user=F("placement__pathway__resident__coach"),
    ),
    resident="placement__pathway__resident",
    reminders=(
        Reminder(
            kind=CHECK_IN_DUE,
            label="Check-in due",
            subject="Check-in due: {name}, day {day_}",
            body="{name} started as {job} at {employer_name} on {start}. Their day-{day_} check-in is due on {due}. "
            "Record it in Werkpad once you have spoken with them.",
            recipients=Recipients(_active_users, match=("id", "coach_user")),
        ),
        Reminder(
            kind=CHECK_IN_MISSED,
            label="Check-in missed",
            subject="Check-in missed: {name}, day {day_}",
            body="The day-{day_} check-in of {name} ({job} at {employer_name}, started {start}) was due on {due} and "
            "has not been recorded {grace} days later. Coach: {coach}.",
            recipients=Recipients(_coordinators),
        ),
    ),
    due=_check_ins_due,
    candidates=_check_ins_falling,
    batched=True,
    counts={"became_due": "check-ins became due", "became_missed": "check-ins became missed"},
)


# --- Placements nobody confirmed ----------------------------------------------------------------------------


def _still_proposed(now: datetime):
    cutoff = now - timedelta(days=settings.PLACEMENT_UNCONFIRMED_AFTER_DAYS)
    return Placement.objects.filter(status=Placement.Status.PROPOSED, proposed_at__lte=cutoff)


def _placements_due(*, now: datetime, among: Among) -> Due:
    """Each active staff member of the employer is reminded once of a placement still proposed after N days (one
    statement: the reminders already written are skipped by their unique index)."""
    return Due({PLACEMENT_UNCONFIRMED: among.filter(_still_proposed(now))})


def _placements_still_proposed(*, now: datetime, among: Among) -> list[int]:
    # Not locked: confirming or declining a placement need not wait for the sweep.
    return list(among.filter(_still_proposed(now)).order_by().values_list("pk", flat=True))


UNCONFIRMED_PLACEMENTS = Source(
    name="unconfirmed_placements",
    object_type="placement",
    objects=lambda: Placement.objects.annotate(**_about(""), organisation=F("employer")),
    resident="pathway__resident",
    reminders=(
        Reminder(
            kind=PLACEMENT_UNCONFIRMED,
            label="Placement unconfirmed",
            subject="Please confirm or decline: {job} for {name}",
            body="{name} was proposed as {job} at {employer_name}, starting {start}. "
            "Please confirm or decline the placement in Werkpad.",
            recipients=Recipients(_active_users, match=("organisation_id", "organisation")),
        ),
    ),
    due=_placements_due,
    candidates=_placements_still_proposed,
)


def reminders_register() -> None:
    for source in (CHECK_INS, UNCONFIRMED_PLACEMENTS):
        register(source)
