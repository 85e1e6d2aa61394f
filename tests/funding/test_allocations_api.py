"""Allocations (contract §12): one per programme, project and year, within the programme's years, never more than
its budget in total, never lowered below what was committed, disbursed or spent."""

from decimal import Decimal

import pytest
from django.utils import timezone

from funding.models import Allocation
from tests.assertions import assert_problem, invalid_names
from tests.factories import AllocationFactory, ProgrammeFactory, ProjectFactory, TransactionFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year  # the factories' programmes run from a year ago to three years ahead


def allocate(client, programme, project, amount: str, year: int = THIS_YEAR):
    body = {"programme": programme.pk, "project": project.pk, "year": year, "amount": amount}
    return client.post("/api/v1/allocations", body, format="json")


def test_a_coordinator_allocates_and_sees_what_is_spent_and_what_remains(api, coordinator):
    programme, project = ProgrammeFactory(budget="7500000.00"), ProjectFactory()

    response = allocate(api.as_user(coordinator), programme, project, "450000.00")

    assert response.status_code == 201, response.content
    allocation = response.json()
    assert allocation == {
        "id": allocation["id"],
        "programme": programme.pk,
        "project": project.pk,
        "year": THIS_YEAR,
        "amount": "450000.00",
        "spent": "0.00",
        "remaining": "450000.00",
    }
    assert response["Location"] == f"/api/v1/allocations/{allocation['id']}"


def test_spent_is_the_sum_of_the_expenditures_alone(api, coordinator):
    allocation = AllocationFactory(amount="10000.00")
    TransactionFactory(allocation=allocation, amount="2500.00")
    TransactionFactory(allocation=allocation, amount="-300.00")
    TransactionFactory(allocation=allocation, kind="commitment", amount="9000.00")

    shown = api.as_user(coordinator).get(f"/api/v1/allocations/{allocation.pk}").json()

    assert (shown["spent"], shown["remaining"]) == ("2200.00", "7800.00")


def test_one_allocation_per_programme_project_and_year(api, coordinator):
    allocation = AllocationFactory()

    response = allocate(api.as_user(coordinator), allocation.programme, allocation.project, "1.00")

    assert_problem(response, 409, "conflict")
    assert Allocation.objects.count() == 1


def test_next_year_is_another_allocation(api, coordinator):
    allocation = AllocationFactory()

    response = allocate(api.as_user(coordinator), allocation.programme, allocation.project, "1.00", THIS_YEAR + 1)

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("years_off", [-2, 4])
def test_the_year_lies_within_the_programme(api, coordinator, years_off):
    programme = ProgrammeFactory()

    response = allocate(api.as_user(coordinator), programme, ProjectFactory(), "1.00", THIS_YEAR + years_off)

    assert invalid_names(response) == {"year"}
    assert not Allocation.objects.exists()


def test_the_allocations_never_add_up_to_more_than_the_budget(api, coordinator):
    programme = ProgrammeFactory(name="Regio Deal Den Haag Zuidwest", budget="7500000.00")
    AllocationFactory(programme=programme, amount="7190000.00")
    client = api.as_user(coordinator)

    refused = allocate(client, programme, ProjectFactory(), "450000.00")

    body = assert_problem(refused, 409, "budget-exceeded")
    assert "Regio Deal Den Haag Zuidwest" in body["detail"]
    assert "€7,500,000.00" in body["detail"] and "€310,000.00 is left" in body["detail"]
    assert programme.allocations.count() == 1
    assert allocate(client, programme, ProjectFactory(), "310000.00").status_code == 201  # exactly what is left


def test_other_programmes_budgets_do_not_count(api, coordinator):
    programme = ProgrammeFactory(budget="1000.00")
    AllocationFactory(amount="100000.00")  # another programme's

    assert allocate(api.as_user(coordinator), programme, ProjectFactory(), "1000.00").status_code == 201


def test_an_amount_changes_within_the_budget(api, coordinator):
    programme = ProgrammeFactory(budget="1000.00")
    allocation = AllocationFactory(programme=programme, amount="600.00")
    AllocationFactory(programme=programme, amount="300.00")
    client = api.as_user(coordinator)

    raised = client.patch(f"/api/v1/allocations/{allocation.pk}", {"amount": "700.00"}, format="json")
    refused = client.patch(f"/api/v1/allocations/{allocation.pk}", {"amount": "700.01"}, format="json")

    assert raised.status_code == 200 and raised.json()["amount"] == "700.00"
    assert "€700.00 is left" in assert_problem(refused, 409, "budget-exceeded")["detail"]
    allocation.refresh_from_db()
    assert allocation.amount == Decimal("700.00")


@pytest.mark.parametrize("kind", ["expenditure", "commitment", "disbursement"])
def test_an_amount_never_goes_below_what_was_booked_against_it(api, coordinator, kind):
    allocation = AllocationFactory(amount="1000.00")
    TransactionFactory(allocation=allocation, kind=kind, amount="400.00")
    client = api.as_user(coordinator)

    refused = client.patch(f"/api/v1/allocations/{allocation.pk}", {"amount": "399.99"}, format="json")
    lowered = client.patch(f"/api/v1/allocations/{allocation.pk}", {"amount": "400.00"}, format="json")

    assert f"€400.00 of this allocation is in {kind}s" in assert_problem(refused, 409, "conflict")["detail"]
    assert lowered.status_code == 200


def test_an_allocation_keeps_its_programme_project_and_year(api, coordinator):
    allocation = AllocationFactory()
    other = AllocationFactory()

    response = api.as_user(coordinator).patch(
        f"/api/v1/allocations/{allocation.pk}",
        {"programme": other.programme_id, "project": other.project_id, "year": THIS_YEAR + 1},
        format="json",
    )

    assert invalid_names(response) == {"programme", "project", "year"}


def test_allocations_are_filtered_by_programme_and_project(api, coordinator):
    first, second = AllocationFactory(), AllocationFactory()
    client = api.as_user(coordinator)

    by_programme = client.get("/api/v1/allocations", {"programme": first.programme_id}).json()["results"]
    by_project = client.get("/api/v1/allocations", {"project": second.project_id}).json()["results"]

    assert [row["id"] for row in by_programme] == [first.pk]
    assert [row["id"] for row in by_project] == [second.pk]


# --- The programme's side: what is allocated holds its budget and its years -------------------------------------


def test_a_budget_cannot_go_below_what_is_allocated(api, coordinator):
    programme = ProgrammeFactory(budget="1000.00")
    AllocationFactory(programme=programme, amount="800.00")
    client = api.as_user(coordinator)

    refused = client.patch(f"/api/v1/programmes/{programme.pk}", {"budget": "799.99"}, format="json")
    lowered = client.patch(f"/api/v1/programmes/{programme.pk}", {"budget": "800.00"}, format="json")

    assert "800.00 is allocated" in assert_problem(refused, 409, "budget-exceeded")["detail"]
    assert lowered.status_code == 200


def test_a_programmes_dates_keep_the_years_it_allocated_in(api, coordinator):
    programme = ProgrammeFactory()
    AllocationFactory(programme=programme, year=THIS_YEAR + 1)

    response = api.as_user(coordinator).patch(
        f"/api/v1/programmes/{programme.pk}", {"endsOn": f"{THIS_YEAR}-12-31"}, format="json"
    )

    assert_problem(response, 409, "conflict")
    programme.refresh_from_db()
    assert programme.ends_on.year > THIS_YEAR
