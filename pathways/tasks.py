"""The pathways' scheduled task (settings.CELERY_BEAT_SCHEDULE): a thin wrapper around its service."""

from celery import shared_task
from django.utils import timezone

from history.context import system_context

from .services import retention_apply

RETENTION_TASK = "werkpad.apply_retention"


@shared_task(name=RETENTION_TASK)
def apply_retention() -> list[int]:
    with system_context(RETENTION_TASK):
        return retention_apply(now=timezone.now())
