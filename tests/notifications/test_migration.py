"""The models moved from pathways to notifications without a row moving: their tables stay (issue 10)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import UserFactory

BEFORE = [("pathways", "0008_sweep_problem"), ("notifications", None)]


@pytest.mark.django_db(transaction=True)
def test_notifications_written_before_the_move_are_found_after_it():
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE[:1]).apps
        recipient = UserFactory(coach=True)
        notification = old.get_model("pathways", "Notification").objects.create(
            recipient_id=recipient.pk,
            kind="check_in_due",
            subject="Due",
            body="A check-in is due.",
            object_type="check_in",
            object_id=7,
        )
        old.get_model("pathways", "OutboxEmail").objects.create(notification=notification, created_at=timezone.now())
        old.get_model("pathways", "SweepProblem").objects.create(
            step="check_ins", at=timezone.now(), failed=True, skipped_rows=0
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)

    new = executor.loader.project_state(after).apps
    moved = new.get_model("notifications", "Notification").objects.get()
    assert (moved.pk, moved.recipient_id, moved.subject) == (notification.pk, recipient.pk, "Due")
    assert new.get_model("notifications", "OutboxEmail").objects.get().notification_id == notification.pk
    assert new.get_model("notifications", "SweepProblem").objects.get().step == "check_ins"
    assert ("pathways", "notification") not in new.all_models  # pathways no longer claims them
