"""Lists served from rows (config/rows.py) answer exactly what the serializers answer from model instances."""

import pytest
from django.urls import reverse

from config import rows
from pathways.serializers import ResidentSerializer
from tests.test_query_counts import LISTS
from tests.test_role_matrix import IN, ROUTES, new_world

ROUTER_LISTS = sorted({(role, basename) for role, basename, action in (c.values for c in LISTS) if action == "list"})


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "basename"), ROUTER_LISTS)
def test_rows_and_models_give_the_same_page(role, basename, api, monkeypatch):
    world = new_world()
    client = api.as_user(world.sign_in(role))
    for _ in range(3):
        world.make(basename, IN)
    url = reverse(ROUTES[basename, "list"].name)

    from_rows = client.get(url, {"pageSize": 200})
    monkeypatch.setattr("config.api.row_plan", lambda *args: None)
    from_models = client.get(url, {"pageSize": 200})

    assert from_rows.status_code == from_models.status_code == 200
    assert from_rows.json()["results"], "nothing to compare"
    assert from_rows.content == from_models.content


@pytest.mark.django_db
def test_only_serializers_of_columns_are_planned(coordinator, rf):
    from coalition.serializers import OrganisationSerializer

    request = rf.get("/")
    request.user = coordinator
    context = {"request": request}
    plan = rows.row_plan(ResidentSerializer, lambda: ResidentSerializer(context=context))
    assert "current_pathway__stage" in plan.columns() and "coach" in plan.columns()
    # Neighbourhoods are many-to-many: organisations are served from model instances.
    assert rows.row_plan(OrganisationSerializer, lambda: OrganisationSerializer(context=context)) is None
