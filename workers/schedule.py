"""What the (single) scheduler asks the workers to do, and how often."""

from django.conf import settings

from .publish import RETENTION_TASK, SWEEP_TASK

DAY = 24 * 60 * 60


def beat_schedule() -> dict:
    interval = settings.REMINDER_SWEEP_INTERVAL_SECONDS
    return {
        "sweep-reminders": {
            "task": SWEEP_TASK,
            "schedule": interval,
            # A sweep nobody ran within its interval is superseded by the next one: don't let them pile up.
            "options": {"expires": interval},
        },
        # Residents the retention rule (settings.RETENTION_DAYS) has come for are anonymised once a day.
        "apply-retention": {"task": RETENTION_TASK, "schedule": DAY, "options": {"expires": DAY}},
    }
