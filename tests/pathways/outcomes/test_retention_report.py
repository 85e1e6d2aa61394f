"""The retention report (contract §8) against a small world whose figures were worked out by hand.

Five placements count (A, B, C, D, G; confirmed or ended), two do not (E proposed, F declined). Each check-in below is
E (eligible: due on or before today, or completed) and R (retained: completed with outcome employed), or neither:

    placement  resident: neighbourhood, programme, coach   employer  modules (dropped)   30   90   180  365
    A          Moerwijk, Regio Deal, Anna                  Eneco     M1, M2              ER   ER   E    ER (early)
    B (ended)  Moerwijk, Regio Deal, coach-two             Eneco     M1 (M3)             ER   E    E    -  (cancelled)
    C          Overvecht, -, Anna                          HTM       -                   E    E    -    -
    D          -, -, -                                     HTM       - (M2)              ER   E    -    -
    G          Overvecht, NPLV (check-ins 90, 180), Anna   Eneco     M1                  (no) ER   -    -

A: 180 completed at_risk; 365 completed long before its day; also a day-7 check-in, which no milestone counts.
B: 90 completed left_job, then the job ended: 180 cancelled and due in the past, 365 cancelled and due in the future.
C: 30 missed, 90 due, 180 scheduled and due tomorrow.  D: 90 scheduled and due today.  G: 180 due later.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalition.models import Role
from pathways.journey.stages import Stage
from pathways.models import CheckIn, Enrolment, Placement
from pathways.outcomes.reports import retention_report
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    CheckInFactory,
    EnrolmentFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    OrganisationFactory,
    PathwayFactory,
    PlacementFactory,
    ProgrammeFactory,
    ResidentFactory,
    UserFactory,
)

URL = reverse("report-retention")
MILESTONES = ("30", "90", "180", "365")

pytestmark = pytest.mark.django_db


def milestones(*figures) -> dict:
    """(eligible, retained, rate) for 30, 90, 180 and 365, in that order."""
    return {
        day: {"eligible": eligible, "retained": retained, "rate": rate}
        for day, (eligible, retained, rate) in zip(MILESTONES, figures, strict=True)
    }


NONE = (0, 0, None)


class World:
    def __init__(self):
        self.today = timezone.localdate()
        self.moerwijk = NeighbourhoodFactory(name="Moerwijk")
        self.overvecht = NeighbourhoodFactory(name="Overvecht", city="Utrecht")
        self.regio_deal = ProgrammeFactory(name="Regio Deal Den Haag Zuidwest")
        self.nplv = ProgrammeFactory(name="NPLV Overvecht", check_in_days=[90, 180])
        self.anna = UserFactory(coach=True, first_name="Anna", last_name="de Vries")
        self.coach_two = UserFactory(coach=True, username="coach-two", first_name="", last_name="")
        self.eneco = OrganisationFactory(employer=True, name="Eneco Installatie")
        self.htm = OrganisationFactory(employer=True, name="HTM")
        self.m1, self.m2, self.m3 = (ModuleFactory(title=title) for title in ("M1 Warmtepomp", "M2 Zorg", "M3 Bouw"))

        self.a = self.placement(
            self.moerwijk, self.regio_deal, self.anna, self.eneco, start=-200,
            modules={self.m1: "completed", self.m2: "enrolled"},
            check_ins={7: ("completed", "employed"), 30: ("completed", "employed"), 90: ("completed", "employed"),
                       180: ("completed", "at_risk"), 365: ("completed", "employed")},
        )  # fmt: skip
        self.b = self.placement(
            self.moerwijk, self.regio_deal, self.coach_two, self.eneco, start=-200, status=Placement.Status.ENDED,
            modules={self.m1: "enrolled", self.m3: "dropped"},
            check_ins={30: ("completed", "employed"), 90: ("completed", "left_job"), 180: ("cancelled", ""),
                       365: ("cancelled", "")},
        )  # fmt: skip
        self.c = self.placement(
            self.overvecht, None, self.anna, self.htm, start=-179,
            check_ins={30: ("missed", ""), 90: ("due", ""), 180: ("scheduled", ""), 365: ("scheduled", "")},
        )  # fmt: skip
        self.d = self.placement(
            None, None, None, self.htm, start=-90, modules={self.m2: "dropped"},
            check_ins={30: ("completed", "employed"), 90: ("scheduled", ""), 180: ("scheduled", ""),
                       365: ("scheduled", "")},
        )  # fmt: skip
        self.g = self.placement(
            self.overvecht, self.nplv, self.anna, self.eneco, start=-100, modules={self.m1: "completed"},
            check_ins={90: ("completed", "employed"), 180: ("scheduled", "")},
        )  # fmt: skip
        # Never started: they count nowhere, whatever their residents and modules.
        self.placement(
            self.overvecht,
            self.regio_deal,
            self.coach_two,
            self.eneco,
            start=-10,
            status=Placement.Status.PROPOSED,
            modules={self.m1: "enrolled"},
        )
        self.placement(
            self.moerwijk,
            self.regio_deal,
            self.anna,
            self.htm,
            start=-10,
            status=Placement.Status.DECLINED,
            modules={self.m2: "completed"},
        )

    def placement(
        self, neighbourhood, programme, coach, employer, *, start, status="confirmed", modules=None, check_ins=None
    ) -> Placement:
        resident = ResidentFactory(pathway=False, neighbourhood=neighbourhood, programme=programme, coach=coach)
        stage = Stage.PLACED if status == Placement.Status.CONFIRMED else Stage.JOB_SEARCH
        pathway = PathwayFactory(resident=resident, stage=stage)
        for module, enrolment_status in (modules or {}).items():
            trait = {} if enrolment_status == "enrolled" else {enrolment_status: True}
            EnrolmentFactory(pathway=pathway, module=module, **trait)
        placement = PlacementFactory(
            pathway=pathway,
            employer=employer,
            status=status,
            start_date=self.today + timedelta(days=start),
            confirmed_at=None if status in ("proposed", "declined") else timezone.now(),
            check_ins=False,
        )
        for day, (check_in_status, outcome) in (check_ins or {}).items():
            CheckInFactory(
                placement=placement,
                day=day,
                status=check_in_status,
                outcome=outcome,
                completed_at=timezone.now() if check_in_status == "completed" else None,
            )
        return placement

    def grow(self, copies: int) -> None:
        """More placements like A in Moerwijk, to show the report's cost does not grow with them."""
        for _ in range(copies):
            self.placement(
                self.moerwijk,
                self.regio_deal,
                self.anna,
                self.eneco,
                start=-200,
                modules={self.m1: "completed", self.m2: "enrolled"},
                check_ins={30: ("completed", "employed"), 90: ("completed", "at_risk")},
            )


