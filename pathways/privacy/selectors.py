"""Reads of the access log, and whom the retention rule anonymises."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, QuerySet

from ..journey.models import Pathway, Resident
from .models import AccessLogEntry


def access_log_list() -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.all()


def retention_cutoff(*, now: datetime) -> datetime:
    """A resident whose last pathway closed before this moment is due for anonymisation at `now`."""
    return now - timedelta(days=settings.RETENTION_DAYS)


def resident_retention_due(*, now: datetime) -> QuerySet[Resident]:
    """Residents the retention rule anonymises at `now`: not erased yet, no pathway open, and the last one closed
    more than RETENTION_DAYS before."""
    cutoff = retention_cutoff(now=now)
    open_pathway = Pathway.objects.filter(resident=OuterRef("pk"), closed_at__isnull=True)
    return (
        Resident.objects.filter(erased_at__isnull=True)
        .exclude(Exists(open_pathway))
        .annotate(last_closed_at=Max("pathways__closed_at"))
        .filter(last_closed_at__lt=cutoff)
        .order_by("pk")
    )
