"""The pathways' scheduled task (settings.CELERY_BEAT_SCHEDULE): a thin wrapper around the retention service
(pathways/privacy), here where Celery finds an app's tasks."""

from celery import shared_task
from django.utils import timezone

from history.context import system_context

from .privacy.services import retention_apply

RETENTION_TASK = "werkpad.apply_retention"


@shared_task(name=RETENTION_TASK)
def apply_retention() -> list[int]:
    with system_context(RETENTION_TASK):
        return retention_apply(now=timezone.now())
