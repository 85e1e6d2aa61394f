"""Exactly once under faults (contract §7, issue 3): real `celery -A workers worker` processes on a private
redis-server, killed, starved and doubled, while reminders go out. Asserted on database rows and on the e-mails
the workers' backend recorded (tests/workers/mail.py), never on logs.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from pathways.models import CheckIn, Notification, OutboxEmail
from pathways.reminders import reminders_sweep
from tests.factories import CheckInFactory, OrganisationFactory, PlacementFactory, UserFactory
from tests.workers.conftest import broker_at, free_port, wait_until
from workers.publish import enqueue_emails, request_sweep

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def sweep():
    """The scheduled sweep, run here (its deliveries go to the private broker this process points at)."""
    return reminders_sweep(now=timezone.now(), deliver=enqueue_emails)


def redrive_at_once(settings) -> None:
    """From now on a sweep here hands over again every pending e-mail, not only those older than 10 minutes."""
    settings.EMAIL_REDRIVE_AFTER_SECONDS = 0


def check_ins_due_today(count: int, *, per_placement: int = 50) -> list[CheckIn]:
    """`count` check-ins falling due today, each its own reminder to its placement's coach."""
    today = timezone.localdate()
    check_ins = []
    for first in range(0, count, per_placement):
        placement = PlacementFactory(confirmed=True, check_ins=False, start_date=today - timedelta(days=60))
        days = range(1, min(per_placement, count - first) + 1)
        check_ins += CheckIn.objects.bulk_create(CheckIn(placement=placement, day=day, due_on=today) for day in days)
    return check_ins


def assert_each_sent_once(lab, *, notifications: int) -> None:
    """Every notification was e-mailed exactly once to its recipient, nothing else was sent, and every outbox
    row says sent."""
    sent = Counter((tuple(message["to"]), message["subject"], message["body"]) for message in lab.sent())
    expected = {
        notification.id: ((notification.recipient.email,), notification.subject, notification.body)
        for notification in Notification.objects.select_related("recipient")
    }
    assert len(expected) == notifications
    assert len(set(expected.values())) == len(expected), "two notifications would have the same e-mail"
    assert Counter(sent[message] for message in expected.values()) == {1: notifications}
    assert sum(sent.values()) == notifications, "an e-mail was sent that is no notification's"
    assert Counter(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxEmail.Status.SENT: notifications}


def test_a_worker_killed_in_the_middle_of_sending_sends_each_email_once_after_the_next_sweep(lab, settings):
    check_ins_due_today(3)
    first = lab.start_worker(TEST_MAIL_DELAY_SECONDS=1.5)  # a slow mail server

    assert sweep().emails_queued == 3  # one task with three e-mails
    # The first e-mail is sent (and committed) once the second one begins; kill the worker during the second.
    wait_until(lambda: len(lab.begun()) == 2, timeout=30, what="the second e-mail to be in the middle of sending")
    first.kill()

    assert len(lab.sent()) == 1
    statuses = Counter(OutboxEmail.objects.values_list("status", "attempts"))
    assert statuses == {("sent", 1): 1, ("pending", 1): 1, ("pending", 0): 1}  # the killed send rolled back
    redrive_at_once(settings)
    assert sweep().redriven == 2  # the next sweep hands over the two e-mails still pending
    lab.start_worker()
    lab.wait_for_outbox_settled()
    assert_each_sent_once(lab, notifications=3)

    # The killed task's message still waits for its visibility timeout (an hour). When it comes back, as the
    # Redis transport will make it, all three e-mails are handed over once more, and none goes out again.
    wait_until(lambda: lab.redis.messages_waiting() == 1, timeout=30, what="only the killed task's message left")
    assert lab.redis.restore_unacknowledged() == 1
    lab.wait_for_workers_idle()
    assert_each_sent_once(lab, notifications=3)


