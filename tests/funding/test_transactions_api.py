"""Transactions (contract §12): booked against the allocation of their programme, project and year, each kind's
sum held between 0 and the allocation's amount, never in the future, never changed or deleted."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from api.problems import guarded
from funding.models import Allocation, Transaction
from tests.assertions import assert_problem, invalid_names
from tests.factories import AllocationFactory, ProgrammeFactory, TransactionFactory
from tests.harness.world import expenditure

pytestmark = pytest.mark.django_db


def book(client, allocation, amount: str, **fields):
    body = {**expenditure(allocation), "amount": amount, **fields}
    return client.post("/api/v1/transactions", body, format="json")


def test_an_expenditure_is_booked_against_its_allocation(api, coordinator):
    allocation = AllocationFactory(amount="450000.00")

    response = book(api.as_user(coordinator), allocation, "12480.00", description="Two work coaches, March.")

    assert response.status_code == 201, response.content
    booked = response.json()
    assert booked == {
        "id": booked["id"],
        "programme": allocation.programme_id,
        "project": allocation.project_id,
        "kind": "expenditure",
        "date": timezone.localdate().isoformat(),
        "amount": "12480.00",
        "receiver": booked["receiver"],
        "description": "Two work coaches, March.",
        "createdBy": coordinator.pk,
        "createdAt": booked["createdAt"],
    }
    assert response["Location"] == f"/api/v1/transactions/{booked['id']}"
    allocation.refresh_from_db()
    assert (allocation.spent, allocation.committed, allocation.disbursed) == (Decimal("12480.00"), 0, 0)


@pytest.mark.parametrize(("kind", "field"), [("commitment", "committed"), ("disbursement", "disbursed")])
def test_each_kind_has_its_own_sum(api, coordinator, kind, field):
    allocation = AllocationFactory(amount="1000.00")
    TransactionFactory(allocation=allocation, amount="1000.00")  # all of it spent

    response = book(api.as_user(coordinator), allocation, "1000.00", kind=kind)

    assert response.status_code == 201, response.content
    allocation.refresh_from_db()
    assert getattr(allocation, field) == Decimal("1000.00") and allocation.spent == Decimal("1000.00")


def test_no_kind_goes_beyond_the_allocation(api, coordinator):
    allocation = AllocationFactory(amount="1000.00")
    TransactionFactory(allocation=allocation, amount="900.00")

    refused = book(api.as_user(coordinator), allocation, "100.01")

    detail = assert_problem(refused, 409, "budget-exceeded")["detail"]
    assert "€1,000.00" in detail and "€100.00 is left for expenditures" in detail
    assert allocation.transactions.count() == 1
    allocation.refresh_from_db()
    assert allocation.spent == Decimal("900.00")
    assert book(api.as_user(coordinator), allocation, "100.00").status_code == 201


def test_a_correction_is_a_negative_transaction_never_below_zero(api, coordinator):
    allocation = AllocationFactory(amount="1000.00")
    TransactionFactory(allocation=allocation, amount="500.00")
    client = api.as_user(coordinator)

    corrected = book(client, allocation, "-120.00", description="Counted twice in March.")
    refused = book(client, allocation, "-380.01")

    assert corrected.status_code == 201 and corrected.json()["amount"] == "-120.00"
    assert "below zero" in assert_problem(refused, 409, "budget-exceeded")["detail"]
    allocation.refresh_from_db()
    assert allocation.spent == Decimal("380.00")


def test_without_an_allocation_in_the_year_of_its_date_nothing_is_booked(api, coordinator):
    allocation = AllocationFactory(year=timezone.localdate().year - 1)

    response = book(api.as_user(coordinator), allocation, "10.00")  # dated today: this year's has none

    assert "allocates nothing to this project" in assert_problem(response, 409, "conflict")["detail"]
    assert not Transaction.objects.exists()


def test_last_years_allocation_takes_a_transaction_dated_last_year(api, coordinator):
    last_year = timezone.localdate().year - 1
    allocation = AllocationFactory(year=last_year)

    response = book(api.as_user(coordinator), allocation, "10.00", date=f"{last_year}-12-31")

    assert response.status_code == 201, response.content
    allocation.refresh_from_db()
    assert allocation.spent == Decimal("10.00")


def test_a_date_in_the_future_is_refused(api, coordinator):
    allocation = AllocationFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)

    assert invalid_names(book(api.as_user(coordinator), allocation, "10.00", date=tomorrow.isoformat())) == {"date"}


def test_the_future_begins_at_midnight_in_amsterdam(api, coordinator, time_machine):
    time_machine.move_to(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False)  # 00:30 on 1 January there
    programme = ProgrammeFactory()
    allocation = AllocationFactory(programme=programme, year=2027)
    client = api.as_user(coordinator)

    assert book(client, allocation, "10.00", date="2027-01-01").status_code == 201
    assert invalid_names(book(client, allocation, "10.00", date="2027-01-02")) == {"date"}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_transaction_is_never_changed_or_deleted(api, coordinator, method):
    booked = TransactionFactory(amount="100.00")

    response = getattr(api.as_user(coordinator), method)(
        f"/api/v1/transactions/{booked.pk}", {"amount": "1.00"}, format="json"
    )

    assert_problem(response, 405, "method-not-allowed")
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    booked.refresh_from_db()
    assert booked.amount == Decimal("100.00")


def test_transactions_are_filtered(api, coordinator):
    today = timezone.localdate()
    allocation = AllocationFactory()
    spent = TransactionFactory(allocation=allocation, date=today - timedelta(days=1))
    committed = TransactionFactory(allocation=allocation, kind="commitment", date=today)
    elsewhere = TransactionFactory(date=today)
    client = api.as_user(coordinator)

    def shown(**query) -> set[int]:
        response = client.get("/api/v1/transactions", query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert shown(programme=allocation.programme_id) == shown(project=allocation.project_id) == {spent.pk, committed.pk}
    assert shown(kind="commitment") == {committed.pk}
    assert shown(dateBefore=(today - timedelta(days=1)).isoformat()) == {spent.pk}
    assert shown(dateAfter=today.isoformat()) == {committed.pk, elsewhere.pk}
    assert shown() == {spent.pk, committed.pk, elsewhere.pk}
    assert invalid_names(client.get("/api/v1/transactions", {"kind": "gift"})) == {"kind"}


# --- What the database itself guards (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.services
def test_the_database_refuses_to_change_or_delete_a_transaction():
    booked = TransactionFactory(amount="100.00")
    rows = Transaction.objects.filter(pk=booked.pk)
    for write in (lambda: rows.update(amount=Decimal("1.00")), rows.delete):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            write()
    assert rows.get().amount == Decimal("100.00")


@pytest.mark.services
def test_a_running_sum_beyond_its_amount_is_refused_by_the_database_as_budget_exceeded():
    """The constraints behind the service's check answer as that check would (a 409), and no other does."""
    allocation = AllocationFactory(amount="100.00")
    rows = Allocation.objects.filter(pk=allocation.pk)

    def refusal(**values) -> IntegrityError:
        with pytest.raises(IntegrityError) as refused, transaction.atomic():
            rows.update(**values)
        return refused.value

    for kind, values in {
        "spent": {"spent": F("amount") + 1},
        "committed": {"committed": -1},
        "disbursed": {"disbursed": Decimal("100.01")},
    }.items():
        code, detail = guarded(refusal(**values))
        assert (code, detail) == ("budget-exceeded", f"The allocation's {kind} sum must stay between 0 and its amount.")
    assert guarded(refusal(amount=-1)) is None  # a check no service leaves to the database: a 500, logged


def test_a_date_far_back_has_no_allocation(api, coordinator):
    allocation = AllocationFactory()

    response = book(api.as_user(coordinator), allocation, "10.00", date=date(1999, 1, 1).isoformat())

    assert_problem(response, 409, "conflict")
