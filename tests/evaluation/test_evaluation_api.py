"""Indicators, periods, results and evaluations (contract §11): the review's table, `actual` and `progress`, the
period rules, and what an evaluation's decision does."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from api.problems import Conflict, InvalidTransition
from evaluation import reviews, services
from evaluation.models import Evaluation, Indicator, IndicatorPeriod
from evaluation.reviews import Status
from notifications.models import Notification, OutboxEmail
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    EnrolmentFactory,
    EvaluationFactory,
    IndicatorFactory,
    IndicatorPeriodFactory,
    ModuleFactory,
    ProjectFactory,
    ResultFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MOVE = {
    Status.SUBMITTED: lambda result, by: services.result_submit(result=result, by=by),
    Status.APPROVED: lambda result, by: services.result_approve(result=result, by=by),
    Status.RETURNED: lambda result, by: services.result_return(result=result, by=by, review_note="Per week."),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("to", [Status.SUBMITTED, Status.APPROVED, Status.RETURNED])
def test_the_review_makes_exactly_the_moves_of_its_table(current, to, coordinator):
    result = ResultFactory(status=current)
    if (current, to) in reviews.MOVES:
        assert MOVE[to](result, coordinator).status == to
    else:
        with pytest.raises(InvalidTransition):
            MOVE[to](result, coordinator)
        result.refresh_from_db()
        assert result.status == current


def test_a_returned_result_is_edited_and_submitted_again_but_an_approved_one_is_final(api, coordinator):
    partner = UserFactory(partner=True)
    result = ResultFactory(period__project=ProjectFactory(lead_organisation=partner.organisation), submitted=True)
    member, reviewer = APIClient(), api.as_user(coordinator)
    member.force_authenticate(partner)

    assert invalid_names(reviewer.post(f"/api/v1/results/{result.id}/return", {"reviewNote": " "}, format="json")) == {
        "reviewNote"
    }
    assert (
        reviewer.post(f"/api/v1/results/{result.id}/return", {"reviewNote": "Per week."}, format="json").json()[
            "status"
        ]
        == "returned"
    )
    assert member.patch(f"/api/v1/results/{result.id}", {"value": "950.00"}, format="json").status_code == 200
    assert member.post(f"/api/v1/results/{result.id}/submit").json()["status"] == "submitted"
    assert member.post(f"/api/v1/results/{result.id}/approve").status_code == 403
    assert reviewer.post(f"/api/v1/results/{result.id}/approve").json()["status"] == "approved"
    assert_problem(member.patch(f"/api/v1/results/{result.id}", {"value": "1.00"}, format="json"), 409, "conflict")


def test_results_only_for_manual_indicators_measured_within_the_period(api, coordinator):
    computed = IndicatorPeriodFactory(indicator=IndicatorFactory(source="residents_reached"))
    manual = IndicatorPeriodFactory()
    client = api.as_user(coordinator)
    today = timezone.localdate()

    body = {"value": "10.00", "measuredOn": today.isoformat()}
    assert invalid_names(client.post("/api/v1/results", {**body, "period": computed.id}, format="json")) == {"period"}
    late = {**body, "period": manual.id, "measuredOn": (manual.period_end + timedelta(days=1)).isoformat()}
    assert invalid_names(client.post("/api/v1/results", late, format="json")) == {"measuredOn"}


@pytest.mark.parametrize(("aggregation", "actual"), [("sum", "30.00"), ("last", "5.00"), ("average", "15.00")])
def test_actual_aggregates_the_approved_results_only(api, coordinator, aggregation, actual):
    period = IndicatorPeriodFactory(indicator__aggregation=aggregation, target="20.00")
    today = timezone.localdate()
    ResultFactory(period=period, value="25.00", measured_on=today - timedelta(days=2), approved=True)
    ResultFactory(period=period, value="5.00", measured_on=today, approved=True)
    ResultFactory(period=period, value="1000.00", measured_on=today, submitted=True)
    ResultFactory(period=period, value="1000.00", measured_on=today)

    shown = api.as_user(coordinator).get(f"/api/v1/indicator-periods/{period.id}").json()

    assert shown["actual"] == actual
    assert shown["progress"] == round(float(Decimal(actual) / 20), 4)


def test_progress_of_a_decrease_is_target_over_actual_and_null_without_results(api, coordinator):
    falling = IndicatorPeriodFactory(indicator__direction="decrease", target="30.00")
    ResultFactory(period=falling, value="40.00", approved=True)
    empty = IndicatorPeriodFactory()
    client = api.as_user(coordinator)

    assert client.get(f"/api/v1/indicator-periods/{falling.id}").json()["progress"] == 0.75
    assert client.get(f"/api/v1/indicator-periods/{empty.id}").json()["progress"] is None


def test_residents_reached_counts_distinct_residents_in_the_projects_modules(api, coordinator):
    project = ProjectFactory()
    period = IndicatorPeriodFactory(project=project, indicator=IndicatorFactory(source="residents_reached"))
    first, second = ModuleFactory(project=project), ModuleFactory(project=project)
    twice = EnrolmentFactory(module=first)
    EnrolmentFactory(module=second, pathway=twice.pathway)  # the same resident: counted once
    EnrolmentFactory(module=second)
    EnrolmentFactory(module=second, dropped=True)  # dropped: never counts
    EnrolmentFactory(module=ModuleFactory())  # another project's (none)
    EnrolmentFactory(module=first, enrolled_at=timezone.now() - timedelta(days=150))  # before the period

    assert api.as_user(coordinator).get(f"/api/v1/indicator-periods/{period.id}").json()["actual"] == "2.00"


def test_a_period_lasts_at_most_366_days_and_never_overlaps_another(api, coordinator):
    existing = IndicatorPeriodFactory()
    client = api.as_user(coordinator)
    start = existing.period_end + timedelta(days=1)
    body = {"project": existing.project_id, "indicator": existing.indicator_id, "periodStart": start.isoformat()}

    too_long = {**body, "periodEnd": (start + timedelta(days=366)).isoformat()}
    assert invalid_names(client.post("/api/v1/indicator-periods", too_long, format="json")) == {"periodEnd"}
    full_year = {**body, "periodEnd": (start + timedelta(days=365)).isoformat()}
    assert client.post("/api/v1/indicator-periods", full_year, format="json").status_code == 201
    overlapping = {**body, "periodStart": existing.period_end.isoformat(), "periodEnd": start.isoformat()}
    assert_problem(client.post("/api/v1/indicator-periods", overlapping, format="json"), 409, "conflict")


def test_postgresql_itself_refuses_overlapping_periods():
    if connection.vendor != "postgresql":
        pytest.skip("an exclusion constraint is PostgreSQL's")
    existing = IndicatorPeriodFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorPeriod.objects.create(
            project=existing.project,
            indicator=existing.indicator,
            period_start=existing.period_end,
            period_end=existing.period_end + timedelta(days=10),
        )


def test_a_computed_indicator_always_sums(api, coordinator):
    body = {"name": "Reached", "unit": "residents", "direction": "increase", "source": "residents_reached"}
    response = api.as_user(coordinator).post("/api/v1/indicators", {**body, "aggregation": "last"}, format="json")
    assert invalid_names(response) == {"aggregation"}
    assert not Indicator.objects.exists()


# --- Evaluations ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "effort", "quadrant", "suggested"),
    [
        ("3.1", "3.0", "quick_win", "continue"),
        ("5.0", "3.1", "major_project", "continue"),
        ("3.0", "1.0", "fill_in", "investigate"),
        ("1.0", "5.0", "thankless", "stop"),
    ],
)
def test_the_quadrant_and_the_suggested_decision(api, coordinator, impact, effort, quadrant, suggested):
    project = ProjectFactory()
    body = {"project": project.id, "round": "2026", "impact": impact, "effort": effort, "decision": suggested}

    shown = api.as_user(coordinator).post("/api/v1/evaluations", body, format="json").json()

    assert (shown["quadrant"], shown["suggestedDecision"]) == (quadrant, suggested)


def test_a_decision_against_the_suggestion_needs_a_rationale(api, coordinator):
    body = {"project": ProjectFactory().id, "round": "2026", "impact": "4.0", "effort": "2.0", "decision": "stop"}
    client = api.as_user(coordinator)

    assert invalid_names(client.post("/api/v1/evaluations", body, format="json")) == {"rationale"}
    assert client.post("/api/v1/evaluations", {**body, "rationale": "Funding ends."}, format="json").status_code == 201


def test_continue_and_investigate_set_the_next_evaluation(coordinator, time_machine):
    time_machine.move_to("2026-12-31T23:30:00+01:00")  # Amsterdam's date counts
    kept = services.evaluation_create(
        by=coordinator,
        project=ProjectFactory(),
        round="2026",
        impact=Decimal(4),
        effort=Decimal(2),
        decision="continue",
    )
    checked = services.evaluation_create(
        by=coordinator,
        project=ProjectFactory(),
        round="2026",
        impact=Decimal(2),
        effort=Decimal(2),
        decision="investigate",
    )
    assert kept.next_evaluation_due.isoformat() == "2027-12-31"
    assert checked.next_evaluation_due.isoformat() == "2027-03-31"


def test_stop_stops_the_project_and_notifies_each_member_once(coordinator, django_capture_on_commit_callbacks):
    lead_staff = UserFactory(partner=True)
    partner_staff = UserFactory(coach=True)
    project = ProjectFactory(lead_organisation=lead_staff.organisation, partners=[partner_staff.organisation])
    UserFactory(partner=True)  # not a member

    with django_capture_on_commit_callbacks():
        services.evaluation_create(
            by=coordinator, project=project, round="2026", impact=Decimal(2), effort=Decimal(4), decision="stop"
        )

    project.refresh_from_db()
    assert project.status == "stopped"
    notified = Notification.objects.filter(kind="project_stopped", object_type="project", object_id=project.id)
    assert set(notified.values_list("recipient", flat=True)) == {lead_staff.id, partner_staff.id}
    assert OutboxEmail.objects.filter(notification__in=notified).count() == 2
    with pytest.raises(Conflict) as refused:
        services.evaluation_create(
            by=coordinator, project=project, round="2027", impact=Decimal(4), effort=Decimal(2), decision="continue"
        )
    assert "stopped" in str(refused.value)


def test_an_evaluation_is_a_record_and_once_per_round(api, coordinator):
    evaluation = EvaluationFactory(round="2026")
    client = api.as_user(coordinator)
    body = {"project": evaluation.project_id, "round": "2026", "impact": "4.0", "effort": "2.0", "decision": "continue"}

    assert_problem(client.post("/api/v1/evaluations", body, format="json"), 409, "conflict")
    assert client.patch(f"/api/v1/evaluations/{evaluation.id}", {"round": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/evaluations/{evaluation.id}").status_code == 405


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_evaluating_at_once_one_201_one_409():
    project = ProjectFactory()
    body = {"project": project.id, "round": "2026", "impact": "4.0", "effort": "2.0", "decision": "continue"}
    clients = []
    for _ in range(2):
        client = APIClient()
        client.force_authenticate(UserFactory(coordinator=True))
        clients.append(client)
    barrier, statuses = threading.Barrier(2), []

    def evaluate(client):
        barrier.wait()
        statuses.append(client.post("/api/v1/evaluations", body, format="json").status_code)
        connection.close()

    threads = [threading.Thread(target=evaluate, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409]
    assert Evaluation.objects.filter(project=project).count() == 1


def test_a_member_reads_their_projects_periods_and_no_other(api):
    partner = UserFactory(partner=True)
    own = IndicatorPeriodFactory(project__lead_organisation=partner.organisation)
    IndicatorPeriodFactory()

    shown = api.as_user(partner).get("/api/v1/indicator-periods").json()["results"]

    assert [row["id"] for row in shown] == [own.id]
