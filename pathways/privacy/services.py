"""Erasure and retention: a resident anonymised on request, or by the system once the retention rule comes for
them. The locks follow pathways.locks: the resident first."""

import json
import logging
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from coalition.models import User
from history.services import history_erase
from idempotency.services import record_forget_resident
from notifications.services import notifications_rewrite

from ..journey.models import Pathway, Resident, StageChange
from ..learning.models import Enrolment
from ..locks import locked
from ..placements.models import CheckIn, Placement
from . import selectors

logger = logging.getLogger(__name__)

ERASED_FIRST_NAME, ERASED_LAST_NAME = "Erased", "resident"
ERASED_TEXT = "(erased)"


def _erased_text(field: str) -> Case:
    """A free text's replacement: an empty one stays empty, any other becomes ERASED_TEXT."""
    return Case(When(**{field: ""}, then=Value("")), default=Value(ERASED_TEXT))


@transaction.atomic
def resident_erase(*, resident: Resident, by: User | None) -> Resident:
    """Irreversibly anonymises a resident (on request, or by retention, `by` None: the system): name, contact
    details, date of birth and every free text about them, in their rows and in every copy — each recorded version
    of those rows (the change history), the reminders that named them (their e-mails are rendered from these when
    sent), the answers kept for a retried POST, the admin's log. The rows stay, so that counts and reports stay
    right. Erasing again is harmless.
    The access log holds no personal data beyond the resident's id, so it is left as it is."""
    resident = locked(resident)
    pathways = Pathway.objects.filter(resident=resident)
    placements = Placement.objects.filter(pathway__in=pathways)
    erased = [
        (
            Resident.objects.filter(pk=resident.pk),
            {
                "first_name": ERASED_FIRST_NAME,
                "last_name": ERASED_LAST_NAME,
                "email": "",
                "phone": "",
                "date_of_birth": None,
            },
        ),
        (pathways, {"exit_reason": _erased_text("exit_reason")}),
        (StageChange.objects.filter(pathway__in=pathways), {"note": _erased_text("note")}),
        (placements, {"decline_reason": _erased_text("decline_reason")}),
        (CheckIn.objects.filter(placement__in=placements), {"notes": _erased_text("notes")}),
    ]
    for rows, values in erased:
        rows.update(**values)
        history_erase(rows=rows, values=values)  # after the update, whose own recorded version is erased too
    Resident.objects.filter(pk=resident.pk, erased_at__isnull=True).update(erased_at=timezone.now())
    notifications_rewrite(resident_ids=[resident.pk])
    record_forget_resident(resident_id=resident.pk)  # answers stored for a retried POST that showed them
    _erase_admin_log([rows for rows, _values in erased] + [Enrolment.objects.filter(pathway__in=pathways)])
    logger.info("Resident %s erased by %s.", resident.pk, f"user {by.pk}" if by else "the system")
    resident.refresh_from_db()
    return resident


def _erase_admin_log(querysets: list) -> None:
    """The admin's log keeps the name each edited object had then (an enrolment's names its resident): it is
    written again from the anonymised object. Its change messages name fields, and inline objects, which go."""
    for rows in querysets:
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(rows.model),
            object_id__in=[str(pk) for pk in rows.values_list("pk", flat=True)],
        )
        for entry in entries:
            entry.object_repr = str(entry.get_edited_object())[:200]
            entry.change_message = _erased_change_message(entry.change_message)
            entry.save(update_fields=["object_repr", "change_message"])


def _erased_change_message(message: str) -> str:
    try:
        changes = json.loads(message or "[]")
    except ValueError:
        changes = None
    if not isinstance(changes, list):  # not the admin's structured message: nothing in it can be kept
        return ERASED_TEXT
    for change in changes:
        for detail in change.values() if isinstance(change, dict) else ():
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = ERASED_TEXT
    return json.dumps(changes)


def retention_apply(*, now: datetime) -> list[int]:
    """Erases, as the system, each resident the retention rule has come for (selectors.resident_retention_due),
    each in its own transaction; answers their ids."""
    erased = []
    for resident in selectors.resident_retention_due(now=now):
        with transaction.atomic():
            locked(resident)  # pathway_open locks the resident too: under the lock, the rule still holds or not
            if selectors.resident_retention_due(now=now).filter(pk=resident.pk).exists():
                resident_erase(resident=resident, by=None)
                erased.append(resident.pk)
    return erased
