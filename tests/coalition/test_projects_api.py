"""Projects (contract §11): what they show, what a write may contain, their derived status, and what a stopped
project means for its modules; the `partner` role's view of residents (§3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coalition.models import Project
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    ModuleFactory,
    NeighbourhoodFactory,
    OrganisationFactory,
    PathwayFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _body(**changes) -> dict:
    lead = OrganisationFactory(kind="neighbourhood_organisation", name="Allekanten")
    return {
        "name": "Lokaal werkbedrijf Allekanten",
        "description": "Residents keep the neighbourhood clean and safe.",
        "leadOrganisation": lead.id,
        "partners": [OrganisationFactory().id],
        "neighbourhoods": [NeighbourhoodFactory(name="Moerwijk").id],
        "domains": [{"domain": "work_economy", "share": 50}, {"domain": "safety", "share": 50}],
        "startsOn": "2026-01-01",
        "endsOn": None,
        "location": {"name": "Buurtcentrum Allekanten", "demolitionOn": "2027-06-30"},
        "continuity": {"fundedUntil": "2026-12-31", "plan": "", "successorFunder": None},
        "risks": [{"kind": "incidental_funding", "note": "One-off subsidy."}],
        **changes,
    }


def test_a_coordinator_creates_a_project_as_the_contract_shows_it(api, coordinator):
    body = _body()

    response = api.as_user(coordinator).post("/api/v1/projects", body, format="json")

    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown == {
        **body,
        "id": shown["id"],
        "status": "active",
        "isPearl": False,
        "domains": [{"domain": "work_economy", "share": 50}, {"domain": "safety", "share": 50}],
    }
    assert api.get(f"/api/v1/projects/{shown['id']}").json() == shown


@pytest.mark.parametrize(
    "domains",
    [
        [{"domain": "work_economy", "share": 60}, {"domain": "safety", "share": 30}],  # 90
        [{"domain": "safety", "share": 50}, {"domain": "safety", "share": 50}],  # twice
        [],
    ],
)
def test_domains_must_be_distinct_and_add_up_to_100(api, coordinator, domains):
    response = api.as_user(coordinator).post("/api/v1/projects", _body(domains=domains), format="json")

    assert invalid_names(response) == {"domains"}
    assert not Project.objects.exists()


def test_changing_part_of_the_continuity_keeps_the_rest(api, coordinator):
    funder = OrganisationFactory(kind="municipality")
    project = ProjectFactory(funded_until=timezone.localdate(), continuity_plan="Gemeente takes over.")

    response = api.as_user(coordinator).patch(
        f"/api/v1/projects/{project.id}", {"continuity": {"successorFunder": funder.id}}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["continuity"] == {
        "fundedUntil": timezone.localdate().isoformat(),
        "plan": "Gemeente takes over.",
        "successorFunder": funder.id,
    }


def test_status_is_stopped_completed_or_active(api, coordinator):
    today = timezone.localdate()
    stopped = ProjectFactory(stopped=True, ends_on=today - timedelta(days=1))
    completed = ProjectFactory(ends_on=today - timedelta(days=1))
    active = ProjectFactory(ends_on=today)
    open_ended = ProjectFactory()
    client = api.as_user(coordinator)

    statuses = {row["id"]: row["status"] for row in client.get("/api/v1/projects").json()["results"]}

    assert statuses == {stopped.id: "stopped", completed.id: "completed", active.id: "active", open_ended.id: "active"}
    for status, projects in {"stopped": [stopped], "completed": [completed], "active": [active, open_ended]}.items():
        ids = {row["id"] for row in client.get("/api/v1/projects", {"status": status}).json()["results"]}
        assert ids == {project.id for project in projects}, status


def test_filters_by_organisation_as_lead_or_partner_domain_and_neighbourhood(api, coach):
    organisation = OrganisationFactory()
    moerwijk = NeighbourhoodFactory(name="Moerwijk")
    led = ProjectFactory(lead_organisation=organisation, partners=[organisation], domains={"housing": 100})
    partnered = ProjectFactory(partners=[organisation])
    partnered.neighbourhoods.add(moerwijk)
    ProjectFactory()
    client = api.as_user(coach)

    def ids(**query) -> set[int]:
        return {row["id"] for row in client.get("/api/v1/projects", query).json()["results"]}

    assert ids(organisation=organisation.id) == {led.id, partnered.id}
    assert ids(domain="housing") == {led.id}
    assert ids(neighbourhood=moerwijk.id) == {partnered.id}


def test_a_pearl_continued_with_high_impact_and_spans_two_domains_of_20_or_more(api, coach):
    pearl = ProjectFactory(latest_evaluation_high_impact_continue=True, domains={"health": 20, "safety": 80})
    narrow = ProjectFactory(latest_evaluation_high_impact_continue=True, domains={"health": 19, "safety": 81})
    unevaluated = ProjectFactory(domains={"health": 50, "safety": 50})

    shown = {row["id"]: row["isPearl"] for row in api.as_user(coach).get("/api/v1/projects").json()["results"]}

    assert shown == {pearl.id: True, narrow.id: False, unevaluated.id: False}


def test_a_module_of_a_stopped_project_takes_no_new_enrolments(api, coordinator):
    module = ModuleFactory(project=ProjectFactory(stopped=True))
    pathway = PathwayFactory(learning=True)

    response = api.as_user(coordinator).post(
        "/api/v1/enrolments", {"pathway": pathway.id, "module": module.id}, format="json"
    )

    assert_problem(response, 409, "conflict")
    assert not module.enrolments.exists()


def test_a_module_names_its_project(api, coordinator):
    project = ProjectFactory()
    module = ModuleFactory(project=project)

    response = api.as_user(coordinator).get("/api/v1/modules", {"project": project.id})

    assert [row["id"] for row in response.json()["results"]] == [module.id]
    assert response.json()["results"][0]["project"] == project.id


@pytest.mark.parametrize("path", ["residents", "pathways", "enrolments", "placements", "check-ins"])
def test_a_partner_sees_no_list_about_residents(api, path):
    partner = UserFactory(partner=True)

    response = api.as_user(partner).get(f"/api/v1/{path}")

    assert_problem(response, 404, "not-found")
