"""The Celery settings that exactly-once delivery rests on (issue 3), pinned: change one and a test says why not."""

import pytest
from django.conf import settings

from notifications.handover import SEND_EMAILS_TASK, SWEEP_TASK
from pathways.tasks import RETENTION_TASK
from workers.celery import app

pytestmark = pytest.mark.services

PINNED = {
    "task_acks_late": True,  # a message is acknowledged only once its task finished...
    "task_reject_on_worker_lost": True,  # ...and handed back when the worker dies mid-task
    "worker_prefetch_multiplier": 1,  # a worker holds no more messages than it runs
    "task_serializer": "json",
    "result_serializer": "json",
    "accept_content": ["json"],  # never pickle
}


def _werkpad_tasks() -> dict:
    app.loader.import_default_modules()  # registers the tasks, as a starting worker does
    return {name: task for name, task in app.tasks.items() if name.startswith("werkpad.")}


def test_delivery_settings_are_pinned():
    assert {key: app.conf[key] for key in PINNED} == PINNED


def test_every_task_has_time_limits_shorter_than_the_redis_visibility_timeout():
    """A message not acknowledged within the visibility timeout goes to a second worker while the first may still
    run it; the hard time limit guarantees the first has stopped by then."""
    assert set(_werkpad_tasks()) == {SWEEP_TASK, SEND_EMAILS_TASK, RETENTION_TASK}
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    for name, task in _werkpad_tasks().items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name
        assert visibility > hard, f"{name}: visibility_timeout {visibility} s is not longer than its limit {hard} s"


def test_the_scheduler_sweeps_every_interval_and_drops_a_sweep_nobody_ran_in_time(settings):
    expected = {"task": SWEEP_TASK, "schedule": 300, "options": {"expires": 300}}
    assert settings.REMINDER_SWEEP_INTERVAL_SECONDS == 300  # the default
    daily = 24 * 60 * 60
    retention = {"task": RETENTION_TASK, "schedule": daily, "options": {"expires": daily}}  # a day's run is enough
    assert app.conf.beat_schedule == {"sweep-reminders": expected, "apply-retention": retention}


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_with_celery_a_workers_runs_with_these_settings(lab):
    """The settings above are what a `celery -A workers worker` process really has, not only this process."""
    lab.start_worker()

    replies = app.control.inspect(timeout=5).conf()
    assert replies, "the worker did not answer"
    (worker_conf,) = replies.values()  # its configuration as set: the Django settings named CELERY_*
    assert {key: worker_conf[f"CELERY_{key.upper()}"] for key in PINNED} == PINNED
    hard_limit = worker_conf["CELERY_TASK_TIME_LIMIT"]
    assert hard_limit == settings.CELERY_TASK_TIME_LIMIT
    assert worker_conf["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] > hard_limit
    assert worker_conf["CELERY_BEAT_SCHEDULE"] == settings.CELERY_BEAT_SCHEDULE
