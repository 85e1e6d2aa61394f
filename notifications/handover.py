"""Handing work to the queue without importing it. settings.TASK_PUBLISHER names the function that publishes
(`workers.publish.publish`: tried once, quickly; a failure is logged, never raised), so that neither the domain nor
this app imports Celery: it is looked up when something is handed over, after a commit.

Everything handed over is also in the database: a message lost because the broker was down is found again by the
next sweep's re-drive.
"""

from django.conf import settings
from django.utils.module_loading import import_string

# The task names the workers know (notifications.tasks).
SWEEP_TASK = "werkpad.sweep_reminders"
SEND_EMAILS_TASK = "werkpad.send_emails"


def publish(task_name: str, *arguments: tuple) -> bool:
    """One message of `task_name` per tuple of arguments; False if the broker failed."""
    return import_string(settings.TASK_PUBLISHER)(task_name, *arguments)


def broker_reachable() -> bool:
    """Whether the queue answers now (settings.BROKER_CHECK names the function that asks it), for /health."""
    return import_string(settings.BROKER_CHECK)()


def enqueue_emails(email_ids: list[int]) -> None:
    """Outbox e-mail ids to the workers, a few hundred per message (never one message per e-mail)."""
    size = settings.EMAIL_IDS_PER_TASK
    publish(SEND_EMAILS_TASK, *((email_ids[start : start + size],) for start in range(0, len(email_ids), size)))


def request_sweep() -> None:
    """Ask for a sweep now rather than at the next scheduled one (e.g. a placement registered after the fact)."""
    publish(SWEEP_TASK, ())
