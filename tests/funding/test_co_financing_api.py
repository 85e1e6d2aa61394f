"""Co-financing (contract §12) and who may see any of the money: coordinators only; to every other role each path
of §12 does not exist, whatever the method."""

from decimal import Decimal

import pytest
from django.utils import timezone

from funding.models import CoFinancing
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    AllocationFactory,
    CoFinancingFactory,
    OrganisationFactory,
    ProjectFactory,
    TransactionFactory,
    UserFactory,
)
from tests.harness.http import send, without_instance

pytestmark = pytest.mark.django_db


def test_a_coordinator_records_changes_and_deletes_co_financing(api, coordinator):
    project, staedion = ProjectFactory(), OrganisationFactory(name="Staedion", kind="housing_corporation")
    client = api.as_user(coordinator)
    body = {
        "project": project.pk,
        "organisation": staedion.pk,
        "year": timezone.localdate().year,
        "amount": "85000.00",
        "form": "in_kind",
        "sector": "private",
    }

    created = client.post("/api/v1/co-financing", body, format="json")
    path = created["Location"]
    changed = client.patch(path, {"amount": "92500.00", "form": "cash"}, format="json")
    deleted = client.delete(path)

    assert created.status_code == 201 and created.json() == {"id": created.json()["id"], **body}
    assert changed.status_code == 200 and (changed.json()["amount"], changed.json()["form"]) == ("92500.00", "cash")
    assert deleted.status_code == 204 and not CoFinancing.objects.exists()
    assert_problem(client.get(path), 404, "not-found")


@pytest.mark.parametrize(
    ("field", "value"), [("amount", "-1.00"), ("form", "loan"), ("sector", "mixed"), ("year", 1999)]
)
def test_co_financing_refuses_impossible_values(api, coordinator, field, value):
    co_financing = CoFinancingFactory()

    response = api.as_user(coordinator).patch(f"/api/v1/co-financing/{co_financing.pk}", {field: value}, format="json")

    assert invalid_names(response) == {field}
    co_financing.refresh_from_db()
    assert co_financing.amount == Decimal("25000.00")


def test_co_financing_is_filtered_by_project_and_organisation(api, coordinator):
    first, second = CoFinancingFactory(), CoFinancingFactory()
    client = api.as_user(coordinator)

    by_project = client.get("/api/v1/co-financing", {"project": first.project_id}).json()["results"]
    by_organisation = client.get("/api/v1/co-financing", {"organisation": second.organisation_id}).json()["results"]

    assert [row["id"] for row in by_project] == [first.pk]
    assert [row["id"] for row in by_organisation] == [second.pk]


# --- Nobody but coordinators ------------------------------------------------------------------------------------

OTHER_ROLES = ["coach", "employer", "educator", "partner"]
METHODS = ["get", "post", "put", "patch", "delete", "options"]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_to_every_other_role_no_path_of_the_money_exists(api, role):
    """Every path and method answers exactly as a path that does not exist (no 403 or 405 that would tell)."""
    objects = {
        "allocations": AllocationFactory(),
        "transactions": TransactionFactory(),
        "co-financing": CoFinancingFactory(),
    }
    client = api.as_user(UserFactory(**{role: True}))
    missing = without_instance(assert_problem(client.get("/api/v1/no-such-path"), 404, "not-found"))

    for resource, obj in objects.items():
        for path in (f"/api/v1/{resource}", f"/api/v1/{resource}/{obj.pk}"):
            for method in METHODS:
                response = send(client, method, path, {"amount": "1.00"} if method != "get" else None)
                assert without_instance(assert_problem(response, 404, "not-found")) == missing, (method, path)
