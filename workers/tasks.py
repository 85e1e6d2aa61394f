"""Celery tasks: thin wrappers that take ids and call services. What they change, the system changed (history)."""

from dataclasses import asdict

from django.utils import timezone

from history.context import system_context
from pathways.emails import emails_send
from pathways.reminders import reminders_sweep
from pathways.services import retention_apply

from .celery import app
from .publish import RETENTION_TASK, SEND_EMAILS_TASK, SWEEP_TASK, enqueue_emails, request_sweep


@app.task(name=SWEEP_TASK)
def sweep_reminders() -> dict:
    # A backlog of more than a batch (a million check-ins falling due at once) is shared: this sweep asks for one
    # more, which may ask for another, so that every free worker process claims batches alongside it.
    with system_context(SWEEP_TASK):
        return asdict(reminders_sweep(now=timezone.now(), deliver=enqueue_emails, on_backlog=request_sweep))


@app.task(name=SEND_EMAILS_TASK)
def send_emails(email_ids: list[int]) -> dict:
    with system_context(SEND_EMAILS_TASK):
        return asdict(emails_send(ids=email_ids))


@app.task(name=RETENTION_TASK)
def apply_retention() -> list[int]:
    with system_context(RETENTION_TASK):
        return retention_apply(now=timezone.now())
