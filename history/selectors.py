"""Reading the change history (PostgreSQL only: pghistory's Events view is SQL of PostgreSQL's)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from pghistory.models import Events


@dataclass(frozen=True)
class Change:
    at: datetime
    action: str  # insert, update or delete
    user: int | None  # who made it; None for the system (then role is "system") or when nobody is known
    role: str | None
    fields: dict[str, tuple]  # column → (old value, new value), as JSON values; an insert has no old values


def change_list(*, obj: models.Model) -> list[Change]:
    """Every recorded change of `obj`, oldest first. The event rows keep the row after each change; pghistory's
    Events view pairs each with the one before it, which gives the old values."""
    changes = []
    for event in Events.objects.tracks(obj).order_by("pgh_id"):
        context = event.pgh_context or {}
        if event.pgh_label == "insert":
            fields = {column: (None, value) for column, value in event.pgh_data.items()}
        elif event.pgh_label == "delete":
            fields = {column: (value, None) for column, value in event.pgh_data.items()}
        else:
            fields = {column: tuple(pair) for column, pair in (event.pgh_diff or {}).items()}
        changes.append(Change(event.pgh_created_at, event.pgh_label, context.get("user"), context.get("role"), fields))
    return changes
