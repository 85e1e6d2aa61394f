"""A list's FilterSet runs when the query names one of its filters, and only then (api.filtering)."""

import pytest

from pathways.journey.filters import ResidentFilter
from pathways.journey.stages import Stage
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filtersets_built(monkeypatch) -> list:
    built = []
    original = ResidentFilter.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ResidentFilter, "__init__", counting_init)
    return built


@pytest.mark.parametrize("query", ["", "?pageSize=5", "?page=1&pageSize=5", "?unknown=1"])
def test_without_a_filter_in_the_query_everything_is_listed_and_no_filterset_built(
    api, coordinator, filtersets_built, query
):
    ResidentFactory(pathway__stage=Stage.LEARNING)
    ResidentFactory(pathway__stage=Stage.JOB_SEARCH)

    response = api.as_user(coordinator).get(f"/api/v1/residents{query}")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert filtersets_built == []


def test_a_filter_in_the_query_filters(api, coordinator, filtersets_built):
    learning = ResidentFactory(pathway__stage=Stage.LEARNING)
    ResidentFactory(pathway__stage=Stage.JOB_SEARCH)

    response = api.as_user(coordinator).get("/api/v1/residents?stage=learning&pageSize=5")

    assert [resident["id"] for resident in response.json()["results"]] == [learning.pk]
    assert len(filtersets_built) == 1


@pytest.mark.parametrize("query", ["?coach=abc", "?stage=nowhere", "?ordering=email"])
def test_a_bad_filter_value_is_still_a_400(api, coordinator, query):
    response = api.as_user(coordinator).get(f"/api/v1/residents{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