@pytest.fixture
def world() -> World:
    return World()


def by_group(results: list[dict]) -> dict:
    return {row["group"]["id"]: row for row in results}


def test_the_world_is_as_the_table_says(world):
    assert world.c.check_ins.get(day=180).due_on == world.today + timedelta(days=1)
    assert world.d.check_ins.get(day=90).due_on == world.today
    assert world.a.check_ins.get(day=365).due_on > world.today
    assert dict(world.b.check_ins.values_list("day", "status"))[180] == CheckIn.Status.CANCELLED
    assert world.b.pathway.enrolments.get(module=world.m3).status == Enrolment.Status.DROPPED


def test_by_neighbourhood(world):
    results = retention_report(group_by="neighbourhood", today=world.today)

    assert results == [
        {"group": {"id": world.moerwijk.pk, "name": "Moerwijk"}, "placements": 2,
         "milestones": milestones((2, 2, 1.0), (2, 1, 0.5), (2, 0, 0.0), (1, 1, 1.0))},
        {"group": {"id": world.overvecht.pk, "name": "Overvecht"}, "placements": 2,
         "milestones": milestones((1, 0, 0.0), (2, 1, 0.5), NONE, NONE)},
        {"group": {"id": None, "name": None}, "placements": 1,
         "milestones": milestones((1, 1, 1.0), (1, 0, 0.0), NONE, NONE)},
    ]  # fmt: skip


