"""The reminder sweep (contract §7) on the real database: who is told what and when, exactly once.

Sweeps are called in-process with `now` given; `deliver` collects the outbox ids the sweep hands over after commit.
The real worker under faults is tested elsewhere (tests/workers).
"""

import threading
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from notifications.emails import emails_send
from notifications.models import Notification, OutboxEmail, SweepProblem
from notifications.sweep import reminders_sweep
from pathways.journey.stages import Stage
from pathways.models import CheckIn
from pathways.placements import services
from pathways.placements.reminders import CHECK_IN_DUE, CHECK_IN_MISSED, PLACEMENT_UNCONFIRMED
from tests.factories import (
    CheckInFactory,
    NotificationFactory,
    PlacementFactory,
    UserFactory,
)
from tests.live import in_threads
from tests.notifications.poison import refused

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DUE = CHECK_IN_DUE
MISSED = CHECK_IN_MISSED
UNCONFIRMED = PLACEMENT_UNCONFIRMED
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    """A moment on a day of the coalition's clock."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=AMSTERDAM)


def told(kind: str, obj) -> list[int]:
    """The recipients of the notifications of this kind about this object, one entry per notification."""
    object_type = "check_in" if isinstance(obj, CheckIn) else "placement"
    return sorted(
        Notification.objects.filter(kind=kind, object_type=object_type, object_id=obj.pk).values_list(
            "recipient_id", flat=True
        )
    )


def status(check_in: CheckIn) -> str:
    check_in.refresh_from_db()
    return check_in.status


def check_in(due_on: date, **kwargs) -> CheckIn:
    """A scheduled check-in of a confirmed placement, falling due on `due_on`; its resident has a coach."""
    return CheckInFactory(due_on=due_on, **kwargs)


def coach_of(item: CheckIn):
    return item.placement.pathway.resident.coach


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Runs a sweep and returns its report; `sweep.delivered` gathers every id handed to `deliver`, which may
    only happen once the sweep's transactions have committed."""
    delivered: list[int] = []

    def run(now: datetime):
        handed: list[int] = []
        with django_capture_on_commit_callbacks(execute=True):
            report = reminders_sweep(now=now, deliver=handed.extend)
            assert handed == [], "handed over before commit"
        delivered.extend(handed)
        return report

    run.delivered = delivered
    return run


@pytest.fixture
def coordinators(db) -> list[int]:
    """Everyone who must hear of a missed check-in (two coordinators and a superuser), beside people who must not
    (an inactive coordinator, an inactive superuser, a coach, an employer, an educator)."""
    UserFactory(coordinator=True, is_active=False)
    UserFactory(superuser=True, is_active=False)
    UserFactory(coach=True)
    UserFactory(employer=True)
    UserFactory(educator=True)
    return sorted(
        user.pk for user in (UserFactory(coordinator=True), UserFactory(coordinator=True), UserFactory(superuser=True))
    )


def assert_one_email_per_notification(delivered: list[int]) -> None:
    """Every notification has its one outbox e-mail, and each was handed over exactly once."""
    assert not Notification.objects.filter(email__isnull=True).exists()
    assert OutboxEmail.objects.count() == Notification.objects.count()
    assert len(delivered) == len(set(delivered))
    assert sorted(delivered) == sorted(OutboxEmail.objects.values_list("id", flat=True))


# --- Check-ins falling due and being missed -------------------------------------------------------------------


def test_a_check_in_falls_due_on_its_day_and_not_the_day_before(sweep, coordinators):
    day = date(2027, 1, 15)
    item = check_in(day)

    report = sweep(at(day - timedelta(days=1), 23, 59, 59))
    assert status(item) == CheckIn.Status.SCHEDULED
    assert report.counts["became_due"] == 0 and not Notification.objects.exists()

    report = sweep(at(day, 0, 0))
    assert status(item) == CheckIn.Status.DUE
    assert (report.counts["became_due"], report.counts["became_missed"], report.notifications) == (1, 0, 1)
    assert told(DUE, item) == [coach_of(item).pk]
    assert told(MISSED, item) == []
    notification = Notification.objects.get()
    assert notification.subject == f"Check-in due: {item.placement.pathway.resident}, day {item.day}"
    assert str(day) in notification.body and item.placement.job_title in notification.body
    assert_one_email_per_notification(sweep.delivered)


