"""The reminder tasks: thin wrappers that take ids and call services. What they change, the system changed
(history)."""

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from history.context import system_context

from .emails import emails_send
from .handover import SEND_EMAILS_TASK, SWEEP_TASK, enqueue_emails, request_sweep
from .sweep import reminders_sweep


@shared_task(name=SWEEP_TASK)
def sweep_reminders() -> dict:
    # A backlog of more than a batch (a million check-ins falling due at once) is shared: this sweep asks for one
    # more, which may ask for another, so that every free worker process claims batches alongside it.
    with system_context(SWEEP_TASK):
        return asdict(reminders_sweep(now=timezone.now(), deliver=enqueue_emails, on_backlog=request_sweep))


@shared_task(name=SEND_EMAILS_TASK)
def send_emails(email_ids: list[int]) -> dict:
    with system_context(SEND_EMAILS_TASK):
        return asdict(emails_send(ids=email_ids))
