"""Lists served from rows (api/rows.py) answer exactly what the serializers answer from model instances, and only
serializers whose output the plan can reproduce get one."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from api import rows, viewsets
from coalition.serializers import OrganisationSerializer
from pathways.journey.serializers import ResidentNameSerializer, ResidentSerializer
from pathways.placements.serializers import CheckInSerializer
from tests.harness.roles import LISTS
from tests.harness.routes import ROUTES
from tests.harness.world import IN, new_world

# Served from model instances, so a comparison would compare that way with itself: organisations show many-to-many
# ids, which no plan reproduces (projects too); periods, evaluations and allocations show what is derived (actual,
# progress, quadrant, remaining); the access log is no ServiceViewSet.
SERVED_FROM_MODELS = {"organisation", "access-log", "project", "indicator-period", "evaluation", "allocation"}
ROUTER_LISTS = sorted({(role, basename) for role, basename, action in (c.values for c in LISTS) if action == "list"})
PLANNED_LISTS = [(role, basename) for role, basename in ROUTER_LISTS if basename not in SERVED_FROM_MODELS]

pytestmark = pytest.mark.skipif("rows" not in settings.FAST_PATHS, reason="FAST_PATHS leaves the rows out")


def page(client, basename: str, monkeypatch) -> tuple[bytes, bool]:
    """A list's page as the API answers it, and whether it was served from rows."""
    planned = []
    monkeypatch.setattr(viewsets, "row_plan", lambda *args: planned.append(rows.row_plan(*args)) or planned[-1])
    response = client.get(reverse(ROUTES[basename, "list"].name), {"pageSize": 200})
    monkeypatch.undo()
    assert response.status_code == 200 and response.json()["results"], "nothing to compare"
    return response.content, bool(planned) and planned[-1] is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "basename"), PLANNED_LISTS)
def test_rows_and_models_give_the_same_page(role, basename, api, monkeypatch):
    world = new_world()
    client = api.as_user(world.sign_in(role))
    for _ in range(3):
        world.make(basename, IN)

    from_rows, planned = page(client, basename, monkeypatch)
    monkeypatch.setattr("api.viewsets.row_plan", lambda *args: None)
    from_models = client.get(reverse(ROUTES[basename, "list"].name), {"pageSize": 200}).content

    assert planned
    assert from_rows == from_models


@pytest.fixture
def context(coordinator, rf) -> dict:
    request = rf.get("/")
    request.user = coordinator
    return {"request": request}


def plan_of(serializer_class: type, context: dict):
    return rows.row_plan(serializer_class, lambda: serializer_class(context=context))


@pytest.mark.django_db
def test_only_serializers_of_columns_are_planned(context):
    plan = plan_of(ResidentSerializer, context)
    assert "current_pathway__stage" in plan.columns() and "coach" in plan.columns()
    # Neighbourhoods are many-to-many: organisations are served from model instances.
    assert plan_of(OrganisationSerializer, context) is None


class WithAnExtraKey(ResidentSerializer):
    def to_representation(self, instance):
        return {**super().to_representation(instance), "note": "shaped by the serializer itself"}


class FieldsOfItsOwn(ResidentSerializer):
    def get_fields(self):
        fields = super().get_fields()
        fields.pop("email")
        return fields


class ResidentShapedItself(ResidentNameSerializer):
    def to_representation(self, instance):
        return {"name": f"{instance.first_name} {instance.last_name}"}


class CheckInWithAShapedResident(CheckInSerializer):
    resident = ResidentShapedItself(source="placement.pathway.resident", read_only=True)


@pytest.mark.django_db
@pytest.mark.parametrize("serializer_class", [WithAnExtraKey, FieldsOfItsOwn, CheckInWithAShapedResident])
def test_a_serializer_that_shapes_its_output_itself_is_served_from_models(serializer_class, context):
    assert plan_of(serializer_class.__bases__[0], context) is not None
    assert plan_of(serializer_class, context) is None


class EmailForCoordinatorsOnly(ResidentSerializer):
    def adjust_fields(self, fields) -> None:
        if self.role != "coordinator":
            fields["email"].write_only = True


@pytest.mark.django_db
def test_adjusting_fields_may_not_change_what_is_shown(coordinator, coach, rf):
    request = rf.get("/")
    request.user = coordinator
    assert "email" in EmailForCoordinatorsOnly(context={"request": request}).fields  # unchanged: allowed
    request.user = coach
    with pytest.raises(ImproperlyConfigured, match="changed what is shown"):
        EmailForCoordinatorsOnly(context={"request": request}).fields  # noqa: B018 - building them is the point


@pytest.mark.django_db
def test_without_the_rows_shortcut_nothing_is_planned(context, settings):
    settings.FAST_PATHS = settings.FAST_PATHS - {"rows"}
    assert plan_of(ResidentSerializer, context) is None
