from collections.abc import Mapping

from django.db.models import QuerySet

from .models import Notification
from .sources import sources


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user) if user.is_authenticated else Notification.objects.none()


def notified_residents(*, notifications: list[Mapping]) -> list[int]:
    """The residents that notifications (as answered: `object_type`, `object_id`) are about, as their sources say,
    in one query."""
    about = []
    for source in sources():
        if source.resident is None:
            continue
        ids = [shown["object_id"] for shown in notifications if shown["object_type"] == source.object_type]
        if ids:
            about.append(
                source.objects()
                .model.objects.filter(pk__in=ids)
                .order_by()
                .values_list(source.resident, flat=True)
                .distinct()
            )
    if not about:
        return []
    return list(about[0].union(*about[1:]))