def test_the_first_sweep_after_the_due_date_reminds_the_coach(sweep, coordinators):
    day = date(2027, 1, 15)
    item = check_in(day)

    sweep(at(day + timedelta(days=5)))

    assert status(item) == CheckIn.Status.DUE
    assert told(DUE, item) == [coach_of(item).pk]
    assert told(MISSED, item) == []


def test_still_open_after_fourteen_days_is_missed_and_every_coordinator_is_told(sweep, coordinators):
    day = date(2027, 1, 15)
    item = check_in(day)
    sweep(at(day))

    sweep(at(day + timedelta(days=14), 23, 59, 59))  # 14 days after: still due
    assert status(item) == CheckIn.Status.DUE
    assert told(MISSED, item) == []

    report = sweep(at(day + timedelta(days=15), 0, 0))
    assert status(item) == CheckIn.Status.MISSED
    assert (report.counts["became_due"], report.counts["became_missed"], report.notifications) == (
        0,
        1,
        len(coordinators),
    )
    assert told(MISSED, item) == coordinators
    assert told(DUE, item) == [coach_of(item).pk]  # the coach was reminded once, when it fell due
    subject = Notification.objects.filter(kind=MISSED).first().subject
    assert subject == f"Check-in missed: {item.placement.pathway.resident}, day {item.day}"
    assert_one_email_per_notification(sweep.delivered)


@pytest.mark.parametrize(
    ("days_late", "expected", "coordinators_told"),
    [(14, CheckIn.Status.DUE, False), (15, CheckIn.Status.MISSED, True), (200, CheckIn.Status.MISSED, True)],
)
def test_a_check_in_first_swept_long_after_its_day(sweep, coordinators, days_late, expected, coordinators_told):
    day = date(2027, 1, 15)
    item = check_in(day)

    report = sweep(at(day + timedelta(days=days_late)))

    assert status(item) == expected
    assert told(DUE, item) == [coach_of(item).pk]  # the coach is reminded either way
    assert told(MISSED, item) == (coordinators if coordinators_told else [])
    assert (report.counts["became_due"], report.counts["became_missed"]) == ((0, 1) if coordinators_told else (1, 0))
    assert_one_email_per_notification(sweep.delivered)


def test_completing_or_cancelling_a_check_in_early_reminds_nobody(sweep, coordinators, time_machine):
    today = timezone.localdate()
    held_early = check_in(today + timedelta(days=7))  # as early as it can be held
    held_while_due = check_in(today + timedelta(days=20))
    ended = PlacementFactory(confirmed=True, start_date=today)  # its check-ins fall due from today + 7
    services.check_in_complete(check_in=held_early, by=coach_of(held_early), outcome=CheckIn.Outcome.EMPLOYED)
    services.placement_end(placement=ended, by=ended.pathway.resident.coach, end_date=today, end_reason="resigned")
    assert set(ended.check_ins.values_list("status", flat=True)) == {CheckIn.Status.CANCELLED}

    time_machine.move_to(at(today + timedelta(days=20)))
    sweep(at(today + timedelta(days=20)))
    assert told(DUE, held_while_due) == [coach_of(held_while_due).pk]
    services.check_in_complete(check_in=held_while_due, by=coach_of(held_while_due), outcome="at_risk")
    for days in (40, 400):
        sweep(at(today + timedelta(days=days)))

    assert status(held_early) == status(held_while_due) == CheckIn.Status.COMPLETED
    assert set(ended.check_ins.values_list("status", flat=True)) == {CheckIn.Status.CANCELLED}
    assert list(Notification.objects.values_list("kind", "object_id")) == [(DUE, held_while_due.pk)]