def test_by_programme(world):
    results = by_group(retention_report(group_by="programme", today=world.today))

    assert results == {
        world.regio_deal.pk: {"group": {"id": world.regio_deal.pk, "name": "Regio Deal Den Haag Zuidwest"},
                              "placements": 2,
                              "milestones": milestones((2, 2, 1.0), (2, 1, 0.5), (2, 0, 0.0), (1, 1, 1.0))},
        world.nplv.pk: {"group": {"id": world.nplv.pk, "name": "NPLV Overvecht"}, "placements": 1,
                        "milestones": milestones(NONE, (1, 1, 1.0), NONE, NONE)},
        None: {"group": {"id": None, "name": None}, "placements": 2,
               "milestones": milestones((2, 1, 0.5), (2, 0, 0.0), NONE, NONE)},
    }  # fmt: skip


def test_by_employer(world):
    results = by_group(retention_report(group_by="employer", today=world.today))

    assert results == {
        world.eneco.pk: {"group": {"id": world.eneco.pk, "name": "Eneco Installatie"}, "placements": 3,
                         "milestones": milestones((2, 2, 1.0), (3, 2, 0.6667), (2, 0, 0.0), (1, 1, 1.0))},
        world.htm.pk: {"group": {"id": world.htm.pk, "name": "HTM"}, "placements": 2,
                       "milestones": milestones((2, 1, 0.5), (2, 0, 0.0), NONE, NONE)},
    }  # fmt: skip


def test_by_module_counts_a_placement_under_each_module_followed_but_not_dropped_ones(world):
    results = by_group(retention_report(group_by="module", today=world.today))

    assert results == {
        world.m1.pk: {"group": {"id": world.m1.pk, "name": "M1 Warmtepomp"}, "placements": 3,
                      "milestones": milestones((2, 2, 1.0), (3, 2, 0.6667), (2, 0, 0.0), (1, 1, 1.0))},
        world.m2.pk: {"group": {"id": world.m2.pk, "name": "M2 Zorg"}, "placements": 1,
                      "milestones": milestones((1, 1, 1.0), (1, 1, 1.0), (1, 0, 0.0), (1, 1, 1.0))},
        # C followed no module; D's only one was dropped. M3 (only dropped) is no group at all.
        None: {"group": {"id": None, "name": None}, "placements": 2,
               "milestones": milestones((2, 1, 0.5), (2, 0, 0.0), NONE, NONE)},
    }  # fmt: skip


def test_by_coach(world):
    results = by_group(retention_report(group_by="coach", today=world.today))

    assert results == {
        world.anna.pk: {"group": {"id": world.anna.pk, "name": "Anna de Vries"}, "placements": 3,
                        "milestones": milestones((2, 1, 0.5), (3, 2, 0.6667), (1, 0, 0.0), (1, 1, 1.0))},
        world.coach_two.pk: {"group": {"id": world.coach_two.pk, "name": "coach-two"}, "placements": 1,
                             "milestones": milestones((1, 1, 1.0), (1, 0, 0.0), (1, 0, 0.0), NONE)},
        None: {"group": {"id": None, "name": None}, "placements": 1,
               "milestones": milestones((1, 1, 1.0), (1, 0, 0.0), NONE, NONE)},
    }  # fmt: skip


def test_eligibility_follows_today(world):
    """Tomorrow C's day-180 check-in has fallen due (eligible, not retained); a year on, every check-in has."""
    tomorrow = by_group(retention_report(group_by="employer", today=world.today + timedelta(days=1)))
    assert tomorrow[world.htm.pk]["milestones"]["180"] == {"eligible": 1, "retained": 0, "rate": 0.0}

    later = by_group(retention_report(group_by="employer", today=world.today + timedelta(days=400)))
    assert later[world.eneco.pk]["milestones"]["365"] == {"eligible": 2, "retained": 1, "rate": 0.5}  # A held, B not
    assert later[world.htm.pk]["milestones"]["365"] == {"eligible": 2, "retained": 0, "rate": 0.0}


