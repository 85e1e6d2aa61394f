"""The change history of the money (contract §12): allocations and co-financing are tracked with who changed them;
an allocation's running sums are not (its transactions are their own record, and never change)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from funding.models import Allocation, CoFinancing
from history.selectors import change_list
from tests.factories import AllocationFactory, CoFinancingFactory, ProgrammeFactory, ProjectFactory, UserFactory
from tests.harness.world import expenditure

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_a_changed_allocation_records_the_coordinator_and_the_old_and_new_amount(api, coordinator):
    allocation = AllocationFactory(amount="450000.00")

    response = api.as_user(coordinator).patch(
        f"/api/v1/allocations/{allocation.pk}", {"amount": "520000.00"}, format="json"
    )

    assert response.status_code == 200, response.content
    change = change_list(obj=allocation)[-1]
    assert (change.action, change.user, change.role) == ("update", coordinator.pk, "coordinator")
    assert change.fields == {"amount": (450000, 520000)}  # as JSON numbers, as the history keeps every value


def test_an_allocation_made_through_the_api_is_recorded(api, coordinator):
    body = {"programme": ProgrammeFactory().pk, "project": ProjectFactory().pk, "year": timezone.localdate().year}

    response = api.as_user(coordinator).post("/api/v1/allocations", {**body, "amount": "1000.00"}, format="json")

    assert response.status_code == 201, response.content
    [change] = change_list(obj=Allocation.objects.get(pk=response.json()["id"]))
    assert (change.action, change.user, change.fields["amount"]) == ("insert", coordinator.pk, (None, 1000))


def test_a_transaction_adds_no_change_to_its_allocations_history(api, coordinator):
    allocation = AllocationFactory()
    recorded = len(change_list(obj=allocation))

    response = api.as_user(coordinator).post("/api/v1/transactions", expenditure(allocation), format="json")

    assert response.status_code == 201, response.content
    assert len(change_list(obj=allocation)) == recorded
    assert not Allocation.pgh_event_model._meta.fields_map.keys() & {"committed", "disbursed", "spent"}


def test_co_financing_changed_and_deleted_is_recorded(api, coordinator):
    co_financing = CoFinancingFactory(amount="85000.00")
    client = api.as_user(coordinator)

    client.patch(f"/api/v1/co-financing/{co_financing.pk}", {"amount": "92500.00"}, format="json")
    client.delete(f"/api/v1/co-financing/{co_financing.pk}")

    _insert, update, delete = change_list(obj=co_financing)
    assert (update.user, update.fields) == (coordinator.pk, {"amount": (85000, 92500)})
    assert (delete.action, delete.user) == ("delete", coordinator.pk)
    assert not CoFinancing.objects.filter(pk=co_financing.pk).exists()


def test_the_back_office_shows_the_moneys_history(client):
    client.force_login(UserFactory(superuser=True))
    AllocationFactory()
    CoFinancingFactory()
    for model in (Allocation, CoFinancing):
        changelist = client.get(reverse(f"admin:history_{model.pgh_event_model._meta.model_name}_changelist"))
        assert changelist.status_code == 200 and changelist.context["cl"].result_count == 1