def test_a_resident_without_an_active_coach_gets_no_coach_reminder_but_coordinators_are_told(sweep, coordinators):
    day = date(2027, 1, 15)
    without_coach = check_in(day, placement__pathway__resident__coach=None)
    inactive_coach = check_in(day, placement__pathway__resident__coach=UserFactory(coach=True, is_active=False))

    report = sweep(at(day))
    assert status(without_coach) == status(inactive_coach) == CheckIn.Status.DUE
    assert report.counts["became_due"] == 2 and report.notifications == 0
    assert not Notification.objects.exists()

    sweep(at(day + timedelta(days=15)))
    for item in (without_coach, inactive_coach):
        assert status(item) == CheckIn.Status.MISSED
        assert told(DUE, item) == []
        assert told(MISSED, item) == coordinators
    body = Notification.objects.get(kind=MISSED, object_id=without_coach.pk, recipient_id=coordinators[0]).body
    assert body.endswith("Coach: none.")
    assert_one_email_per_notification(sweep.delivered)


# --- Placements nobody confirmed --------------------------------------------------------------------------------


def test_an_unconfirmed_placement_reminds_each_active_staff_member_of_the_employer_once(sweep, coordinators):
    proposed_at = timezone.now() - timedelta(days=5)
    placement = PlacementFactory(proposed_at=proposed_at)
    employer = placement.employer
    staff = sorted(UserFactory(employer=True, organisation=employer).pk for _ in range(2))
    UserFactory(employer=True, organisation=employer, is_active=False)
    UserFactory(employer=True)  # staff of another employer
    confirmed = PlacementFactory(confirmed=True, employer=employer, proposed_at=proposed_at)
    declined = PlacementFactory(declined=True, employer=employer, proposed_at=proposed_at)

    report = sweep(proposed_at + timedelta(days=3) - timedelta(seconds=1))
    assert report.notifications == 0

    report = sweep(proposed_at + timedelta(days=3))
    assert report.notifications == 2
    assert told(UNCONFIRMED, placement) == staff
    assert told(UNCONFIRMED, confirmed) == told(UNCONFIRMED, declined) == []
    subject = Notification.objects.filter(kind=UNCONFIRMED).first().subject
    assert subject == f"Please confirm or decline: {placement.job_title} for {placement.pathway.resident}"

    assert sweep(proposed_at + timedelta(days=4)).notifications == 0  # once, however many sweeps

    newcomer = UserFactory(employer=True, organisation=employer)
    assert sweep(proposed_at + timedelta(days=4)).notifications == 1
    assert told(UNCONFIRMED, placement) == sorted([*staff, newcomer.pk])

    services.placement_decline(placement=placement, by=newcomer, reason="No vacancy after all")
    UserFactory(employer=True, organisation=employer)
    assert sweep(proposed_at + timedelta(days=6)).notifications == 0
    assert_one_email_per_notification(sweep.delivered)


def test_a_placement_confirmed_before_three_days_reminds_no_one(sweep, coordinators):
    placement = PlacementFactory(proposed_at=timezone.now() - timedelta(days=2))
    staff = UserFactory(employer=True, organisation=placement.employer)
    services.placement_confirm(placement=placement, by=staff)

    assert sweep(timezone.now() + timedelta(days=2)).notifications == 0
    assert told(UNCONFIRMED, placement) == []


# --- A placement registered after the fact ------------------------------------------------------------------------


def test_a_backfilled_placement_gets_the_contract_states_and_notifications_on_the_first_sweep(sweep, coordinators):
    today = timezone.localdate()
    placement = PlacementFactory(start_date=today - timedelta(days=40), pathway__stage=Stage.JOB_SEARCH)
    coach = placement.pathway.resident.coach
    services.placement_confirm(placement=placement, by=UserFactory(employer=True, organisation=placement.employer))
    by_day = {item.day: item for item in placement.check_ins.all()}
    assert sorted(by_day) == [7, 30, 90, 180, 365]

    report = sweep(timezone.now())

    statuses = {day: status(item) for day, item in by_day.items()}
    assert statuses == {7: "missed", 30: "due", 90: "scheduled", 180: "scheduled", 365: "scheduled"}
    assert told(DUE, by_day[7]) == told(DUE, by_day[30]) == [coach.pk]
    assert told(MISSED, by_day[7]) == coordinators
    assert told(MISSED, by_day[30]) == []
    assert Notification.objects.count() == 2 + len(coordinators)
    assert (report.counts["became_due"], report.counts["became_missed"], report.notifications) == (
        1,
        1,
        2 + len(coordinators),
    )
    assert report.emails_queued == 2 + len(coordinators)
    assert_one_email_per_notification(sweep.delivered)

    for _ in range(2):  # sweeping again changes nothing and hands nothing over
        report = sweep(timezone.now())
        assert (
            report.counts["became_due"],
            report.counts["became_missed"],
            report.notifications,
            report.emails_queued,
        ) == (0, 0, 0, 0)
    assert {day: status(item) for day, item in by_day.items()} == statuses
    assert Notification.objects.count() == 2 + len(coordinators)
    assert_one_email_per_notification(sweep.delivered)


