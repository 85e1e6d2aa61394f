"""The evaluation's reminders (contract §11), swept with the pathways' by the same machinery: evaluation_due,
result_due and continuity_risk, each exactly once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError

from coalition.models import User
from evaluation.models import Indicator
from evaluation.reminders import CONTINUITY_RISK, EVALUATION_DUE, RESULT_DUE
from notifications.models import Notification
from notifications.sweep import reminders_sweep
from pathways.placements.reminders import CHECK_IN_DUE
from tests.factories import (
    CheckInFactory,
    EvaluationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    OrganisationFactory,
    ProjectFactory,
    ResultFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2027, 6, 1)
NOW = datetime.combine(TODAY, time(9), tzinfo=ZoneInfo("Europe/Amsterdam"))


def told(kind: str, object_type: str, obj) -> list[int]:
    notified = Notification.objects.filter(kind=kind, object_type=object_type, object_id=obj.pk)
    return sorted(notified.values_list("recipient_id", flat=True))


def sweep(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return reminders_sweep(now=NOW, deliver=lambda ids: None)


@pytest.fixture
def coordinators(db) -> list[int]:
    UserFactory(coordinator=True, is_active=False)
    UserFactory(coach=True)
    return sorted(user.pk for user in (UserFactory(coordinator=True), UserFactory(superuser=True)))


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_each_reminder_is_written_once_to_its_recipients(django_capture_on_commit_callbacks, coordinators):
    decider = User.objects.get(pk=coordinators[0])
    # Evaluations: only a project's latest one counts, of an active project, from its due date on.
    project = ProjectFactory()
    superseded = EvaluationFactory(
        decided_by=decider,
        project=project,
        decided_at=NOW - timedelta(days=400),
        next_evaluation_due=days(-310),
    )
    latest = EvaluationFactory(
        decided_by=decider, project=project, decided_at=NOW - timedelta(days=90), next_evaluation_due=TODAY
    )
    tomorrow = EvaluationFactory(decided_by=decider, decided_at=NOW - timedelta(days=90), next_evaluation_due=days(1))
    of_stopped = EvaluationFactory(
        decided_by=decider, project=ProjectFactory(stopped=True), next_evaluation_due=days(-5)
    )
    # Results: a manual indicator's period ended 14 days ago or more, nothing submitted or approved.
    lead = OrganisationFactory()
    members = sorted(UserFactory(partner=True, organisation=lead).pk for _ in range(2))
    UserFactory(partner=True, organisation=lead, is_active=False)
    partner = UserFactory(partner=True).organisation
    periods = {
        name: IndicatorPeriodFactory(
            project=ProjectFactory(lead_organisation=lead, partners=[partner]),
            period_start=days(-14 - length),
            period_end=days(-ended),
            **extra,
        )
        for name, ended, length, extra in [
            ("overdue", 14, 300, {}),
            ("not_yet", 13, 300, {}),
            ("reported", 100, 200, {}),
            ("computed", 100, 200, {"indicator": IndicatorFactory(source=Indicator.Source.RESIDENTS_REACHED)}),
        ]
    }
    ResultFactory(period=periods["overdue"], measured_on=days(-20), returned=True)
    ResultFactory(period=periods["overdue"], measured_on=days(-20))  # a draft
    ResultFactory(period=periods["reported"], measured_on=days(-110), submitted=True)
    # Continuity: funding ends within 180 days unsecured, or the location goes within 365 days.
    at_risk = [
        ProjectFactory(funded_until=days(180), continuity_plan="", successor_funder=lead),
        ProjectFactory(funded_until=days(-1), continuity_plan="Municipality takes over."),  # no successor
        ProjectFactory(location_name="De Henneburg", location_demolition_on=days(365)),
    ]
    safe = [
        ProjectFactory(funded_until=days(181)),
        ProjectFactory(funded_until=days(30), continuity_plan="Agreed.", successor_funder=lead),
        ProjectFactory(location_name="De Boog", location_demolition_on=days(366)),
        ProjectFactory(funded_until=days(30), stopped=True),
    ]

    report = sweep(django_capture_on_commit_callbacks)

    assert told(EVALUATION_DUE, "evaluation", latest) == coordinators
    for other in (superseded, tomorrow, of_stopped):
        assert told(EVALUATION_DUE, "evaluation", other) == []
    assert told(RESULT_DUE, "indicator_period", periods["overdue"]) == members
    for name in ("not_yet", "reported", "computed"):
        assert told(RESULT_DUE, "indicator_period", periods[name]) == []
    for project in at_risk:
        assert told(CONTINUITY_RISK, "project", project) == coordinators
    for project in safe:
        assert told(CONTINUITY_RISK, "project", project) == []
    notification = Notification.objects.get(kind=RESULT_DUE, recipient=members[0])
    assert notification.subject == f"Results due: {periods['overdue'].indicator.name} of {periods['overdue'].project}"
    assert report.notifications == Notification.objects.count() == 2 + 2 + 3 * 2

    again = sweep(django_capture_on_commit_callbacks)
    assert (again.notifications, again.failed_steps) == (0, [])


def test_a_failing_evaluation_source_holds_up_no_pathways_reminder(
    django_capture_on_commit_callbacks, coordinators, monkeypatch
):
    EvaluationFactory(next_evaluation_due=TODAY)
    check_in = CheckInFactory(due_on=TODAY)

    def broken(now, among):
        raise DatabaseError("the evaluation's tables are away")

    monkeypatch.setattr("evaluation.reminders._evaluations_due", broken)
    report = sweep(django_capture_on_commit_callbacks)

    assert report.failed_steps == ["due_evaluations"]
    assert not Notification.objects.filter(kind=EVALUATION_DUE).exists()
    assert told(CHECK_IN_DUE, "check_in", check_in) == [check_in.placement.pathway.resident.coach_id]
