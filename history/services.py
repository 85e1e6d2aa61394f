"""Rewriting the change history. Only erasure does: it names the append-only trigger it passes."""

import pgtrigger
from django.db import models

from .tracking import APPEND_ONLY_TRIGGER


def history_erase(*, rows: models.QuerySet, values: dict) -> int:
    """Sets `values` (field → value or expression) in every recorded version of `rows`; answers how many."""
    event_model = rows.model.pgh_event_model
    with pgtrigger.ignore(f"{event_model._meta.label}:{APPEND_ONLY_TRIGGER}"):
        return event_model.objects.filter(pgh_obj__in=rows.values("pk")).update(**values)