# --- Computed in the database -------------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", ["neighbourhood", "programme", "employer", "module", "coach"])
def test_the_report_is_one_query_whatever_the_number_of_placements(world, group_by, django_assert_num_queries):
    with django_assert_num_queries(1):
        before = retention_report(group_by=group_by, today=world.today)
    world.grow(5)
    with django_assert_num_queries(1):
        after = retention_report(group_by=group_by, today=world.today)
    assert sum(row["placements"] for row in after) > sum(row["placements"] for row in before)


def test_the_api_costs_the_same_queries_at_any_size(world, api, coordinator):
    client = api.as_user(coordinator)  # authenticated without a query, so all that is counted is the report

    def queries() -> int:
        """Statements of the request, leaving out the savepoint of its transaction (ATOMIC_REQUESTS)."""
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"groupBy": "module"}).status_code == 200
        return sum(not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for query in captured)

    assert queries() == 1
    world.grow(10)
    assert queries() == 1


# --- The API ---------------------------------------------------------------------------------------------------


def test_coordinators_and_superusers_get_the_report(world, api, coordinator):
    for user in (coordinator, UserFactory(superuser=True)):
        response = api.as_user(user).get(URL, {"groupBy": "employer"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert by_group(response.json()["results"]) == by_group(
            retention_report(group_by="employer", today=world.today)
        )
    assert response.json()["results"][0]["milestones"]["90"] == {"eligible": 3, "retained": 2, "rate": 0.6667}


@pytest.mark.parametrize("role", [Role.COACH, Role.EMPLOYER, Role.EDUCATOR])
def test_others_are_refused(api, role):
    client = api.as_user(UserFactory(**{role: True}))

    assert_problem(client.get(URL, {"groupBy": "employer"}), 403, "permission-denied")
    assert_problem(client.get(URL, {"groupBy": "employer"}, HTTP_ACCEPT="text/csv"), 403, "permission-denied")


def test_anonymous_callers_must_authenticate(api):
    assert api.get(URL, {"groupBy": "employer"}).status_code == 401


@pytest.mark.parametrize("query", [{"groupBy": "resident"}, {"groupBy": ""}, {}, {"group_by": "employer"}])
def test_a_bad_group_by_is_a_validation_problem(api, coordinator, query):
    assert invalid_names(api.as_user(coordinator).get(URL, query)) == {"groupBy"}
    assert invalid_names(api.as_user(coordinator).get(URL, {**query, "format": "csv"})) == {"groupBy"}


@pytest.mark.parametrize("how", ["accept", "format"])
def test_the_report_as_csv(world, api, coordinator, how):
    client = api.as_user(coordinator)
    if how == "accept":
        response = client.get(URL, {"groupBy": "neighbourhood"}, HTTP_ACCEPT="text/csv")
    else:
        response = client.get(URL, {"groupBy": "neighbourhood", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["groupId", "groupName", "placements"] + [
        f"{column}{day}" for day in MILESTONES for column in ("eligible", "retained", "rate")
    ]
    assert rows[1:] == [
        [str(world.moerwijk.pk), "Moerwijk", "2", "2", "2", "1.0", "2", "1", "0.5", "2", "0", "0.0", "1", "1", "1.0"],
        [str(world.overvecht.pk), "Overvecht", "2", "1", "0", "0.0", "2", "1", "0.5", "0", "0", "", "0", "0", ""],
        ["", "", "1", "1", "1", "1.0", "1", "0", "0.0", "0", "0", "", "0", "0", ""],
    ]


def test_the_csv_of_an_empty_report_is_its_header(api, coordinator):
    response = api.as_user(coordinator).get(URL, {"groupBy": "coach", "format": "csv"})

    assert response.status_code == 200
    assert len(response.content.decode().splitlines()) == 1