def test_sweeping_again_at_the_same_or_a_later_moment_adds_nothing(sweep, coordinators):
    day = date(2027, 1, 15)
    items = [check_in(day - timedelta(days=days)) for days in (0, 3, 15, 30)]
    PlacementFactory(proposed_at=at(day) - timedelta(days=3), employer=UserFactory(employer=True).organisation)

    sweep(at(day))
    rows = sorted(Notification.objects.values_list("recipient_id", "kind", "object_type", "object_id"))
    statuses = [status(item) for item in items]
    assert statuses == ["due", "due", "missed", "missed"]
    assert len(rows) == 4 + 2 * len(coordinators) + 1

    for moment in (at(day), at(day, 18), at(day + timedelta(days=1))):
        report = sweep(moment)
        assert report.notifications == report.emails_queued == 0
    assert sorted(Notification.objects.values_list("recipient_id", "kind", "object_type", "object_id")) == rows
    assert [status(item) for item in items] == statuses
    assert_one_email_per_notification(sweep.delivered)


# --- Batches and re-drive -----------------------------------------------------------------------------------------


@override_settings(REMINDER_SWEEP_BATCH_SIZE=3)
@pytest.mark.parametrize("rows", [20, 21])
def test_the_sweep_works_through_many_batches(django_capture_on_commit_callbacks, coordinators, rows):
    day = date(2027, 1, 15)
    placement = PlacementFactory(confirmed=True, check_ins=False, start_date=day - timedelta(days=60))
    falling_due = [CheckInFactory(placement=placement, day=n, due_on=day - timedelta(days=n % 10)) for n in range(rows)]
    overdue = [
        CheckInFactory(placement=placement, day=100 + n, due_on=day - timedelta(days=20), due=True) for n in range(rows)
    ]
    calls: list[list[int]] = []

    with django_capture_on_commit_callbacks(execute=True):
        report = reminders_sweep(now=at(day), deliver=calls.append)

    assert {status(item) for item in falling_due} == {CheckIn.Status.DUE}
    assert {status(item) for item in overdue} == {CheckIn.Status.MISSED}
    assert (report.counts["became_due"], report.counts["became_missed"]) == (rows, rows)
    assert Notification.objects.filter(kind=DUE).count() == rows
    assert Notification.objects.filter(kind=MISSED).count() == rows * len(coordinators)
    assert len(calls) == -(-rows // 3)  # one hand-over per batch, never one per e-mail
    assert all(len(ids) <= 3 * (1 + len(coordinators)) for ids in calls)
    assert_one_email_per_notification([email_id for ids in calls for email_id in ids])


@override_settings(REMINDER_SWEEP_BATCH_SIZE=3)
@pytest.mark.parametrize(("rows", "asks_for_help"), [(2, 0), (3, 1), (10, 1)])
def test_a_backlog_of_more_than_a_batch_asks_once_for_more_sweeps(rows, asks_for_help):
    day = date(2027, 1, 15)
    placement = PlacementFactory(confirmed=True, check_ins=False, start_date=day - timedelta(days=60))
    for n in range(rows):
        CheckInFactory(placement=placement, day=n + 1, due_on=day)
    asked: list[None] = []

    report = reminders_sweep(now=at(day), deliver=lambda ids: None, on_backlog=lambda: asked.append(None))

    assert len(asked) == asks_for_help
    assert report.counts["became_due"] == rows


def pending_email(**fields) -> OutboxEmail:
    return OutboxEmail.objects.create(notification=NotificationFactory(), created_at=timezone.now(), **fields)


@override_settings(EMAIL_REDRIVE_AFTER_SECONDS=600)
def test_pending_emails_whose_hand_over_was_lost_are_handed_over_again(sweep):
    now = timezone.now()
    long_ago = now - timedelta(seconds=601)
    stale = pending_email(enqueued_at=long_ago)
    never_handed = pending_email(enqueued_at=None)
    retry_due = pending_email(enqueued_at=None, attempts=1, next_attempt_at=now - timedelta(seconds=1))
    pending_email(enqueued_at=now - timedelta(seconds=60))  # fresh: its worker may still be on it
    pending_email(enqueued_at=None, attempts=1, next_attempt_at=now + timedelta(seconds=60))  # in backoff
    pending_email(enqueued_at=long_ago, status=OutboxEmail.Status.SENT, sent_at=long_ago)
    pending_email(enqueued_at=long_ago, status=OutboxEmail.Status.FAILED, attempts=5)

    report = sweep(now)

    assert sorted(sweep.delivered) == sorted([stale.pk, never_handed.pk, retry_due.pk])
    assert report.redriven == report.emails_queued == 3 and report.notifications == 0
    for email in (stale, never_handed, retry_due):
        email.refresh_from_db()
        assert email.enqueued_at >= now
    assert sweep(now).redriven == 0  # just handed over: not again until the re-drive time has passed
    assert len(sweep.delivered) == 3


@override_settings(REMINDER_SWEEP_BATCH_SIZE=3, EMAIL_REDRIVE_AFTER_SECONDS=600)
def test_re_drive_works_through_many_batches(sweep):
    emails = [pending_email(enqueued_at=None) for _ in range(20)]

    assert sweep(timezone.now()).redriven == 20

    assert sorted(sweep.delivered) == sorted(email.pk for email in emails)


@pytest.mark.django_db(transaction=True)
def test_ids_are_handed_over_only_once_their_rows_are_visible_to_other_connections(coordinators):
    day = date(2027, 1, 15)
    items = [check_in(day), check_in(day - timedelta(days=20))]
    seen_by_others: list[int] = []

    def deliver(ids: list[int]) -> None:
        def look():  # a connection of its own, as a worker has
            seen_by_others.extend(OutboxEmail.objects.filter(pk__in=ids).values_list("pk", flat=True))
            connections.close_all()

        reader = threading.Thread(target=look)
        reader.start()
        reader.join()

    reminders_sweep(now=at(day), deliver=deliver)

    assert [status(item) for item in items] == ["due", "missed"]
    assert sorted(seen_by_others) == sorted(OutboxEmail.objects.values_list("pk", flat=True))
    assert len(seen_by_others) == 2 + len(coordinators)


# --- One object's bad data holds up nobody else's reminders (issue 9) ---------------------------------------------


def test_a_name_or_job_title_too_long_for_a_subject_line_is_cut_to_fit_and_holds_up_nobody(sweep, coordinators):
    day = date(2027, 1, 15)
    long_name = check_in(
        day,
        day=30,
        placement__pathway__resident__first_name="A" * 100,
        placement__pathway__resident__last_name="B" * 100,
    )
    # "Check-in due: " + name + ", day 30" is exactly 200 characters: it fits as it is.
    just_fits = check_in(
        day,
        day=30,
        placement__pathway__resident__first_name="C" * 100,
        placement__pathway__resident__last_name="D" * 77,
    )
    others = [check_in(day), check_in(day - timedelta(days=20))]
    long_title = PlacementFactory(proposed_at=at(day) - timedelta(days=4), job_title="J" * 190)
    staff = UserFactory(employer=True, organisation=long_title.employer)

    report = sweep(at(day))

    assert (report.failed_steps, report.skipped) == ([], {})
    assert Notification.objects.get(kind=DUE, object_id=long_name.pk).subject == (
        "Check-in due: " + "A" * 100 + " " + "B" * 84 + "…"  # 200 characters
    )
    assert Notification.objects.get(kind=DUE, object_id=just_fits.pk).subject == (
        "Check-in due: " + "C" * 100 + " " + "D" * 77 + ", day 30"
    )
    assert Notification.objects.get(recipient=staff, kind=UNCONFIRMED).subject == (
        "Please confirm or decline: " + "J" * 172 + "…"
    )
    assert "A" * 100 + " " + "B" * 100 in Notification.objects.get(kind=DUE, object_id=long_name.pk).body
    for item in others:
        assert told(DUE, item) == [coach_of(item).pk]
    assert told(MISSED, others[1]) == coordinators
    assert not SweepProblem.objects.exists()
    assert_one_email_per_notification(sweep.delivered)


NOTIFICATIONS = Notification._meta.db_table
OUTBOX = OutboxEmail._meta.db_table


@pytest.fixture
def world(coordinators):
    """Rows for every step of a sweep at `world.now`, more than a batch each (REMINDER_SWEEP_BATCH_SIZE=4): ten
    check-ins falling due (the last two already missed), three placements nobody confirmed (two staff each) and six
    pending e-mails whose hand-over was lost."""
    day = date(2027, 1, 15)
    placement = PlacementFactory(confirmed=True, check_ins=False, start_date=day - timedelta(days=60))
    check_ins = [CheckInFactory(placement=placement, day=n + 1, due_on=day - timedelta(days=2 * n)) for n in range(10)]
    employer = UserFactory(employer=True).organisation
    UserFactory(employer=True, organisation=employer)
    unconfirmed = PlacementFactory.create_batch(3, employer=employer, proposed_at=at(day) - timedelta(days=4))
    lost = [  # about no object of the world's
        OutboxEmail.objects.create(notification=NotificationFactory(object_type="other"), created_at=timezone.now())
        for _ in range(6)
    ]

    class World:
        now = at(day)
        poisons = {  # step: (the refused row's id, its table, when the database refuses it)
            "check_ins": (
                check_ins[5].pk,
                NOTIFICATIONS,
                f"NEW.object_type = 'check_in' AND NEW.object_id = {check_ins[5].pk}",
            ),
            "unconfirmed_placements": (
                unconfirmed[1].pk,
                NOTIFICATIONS,
                f"NEW.object_type = 'placement' AND NEW.object_id = {unconfirmed[1].pk}",
            ),
            "redrive": (lost[2].pk, OUTBOX, f"NEW.id = {lost[2].pk}"),
        }

        @staticmethod
        def assert_done(but: tuple[str, int] | None = None) -> None:
            """Every reminder of every step went out once, but those of the row `but` = (step, id)."""
            left_out = {but} if but else set()
            for item in check_ins:
                missed = item.due_on < day - timedelta(days=14)
                if ("check_ins", item.pk) in left_out:
                    assert status(item) == CheckIn.Status.SCHEDULED and told(DUE, item) == []
                else:
                    assert status(item) == (CheckIn.Status.MISSED if missed else CheckIn.Status.DUE)
                    assert told(DUE, item) == [coach_of(item).pk]
                    assert told(MISSED, item) == (coordinators if missed else [])
            for item in unconfirmed:
                expected = 0 if ("unconfirmed_placements", item.pk) in left_out else 2
                assert len(told(UNCONFIRMED, item)) == expected
            for email in lost:
                email.refresh_from_db()
                assert (email.enqueued_at is None) == (("redrive", email.pk) in left_out)

    return World


@override_settings(REMINDER_SWEEP_BATCH_SIZE=4, EMAIL_REDRIVE_AFTER_SECONDS=600)
@pytest.mark.parametrize("step", ["check_ins", "unconfirmed_placements", "redrive"])
def test_a_row_the_database_refuses_is_left_out_and_every_other_reminder_goes_out(sweep, world, step, caplog):
    poison, table, when = world.poisons[step]

    with refused(table, when):
        report = sweep(world.now)
        world.assert_done(but=(step, poison))
        assert (report.failed_steps, report.skipped) == ([], {step: [poison]})
        assert f"row {poison} left out" in caplog.text
        problem = SweepProblem.objects.get()
        assert (problem.step, problem.failed, problem.skipped_rows) == (step, False, 1)

        again = sweep(world.now)  # still refused, and nothing else is done twice
        assert (again.failed_steps, again.skipped, again.notifications) == ([], {step: [poison]}, 0)
        world.assert_done(but=(step, poison))

    healed = sweep(world.now)  # the data is put right: its reminders go out, once
    assert (healed.failed_steps, healed.skipped) == ([], {})
    world.assert_done()
    assert sweep(world.now).notifications == 0
    assert_one_email_per_notification(sweep.delivered)


@override_settings(REMINDER_SWEEP_BATCH_SIZE=4, EMAIL_REDRIVE_AFTER_SECONDS=600)
def test_a_step_that_fails_as_a_whole_holds_up_neither_the_steps_before_nor_after_it(sweep, world, monkeypatch):
    monkeypatch.setattr("notifications.sweep.MAX_REFUSED_ROWS", 1)  # more refused rows than that: the step is broken

    with refused(NOTIFICATIONS, "NEW.object_type = 'placement'"):
        report = sweep(world.now)

    assert report.failed_steps == ["unconfirmed_placements"]
    assert not Notification.objects.filter(kind=UNCONFIRMED).exists()  # nothing of the broken step was kept
    counts = report.counts
    assert counts["became_due"] == 8 and counts["became_missed"] == 2 and report.redriven == 6  # the others went on
    problem = SweepProblem.objects.get()
    assert (problem.step, problem.failed) == ("unconfirmed_placements", True)

    assert sweep(world.now).failed_steps == []  # the next sweep in which it succeeds does its work
    world.assert_done()


def test_health_names_a_recent_sweep_problem_and_stays_ok(api, sweep, world, settings):
    _, table, when = world.poisons["check_ins"]
    with refused(table, when):
        sweep(world.now)

    response = api.get("/api/v1/health")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    problem = SweepProblem.objects.get()
    assert body["sweep"] == [
        {"step": "check_ins", "at": timezone.localtime(problem.at).isoformat(), "failed": False, "skippedRows": 1}
    ]
    # A problem no sweep has run into for two intervals is over.
    problem.at -= timedelta(seconds=2 * settings.REMINDER_SWEEP_INTERVAL_SECONDS + 1)
    problem.save()
    assert api.get("/api/v1/health").json()["sweep"] == []


# --- Daylight saving time ------------------------------------------------------------------------------------------

# Nights on which the clocks change in Europe/Amsterdam (the last Sundays of March and October).
DST_NIGHTS = [date(2027, 3, 28), date(2027, 10, 31), date(2026, 10, 25)]
# The same instant written with different offsets: the sweep must read each as the Amsterdam date.
OFFSETS = [UTC, dt_timezone(timedelta(hours=14)), dt_timezone(timedelta(hours=-12)), AMSTERDAM]


def sweep_moments(night: date) -> list[datetime]:
    """Every hour from two days before to two days after the night, and every 5 minutes from 22:00 to 03:00 on
    the nights around it (stepping in UTC, so the hour that repeats in October is swept twice)."""
    moments = set()

    def every(step: timedelta, start: datetime, end: datetime) -> None:
        moment = start.astimezone(UTC)
        while moment <= end:
            moments.add(moment)
            moment += step

    every(timedelta(hours=1), at(night - timedelta(days=2), 0), at(night + timedelta(days=2), 23))
    for day in (night - timedelta(days=1), night, night + timedelta(days=1)):
        every(timedelta(minutes=5), at(day - timedelta(days=1), 22), at(day, 3))
    return sorted(moments)


@pytest.mark.parametrize("night", DST_NIGHTS, ids=str)
@pytest.mark.parametrize("active_zone", [None, "Pacific/Kiritimati", "America/Adak"])
def test_each_check_in_is_reminded_once_on_its_own_day_across_daylight_saving(sweep, coordinators, night, active_zone):
    """Sweeps every hour (every 5 minutes around midnight) across a night on which the clocks change, with the
    thread's active time zone set elsewhere, and `now` given in UTC, +14:00, -12:00 and Amsterdam time in turn.
    (The database session's zone is not varied: Django pins it to UTC and the sweep sends dates, not instants.)"""
    days = [night - timedelta(days=1), night, night + timedelta(days=1)]
    falling_due = {day: check_in(day) for day in days}
    # Already due for a while: each becomes missed when its 15th day after begins, on one of the same three days.
    falling_missed = {day: check_in(day - timedelta(days=15), status=CheckIn.Status.DUE) for day in days}
    moments = sweep_moments(night)

    with timezone.override(active_zone or timezone.get_default_timezone()):
        for n, moment in enumerate(moments):
            sweep(moment.astimezone(OFFSETS[n % len(OFFSETS)]))

    def first_moment_of(day: date) -> datetime:
        return next(moment for moment in moments if moment.astimezone(AMSTERDAM).date() == day)

    for day in days:
        due = Notification.objects.get(kind=DUE, object_id=falling_due[day].pk)
        assert due.created_at == first_moment_of(day), f"{day}: reminded at {due.created_at.astimezone(AMSTERDAM)}"
        missed = Notification.objects.filter(kind=MISSED, object_id=falling_missed[day].pk)
        assert sorted(missed.values_list("recipient_id", flat=True)) == coordinators
        assert {notification.created_at for notification in missed} == {first_moment_of(day)}
        assert status(falling_due[day]) == CheckIn.Status.DUE
        assert status(falling_missed[day]) == CheckIn.Status.MISSED
    assert Notification.objects.count() == len(days) * (1 + len(coordinators))
    assert_one_email_per_notification(sweep.delivered)


def test_the_coalition_date_is_used_whatever_offset_now_is_written_in(sweep, coordinators):
    """05:00 on 15 January at +14:00 is still the 14th in Amsterdam; 23:00 UTC on the 14th is already the 15th."""
    day = date(2027, 1, 15)
    item = check_in(day)

    sweep(datetime(2027, 1, 15, 5, 0, tzinfo=dt_timezone(timedelta(hours=14))))  # 16:00 on the 14th in Amsterdam
    sweep(datetime(2027, 1, 14, 22, 59, tzinfo=UTC))  # 23:59 in Amsterdam
    assert status(item) == CheckIn.Status.SCHEDULED

    sweep(datetime(2027, 1, 14, 23, 0, tzinfo=UTC))  # midnight in Amsterdam

    assert status(item) == CheckIn.Status.DUE
    assert told(DUE, item) == [coach_of(item).pk]


# --- Three sweeps at the same moment ------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch_size", [7, 20_000])
def test_three_sweeps_at_the_same_moment_make_each_reminder_once(batch_size):
    today = date(2027, 1, 15)
    coaches = [UserFactory(coach=True) for _ in range(4)]
    for n in range(20):
        placement = PlacementFactory(
            confirmed=True,
            check_ins=False,
            start_date=today - timedelta(days=10),
            pathway__resident__coach=coaches[n % 4],
        )
        CheckIn.objects.bulk_create(
            CheckIn(placement=placement, day=day, due_on=placement.start_date + timedelta(days=day))
            for day in range(1, 11)
        )
    assert CheckIn.objects.filter(due_on__lte=today, status="scheduled").count() == 200
    moment = at(today, 8)

    def one_sweep(n: int) -> list[int]:
        delivered: list[int] = []
        reminders_sweep(now=moment, deliver=delivered.extend)
        return delivered

    with override_settings(REMINDER_SWEEP_BATCH_SIZE=batch_size):
        per_sweep = in_threads(3, one_sweep)

    assert CheckIn.objects.filter(status=CheckIn.Status.DUE).count() == 200
    assert Notification.objects.filter(kind=DUE).count() == Notification.objects.count() == 200
    assert OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).count() == 200
    delivered = [email_id for ids in per_sweep for email_id in ids]
    assert_one_email_per_notification(delivered)

    # Each sweep's e-mails are sent by "its" worker, at the same moment.
    with override_settings(EMAIL_BACKEND=LOCMEM):
        mail.outbox = []
        reports = in_threads(3, lambda n: emails_send(ids=per_sweep[n]))
        assert sum(report.sent for report in reports) == 200
        assert len(mail.outbox) == 200
        recipients = {coach.pk: coach.email for coach in coaches}
        sent = sorted((message.to[0], message.subject) for message in mail.outbox)
        expected = sorted(
            (recipients[notification.recipient_id], notification.subject) for notification in Notification.objects.all()
        )
        assert sent == expected  # each reminder once, to its recipient
        assert OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == 200

        # The same ids handed over again, twice at the same moment (a re-drive racing a late worker): nothing more.
        reports = in_threads(2, lambda n: emails_send(ids=delivered))
        assert sum(report.sent for report in reports) == 0
        assert len(mail.outbox) == 200
