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
RETENTION_TASK = "werkpad.apply_retention"

# One attempt, each step bounded by a second: by default kombu waits 2 s and connects again before giving up, and
# a hung broker holds a command for the whole socket_timeout the workers need for their long polls.
FAIL_FAST = {"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 1}


def publish(task_name: str, *arguments: tuple) -> bool:
    """One message of `task_name` per tuple of arguments, over one connection; False if the broker failed."""
    try:
        with app.connection_for_write(transport_options=FAIL_FAST) as connection:
            for args in arguments:
                app.send_task(task_name, args=args, retry=False, connection=connection)
    except Exception as exc:  # any broker trouble: the sweep re-drives from the database
        logger.warning("Could not publish %s (%s); the next sweep will pick it up.", task_name, exc)
        return False
    return True


def enqueue_emails(email_ids: list[int]) -> None:
    """Outbox e-mail ids to the workers, a few hundred per message (never one message per e-mail)."""
    size = settings.EMAIL_IDS_PER_TASK
    publish(SEND_EMAILS_TASK, *((email_ids[start : start + size],) for start in range(0, len(email_ids), size)))


def request_sweep() -> None:
    """Ask for a sweep now rather than at the next scheduled one (e.g. a placement registered after the fact)."""
    publish(SWEEP_TASK, ())