def test_a_worker_killed_between_the_servers_acceptance_and_the_record_sends_that_one_twice_with_one_message_id(
    lab, settings
):
    """The one window §7 admits, and no wider: only the message in flight is sent again, under its Message-ID."""
    _, in_flight, _ = check_ins_due_today(3, per_placement=1)
    dies_after = in_flight.placement.pathway.resident.coach.email
    lab.start_worker(TEST_MAIL_DIE_AFTER_ACCEPTING=dies_after)

    assert sweep().emails_queued == 3
    wait_until(lambda: (lab.mail / "died").exists(), timeout=30, what="the worker to die after the acceptance")
    lab.workers[0].kill()
    redrive_at_once(settings)
    sweep()
    lab.start_worker()
    lab.wait_for_outbox_settled()

    copies = Counter((message["to"][0], message["message_id"]) for message in lab.sent())
    twice = [key for key, times in copies.items() if times == 2]
    assert [to for to, _ in twice] == [dies_after]
    assert sum(copies.values()) == 4 and len({message_id for _, message_id in copies}) == 3
    assert Counter(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxEmail.Status.SENT: 3}


def test_redis_restarted_with_deliveries_pending_delivers_all_once_within_two_sweeps(lab, settings):
    settings.EMAIL_IDS_PER_TASK = 1  # a message per e-mail, so that some are still queued when Redis goes
    check_ins_due_today(4)
    lab.start_worker(TEST_MAIL_DELAY_SECONDS=0.5)
    assert sweep().emails_queued == 4
    wait_until(lambda: lab.begun(), timeout=30, what="the first e-mail to be sending")

    lab.redis.stop()  # nothing on disk: the queued messages are gone
    check_ins_due_today(2)  # more reminders fall due while Redis is down
    started = time.monotonic()
    down = sweep()
    assert time.monotonic() - started < 2  # the sweep does not wait on the broker either
    assert down.notifications == 2  # written, though their e-mails could not be handed over

    lab.redis.start()
    redrive_at_once(settings)
    sweeps = 0
    while OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).exists():
        assert sweeps < 2, "two sweeps after the restart did not deliver everything"
        sweep()
        sweeps += 1
        lab.wait_for_workers_idle()

    assert_each_sent_once(lab, notifications=6)


@pytest.mark.parametrize("fault", ["unreachable", "hung"])
def test_the_api_answers_at_once_with_redis_unreachable_or_hung_and_the_reminders_go_out_after(lab, api, fault):
    employer = UserFactory(employer=True)
    coordinator = UserFactory(coordinator=True)
    placement = PlacementFactory(
        employer=employer.organisation,
        start_date=timezone.localdate() - timedelta(days=40),  # registered late
    )
    coach = placement.pathway.resident.coach

    # Unreachable: nothing listens where this process publishes. Hung: the private redis-server is SIGSTOPped.
    broker_down = broker_at(f"redis://127.0.0.1:{free_port()}/0") if fault == "unreachable" else lab.redis.hung()
    with broker_down:
        started = time.monotonic()
        confirmed = api.as_user(employer).post(f"/api/v1/placements/{placement.id}/confirm", {}, format="json")
        confirm_seconds = time.monotonic() - started
        day_30 = CheckIn.objects.get(placement=placement, day=30)
        started = time.monotonic()
        completed = api.as_user(coach).post(
            f"/api/v1/check-ins/{day_30.id}/complete", {"outcome": "employed", "notes": "Going well."}, format="json"
        )
        complete_seconds = time.monotonic() - started

    assert confirmed.status_code == 200, confirmed.content
    assert completed.status_code == 200, completed.content
    assert confirm_seconds < 2, f"confirming took {confirm_seconds:.2f} s"
    assert complete_seconds < 2, f"completing took {complete_seconds:.2f} s"
    assert not Notification.objects.exists()  # nothing went out during the requests

    lab.start_worker()
    request_sweep()  # the broker is back: the next sweep (here asked for at once) does what was left
    lab.wait_for_workers_idle()
    lab.wait_for_outbox_settled()

    day_7 = CheckIn.objects.get(placement=placement, day=7)
    assert day_7.status == CheckIn.Status.MISSED  # due 33 days ago: the coach is reminded, the coordinators told
    assert set(Notification.objects.values_list("recipient", "kind", "object_id")) == {
        (coach.id, "check_in_due", day_7.id),
        (coordinator.id, "check_in_missed", day_7.id),
    }
    assert_each_sent_once(lab, notifications=2)


