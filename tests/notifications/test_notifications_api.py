"""`/api/v1/notifications` (contract §7): each user reads their own, and marks them read."""

import pytest

from notifications.models import Notification
from notifications.sources import kind_choices
from pathways.placements.reminders import CHECK_IN_DUE, CHECK_IN_MISSED
from tests.assertions import assert_problem, invalid_names
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["coordinator", "coach", "employer_user", "educator"])
def test_each_user_lists_their_own_notifications_only(api, request, role):
    user = request.getfixturevalue(role)
    older = NotificationFactory(recipient=user, subject="Older")
    newer = NotificationFactory(recipient=user, subject="Newer", kind=CHECK_IN_MISSED)
    NotificationFactory()  # someone else's

    response = api.as_user(user).get("/api/v1/notifications")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [newer.id, older.id]  # newest first
    assert response.json()["count"] == 2


def test_a_notification_in_detail(api, coach):
    notification = NotificationFactory(
        recipient=coach,
        kind=CHECK_IN_DUE,
        subject="Check-in due: Noor El Amrani (day 30)",
        body="The day 30 check-in falls due today.",
        object_type="check_in",
        object_id=42,
    )

    response = api.as_user(coach).get(f"/api/v1/notifications/{notification.id}")

    assert response.status_code == 200
    assert response.json() == {
        "id": notification.id,
        "kind": "check_in_due",
        "subject": "Check-in due: Noor El Amrani (day 30)",
        "body": "The day 30 check-in falls due today.",
        "createdAt": response.json()["createdAt"],
        "readAt": None,
        "objectType": "check_in",
        "objectId": 42,
    }
    assert response.json()["createdAt"]


def test_someone_elses_notification_is_a_404(api, coach, coordinator):
    notification = NotificationFactory(recipient=coach)

    # A coordinator sees everything else, but not other people's notifications.
    assert_problem(api.as_user(coordinator).get(f"/api/v1/notifications/{notification.id}"), 404, "not-found")
    assert_problem(api.as_user(coordinator).post(f"/api/v1/notifications/{notification.id}/read"), 404, "not-found")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_reading_sets_read_at_once(api, coach):
    notification = NotificationFactory(recipient=coach)
    client = api.as_user(coach)

    first = client.post(f"/api/v1/notifications/{notification.id}/read")

    assert first.status_code == 200
    assert first.json()["id"] == notification.id and first.json()["readAt"] is not None
    notification.refresh_from_db()
    read_at = notification.read_at
    assert read_at is not None

    again = client.post(f"/api/v1/notifications/{notification.id}/read")

    assert again.status_code == 200 and again.json()["readAt"] == first.json()["readAt"]
    notification.refresh_from_db()
    assert notification.read_at == read_at


def test_read_takes_no_body(api, coach):
    notification = NotificationFactory(recipient=coach)
    response = api.as_user(coach).post(
        f"/api/v1/notifications/{notification.id}/read", {"readAt": "2026-01-01T00:00:00+01:00"}, format="json"
    )
    assert invalid_names(response) == {"readAt"}
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "check_in_due"}, {"due_unread", "due_read"}),
        ({"kind": "check_in_missed"}, {"missed_unread"}),
        ({"kind": "placement_unconfirmed"}, set()),
        ({"isRead": "true"}, {"due_read"}),
        ({"isRead": "false"}, {"due_unread", "missed_unread"}),
        ({"kind": "check_in_due", "isRead": "false"}, {"due_unread"}),
    ],
)
def test_filters_on_kind_and_read(api, coach, params, expected):
    rows = {
        "due_unread": NotificationFactory(recipient=coach),
        "due_read": NotificationFactory(recipient=coach, read=True),
        "missed_unread": NotificationFactory(recipient=coach, kind=CHECK_IN_MISSED),
    }
    names = {row.id: name for name, row in rows.items()}

    response = api.as_user(coach).get("/api/v1/notifications", params)

    assert response.status_code == 200
    assert {names[row["id"]] for row in response.json()["results"]} == expected


@pytest.mark.parametrize("params", [{"kind": "birthday"}, {"isRead": "maybe"}])
def test_a_bad_filter_is_a_400(api, coach, params):
    assert invalid_names(api.as_user(coach).get("/api/v1/notifications", params)) == set(params)


def test_notifications_are_not_written_through_the_api(api, coach):
    notification = NotificationFactory(recipient=coach, subject="Original")
    client = api.as_user(coach)
    payload = {"kind": "check_in_due", "subject": "Forged", "body": "x", "objectType": "check_in", "objectId": 1}

    assert_problem(client.post("/api/v1/notifications", payload, format="json"), 405, "method-not-allowed")
    assert_problem(
        client.patch(f"/api/v1/notifications/{notification.id}", {"subject": "Forged"}, format="json"),
        405,
        "method-not-allowed",
    )
    assert list(Notification.objects.values_list("subject", flat=True)) == ["Original"]


def test_notifications_need_authentication(api):
    assert_problem(api.get("/api/v1/notifications"), 401, "not-authenticated")


def test_the_kind_filter_is_documented_as_the_registered_kinds(client):
    """A client (and schemathesis) sends only kinds the schema names, and the API takes every one of them."""
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/notifications"]["get"]
    kind = next(parameter for parameter in operation["parameters"] if parameter["name"] == "kind")
    assert sorted(kind["schema"]["enum"]) == sorted(kind for kind, _label in kind_choices())
