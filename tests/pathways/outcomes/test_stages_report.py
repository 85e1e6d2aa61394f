"""The stages report (contract §8): residents per stage of their current pathway, per group, in one request.

resident  neighbourhood  programme   coach   stage
1         Moerwijk       Regio Deal  Anna    intake
2         Moerwijk       Regio Deal  Anna    job_search
3         Moerwijk       -           Bram    job_search (erased)
4         Overvecht      NPLV        Anna    exited (a closed pathway still counts at its stage)
5         -              -           -       placed
"""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pathways.journey.stages import Stage
from pathways.outcomes.reports import stage_report
from pathways.privacy.services import resident_erase
from tests.assertions import invalid_names
from tests.factories import NeighbourhoodFactory, ProgrammeFactory, ResidentFactory, UserFactory

URL = reverse("report-stages")

pytestmark = pytest.mark.django_db


def stages(**counts) -> dict:
    return {stage: counts.get(stage, 0) for stage in Stage.values}


class World:
    def __init__(self):
        self.moerwijk = NeighbourhoodFactory(name="Moerwijk")
        self.overvecht = NeighbourhoodFactory(name="Overvecht", city="Utrecht")
        self.regio_deal = ProgrammeFactory(name="Regio Deal Den Haag Zuidwest")
        self.nplv = ProgrammeFactory(name="NPLV Overvecht")
        self.anna = UserFactory(coach=True, first_name="Anna", last_name="de Vries")
        self.bram = UserFactory(coach=True, first_name="Bram", last_name="Jansen")
        self.resident(self.moerwijk, self.regio_deal, self.anna, Stage.INTAKE)
        self.resident(self.moerwijk, self.regio_deal, self.anna, Stage.JOB_SEARCH)
        erased = self.resident(self.moerwijk, None, self.bram, Stage.JOB_SEARCH)
        resident_erase(resident=erased, by=None)
        self.resident(self.overvecht, self.nplv, self.anna, Stage.EXITED)
        self.resident(None, None, None, Stage.PLACED)

    @staticmethod
    def resident(neighbourhood, programme, coach, stage):
        return ResidentFactory(neighbourhood=neighbourhood, programme=programme, coach=coach, pathway__stage=stage)

    def grow(self, copies: int) -> None:
        for _ in range(copies):
            self.resident(self.moerwijk, self.regio_deal, self.anna, Stage.LEARNING)


@pytest.fixture
def world() -> World:
    return World()


def test_by_neighbourhood_with_the_residents_without_one_last(world):
    assert stage_report(group_by="neighbourhood") == [
        {"group": {"id": world.moerwijk.pk, "name": "Moerwijk"}, "stages": stages(intake=1, job_search=2), "total": 3},
        {"group": {"id": world.overvecht.pk, "name": "Overvecht"}, "stages": stages(exited=1), "total": 1},
        {"group": {"id": None, "name": None}, "stages": stages(placed=1), "total": 1},
    ]


def test_by_programme(world):
    assert stage_report(group_by="programme") == [
        {"group": {"id": world.nplv.pk, "name": "NPLV Overvecht"}, "stages": stages(exited=1), "total": 1},
        {"group": {"id": world.regio_deal.pk, "name": "Regio Deal Den Haag Zuidwest"},
         "stages": stages(intake=1, job_search=1), "total": 2},
        {"group": {"id": None, "name": None}, "stages": stages(job_search=1, placed=1), "total": 2},
    ]  # fmt: skip


def test_by_coach_counts_erased_residents_like_any_other(world):
    assert stage_report(group_by="coach") == [
        {"group": {"id": world.anna.pk, "name": "Anna de Vries"}, "stages": stages(intake=1, job_search=1, exited=1),
         "total": 3},
        {"group": {"id": world.bram.pk, "name": "Bram Jansen"}, "stages": stages(job_search=1), "total": 1},
        {"group": {"id": None, "name": None}, "stages": stages(placed=1), "total": 1},
    ]  # fmt: skip


@pytest.mark.parametrize("group_by", ["neighbourhood", "programme", "coach"])
def test_the_report_is_one_query_whatever_the_number_of_residents(world, group_by, django_assert_num_queries):
    with django_assert_num_queries(1):
        before = stage_report(group_by=group_by)
    world.grow(5)
    with django_assert_num_queries(1):
        after = stage_report(group_by=group_by)
    assert sum(row["total"] for row in after) == sum(row["total"] for row in before) + 5


def test_the_api_answers_the_report_in_one_query(world, api, coordinator):
    client = api.as_user(coordinator)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"groupBy": "neighbourhood"})

    assert response.status_code == 200
    assert response.json() == {"results": stage_report(group_by="neighbourhood")}
    assert response.json()["results"][0]["stages"]["job_search"] == 2  # an enum value as a key stays snake_case
    assert sum(not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for query in captured) == 1


# Who may ask for it (coordinators) is in tests/test_role_matrix.py.


@pytest.mark.parametrize("query", [{"groupBy": "employer"}, {"groupBy": ""}, {}])
def test_a_bad_group_by_is_a_validation_problem(api, coordinator, query):
    assert invalid_names(api.as_user(coordinator).get(URL, query)) == {"groupBy"}


def test_the_report_as_csv(world, api, coordinator):
    response = api.as_user(coordinator).get(URL, {"groupBy": "neighbourhood"}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["groupId", "groupName", "intake", "learning", "job_search", "placed", "completed", "exited", "total"],
        [str(world.moerwijk.pk), "Moerwijk", "1", "0", "2", "0", "0", "0", "3"],
        [str(world.overvecht.pk), "Overvecht", "0", "0", "0", "0", "0", "1", "1"],
        ["", "", "0", "0", "0", "1", "0", "0", "1"],
    ]