def test_two_sweeps_at_once_from_a_second_scheduler_remind_each_once(lab):
    UserFactory.create_batch(2, coordinator=True)
    check_ins_due_today(30)
    for _ in range(5):  # first swept long after their day: the coach and both coordinators
        CheckInFactory(due_on=timezone.localdate() - timedelta(days=20))
    employer = OrganisationFactory(employer=True)
    UserFactory.create_batch(3, employer=True, organisation=employer)
    PlacementFactory.create_batch(2, employer=employer, proposed_at=timezone.now() - timedelta(days=4))
    lab.start_worker(concurrency=2, REMINDER_SWEEP_BATCH_SIZE=5, EMAIL_IDS_PER_TASK=4)

    request_sweep()  # the scheduler
    request_sweep()  # and the one started by mistake, at the same moment
    lab.wait_for_workers_idle()
    lab.wait_for_outbox_settled()

    # 30 due, 5 missed (their coaches), 5 missed for 2 coordinators, 2 placements for 3 staff of the employer.
    assert_each_sent_once(lab, notifications=30 + 5 + 5 * 2 + 2 * 3)


def test_an_email_that_crashes_its_worker_every_time_ends_failed_and_the_rest_of_its_chunk_is_sent(lab, settings):
    poisoned, *others = check_ins_due_today(3, per_placement=1)
    poison = poisoned.placement.pathway.resident.coach.email
    lab.start_worker(TEST_MAIL_POISON=poison, EMAIL_MAX_ATTEMPTS=3)

    assert sweep().emails_queued == 3  # one chunk, one task
    lab.wait_for_workers_idle()
    lab.wait_for_outbox_settled()

    failed = OutboxEmail.objects.get(notification__recipient__email=poison)
    assert failed.status == OutboxEmail.Status.FAILED
    assert failed.attempts == 3
    assert "worker lost" in failed.last_error
    assert sum(message["to"] == [poison] for message in lab.begun()) == 3  # tried three times, then given up
    sent = Counter(tuple(message["to"]) for message in lab.sent())
    assert sent == {(other.placement.pathway.resident.coach.email,): 1 for other in others}
    redrive_at_once(settings)
    assert sweep().redriven == 0  # a failed e-mail is not handed over again


def test_three_sweeps_at_the_same_moment_over_200_due_check_ins_send_200_emails(lab):
    check_ins_due_today(200)
    # Small batches and chunks, so that the sweeps interleave; and each sweep hands over again whatever e-mail
    # another one left pending when it began.
    lab.start_worker(concurrency=3, REMINDER_SWEEP_BATCH_SIZE=25, EMAIL_IDS_PER_TASK=20, EMAIL_REDRIVE_AFTER_SECONDS=0)

    for _ in range(3):
        request_sweep()
    lab.wait_for_workers_idle()
    lab.wait_for_outbox_settled()

    assert CheckIn.objects.filter(status=CheckIn.Status.DUE).count() == 200
    assert_each_sent_once(lab, notifications=200)


def test_the_same_emails_handed_to_two_workers_at_once_are_sent_once(lab):
    check_ins_due_today(6)
    lab.start_worker(concurrency=2, TEST_MAIL_DELAY_SECONDS=0.2)

    reminders_sweep(now=timezone.now(), deliver=lambda ids: [enqueue_emails(ids) for _ in range(2)])
    lab.wait_for_workers_idle()
    lab.wait_for_outbox_settled()

    assert_each_sent_once(lab, notifications=6)
    assert len({message["pid"] for message in lab.sent()}) == 2  # both pool processes sent some, side by side
