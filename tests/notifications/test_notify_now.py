"""notifications_create: notify these users about this object, exactly once, now, with an outbox e-mail handed over
after the commit of the caller's transaction (e.g. a decision's)."""

import pytest
from django.db import transaction

from notifications.models import Notification, OutboxEmail
from notifications.services import notifications_create
from pathways.placements.reminders import PLACEMENT_UNCONFIRMED
from tests.factories import PlacementFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_user_is_notified_once_with_the_kinds_texts_and_the_emails_go_after_commit():
    placement = PlacementFactory(job_title="Welder")
    told, inactive = UserFactory(coach=True), UserFactory(coach=True, is_active=False)
    handed_over = []

    with transaction.atomic():
        created = notifications_create(
            kind=PLACEMENT_UNCONFIRMED,
            object_id=placement.pk,
            recipient_ids=[told.pk, inactive.pk],
            deliver=handed_over.append,
        )
        assert handed_over == []  # not before the decision's commit
    again = notifications_create(
        kind=PLACEMENT_UNCONFIRMED, object_id=placement.pk, recipient_ids=[told.pk], deliver=handed_over.append
    )

    notification = Notification.objects.get()
    assert (created, again) == ([notification.pk], [])
    assert (notification.recipient, notification.object_type, notification.object_id) == (
        told,
        "placement",
        placement.pk,
    )
    assert notification.subject == f"Please confirm or decline: Welder for {placement.pathway.resident}"
    assert handed_over == [[OutboxEmail.objects.get(notification=notification).pk]]


def test_a_kind_no_source_registered_is_refused():
    with pytest.raises(LookupError):
        notifications_create(kind="unknown", object_id=1, recipient_ids=[])


def test_nobody_to_notify_writes_nothing():
    placement = PlacementFactory()

    assert notifications_create(kind=PLACEMENT_UNCONFIRMED, object_id=placement.pk, recipient_ids=[]) == []
    assert not Notification.objects.exists()
