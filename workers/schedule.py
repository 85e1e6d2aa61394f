"""What the (single) scheduler asks the workers to do, and how often."""

from django.conf import settings

from .publish import SWEEP_TASK


def beat_schedule() -> dict:
    interval = settings.REMINDER_SWEEP_INTERVAL_SECONDS
    return {
        "sweep-reminders": {
            "task": SWEEP_TASK,
            "schedule": interval,
            # A sweep nobody ran within its interval is superseded by the next one: don't let them pile up.
            "options": {"expires": interval},
        }
    }
