"""Handing work to the broker without ever making a caller wait on it.

Everything published here is also in PostgreSQL: a message lost because the broker was down is found again by
the next sweep. So a publish is tried once, quickly, and a failure is logged rather than raised.
"""

import logging

from django.conf import settings

from .celery import app

logger = logging.getLogger(__name__)

SWEEP_TASK = "werkpad.sweep_reminders"
SEND_EMAILS_TASK = "werkpad.send_emails"


def publish(task_name: str, *args) -> bool:
    try:
        app.send_task(task_name, args=args, retry=False)
    except Exception as exc:  # any broker trouble: the sweep re-drives from the database
        logger.warning("Could not publish %s (%s); the next sweep will pick it up.", task_name, exc)
        return False
    return True


def enqueue_emails(email_ids: list[int]) -> None:
    """Outbox e-mail ids to the workers, a few hundred per message (never one message per e-mail)."""
    size = settings.EMAIL_IDS_PER_TASK
    for start in range(0, len(email_ids), size):
        if not publish(SEND_EMAILS_TASK, email_ids[start : start + size]):
            return  # the broker is down: the rest would fail too, and the sweep re-drives them all


def request_sweep() -> None:
    """Ask for a sweep now rather than at the next scheduled one (e.g. a placement registered after the fact)."""
    publish(SWEEP_TASK)
