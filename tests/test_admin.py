"""The back office: every admin page renders with data, searches, costs the same queries at 1 and 5 rows, and
cannot be used to skip the rules the API's services keep."""

import itertools
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalition.models import Neighbourhood, Organisation, Programme, Project, ProjectDomain, Role, User
from evaluation.models import Evaluation, Indicator, IndicatorPeriod, Result
from funding.models import Allocation, CoFinancing, Transaction
from notifications.models import Notification, OutboxEmail, SweepProblem
from notifications.sweep import sweep_steps
from pathways.journey.stages import Stage
from pathways.models import AccessLogEntry, CheckIn, Enrolment, Module, Pathway, Placement, Resident, StageChange
from tests import factories
from tests.harness.admin import form_data

pytestmark = pytest.mark.django_db

_SWEEP_STEPS = itertools.cycle(sweep_steps())
FACTORIES = {
    Neighbourhood: factories.NeighbourhoodFactory,
    Organisation: factories.OrganisationFactory,
    Programme: factories.ProgrammeFactory,
    User: factories.UserFactory,
    Resident: factories.ResidentFactory,
    Pathway: factories.PathwayFactory,
    StageChange: factories.StageChangeFactory,
    Module: factories.ModuleFactory,
    Enrolment: factories.EnrolmentFactory,
    Placement: lambda: factories.PlacementFactory(confirmed=True),
    CheckIn: factories.CheckInFactory,
    Notification: factories.NotificationFactory,
    OutboxEmail: lambda: OutboxEmail.objects.create(
        notification=factories.NotificationFactory(), created_at=timezone.now()
    ),
    AccessLogEntry: factories.AccessLogEntryFactory,
    SweepProblem: lambda: SweepProblem.objects.update_or_create(  # one row per step: they take turns
        step=next(_SWEEP_STEPS), defaults={"at": timezone.now(), "failed": False, "skipped_rows": 1}
    )[0],
    Project: factories.ProjectFactory,
    ProjectDomain: lambda: factories.ProjectFactory().domains.first(),
    Indicator: factories.IndicatorFactory,
    IndicatorPeriod: factories.IndicatorPeriodFactory,
    Result: factories.ResultFactory,
    Evaluation: factories.EvaluationFactory,
    Allocation: factories.AllocationFactory,
    Transaction: factories.TransactionFactory,
    CoFinancing: factories.CoFinancingFactory,
}
MODELS = [pytest.param(model, id=model.__name__) for model in FACTORIES]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(client):
    user = factories.UserFactory(superuser=True)
    client.force_login(user)
    return user


def test_every_model_of_the_apps_has_an_admin_and_is_tested_here():
    apps_ = ("coalition", "pathways", "notifications", "evaluation", "funding")
    models = {model for app in apps_ for model in apps.get_app_config(app).get_models()}
    assert models <= set(admin.site._registry)
    assert models == set(FACTORIES)


@pytest.mark.parametrize("model", MODELS)
def test_the_changelist_and_the_change_page_render(client, superuser, model):
    row = FACTORIES[model]()
    listed = client.get(_url(model, "changelist"))
    assert listed.status_code == 200
    assert row in listed.context["cl"].result_list
    changed = client.get(_url(model, "change", row.pk))
    assert changed.status_code == 200
    can_add = admin.site._registry[model].has_add_permission(changed.wsgi_request)
    assert client.get(_url(model, "add")).status_code == (200 if can_add else 403)


@pytest.mark.parametrize("model", MODELS)
def test_the_changelist_searches(client, superuser, model):
    row = FACTORIES[model]()
    term = row
    for part in admin.site._registry[model].search_fields[0].split("__"):
        term = getattr(term, part)
    found = client.get(_url(model, "changelist"), {"q": str(term)}).context["cl"]
    assert row in found.result_list
    assert client.get(_url(model, "changelist"), {"q": "Zzyzx-nowhere"}).context["cl"].result_count == 0


def test_residents_are_found_by_full_name_wherever_they_appear(client, superuser):
    placement = factories.PlacementFactory(confirmed=True, pathway__resident__first_name="Fatima")
    placement.pathway.resident.last_name = "El Amrani"
    placement.pathway.resident.save()
    factories.PlacementFactory(confirmed=True, pathway__resident__first_name="Fatima")
    for model in (Resident, Pathway, Placement, CheckIn, StageChange):
        found = client.get(_url(model, "changelist"), {"q": "fatima el amrani"}).context["cl"]
        assert found.result_count == (5 if model is CheckIn else 1), model


@pytest.mark.parametrize("model", MODELS)
def test_changelist_queries_do_not_grow_with_the_rows(client, superuser, model):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(model, "changelist")).status_code == 200
        return len(captured)

    FACTORIES[model]()
    one = queries()
    for _ in range(4):
        FACTORIES[model]()
    assert queries() == one


EDITABLE = (Neighbourhood, Organisation, Programme, User, Resident, Module, Placement, CheckIn, CoFinancing)


@pytest.mark.parametrize("model", [pytest.param(model, id=model.__name__) for model in EDITABLE])
def test_an_unchanged_change_page_saves(client, superuser, model):
    row = FACTORIES[model]()
    page = client.get(_url(model, "change", row.pk))
    response = client.post(_url(model, "change", row.pk), form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors


# --- The rules of the services hold in the admin ---------------------------------------------------------------


def test_stages_and_statuses_are_read_only(client, superuser):
    placement = factories.PlacementFactory()
    data = form_data(client.get(_url(Placement, "change", placement.pk)))
    assert "status" not in data
    client.post(_url(Placement, "change", placement.pk), {**data, "job_title": "Hulpkok", "status": "confirmed"})
    placement.refresh_from_db()
    assert (placement.job_title, placement.status) == ("Hulpkok", Placement.Status.PROPOSED)

    pathway = placement.pathway
    assert client.post(_url(Pathway, "change", pathway.pk), {"stage": Stage.PLACED}).status_code == 403
    pathway.refresh_from_db()
    assert pathway.stage == Stage.JOB_SEARCH


@pytest.mark.parametrize(
    "model", [Resident, Pathway, StageChange, Enrolment, Placement, CheckIn, Notification, OutboxEmail]
)
def test_the_pathway_records_are_not_deleted_here(client, superuser, model):
    row = FACTORIES[model]()
    assert client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", [Allocation, Transaction])
def test_allocations_and_transactions_are_neither_changed_nor_deleted_here(client, superuser, model):
    """The API's services keep budgets and running sums under their locks; transactions are never changed."""
    row = FACTORIES[model]()
    before = model.objects.filter(pk=row.pk).values().get()
    assert client.post(_url(model, "change", row.pk), {"amount": "1.00"}).status_code == 403
    assert client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert client.get(_url(model, "add")).status_code == 403
    assert model.objects.filter(pk=row.pk).values().get() == before


def test_a_programmes_budget_stays_above_what_it_allocated(client, superuser):
    allocation = factories.AllocationFactory(amount="800.00")
    url = _url(Programme, "change", allocation.programme_id)
    data = form_data(client.get(url))
    assert client.post(url, {**data, "budget": "799.99"}).context["adminform"].form.errors
    assert client.post(url, {**data, "budget": "800.00"}).status_code == 302
    allocation.programme.refresh_from_db()
    assert str(allocation.programme.budget) == "800.00"


def test_a_resident_added_here_gets_a_pathway_at_intake(client, superuser):
    coach = factories.UserFactory(coach=True)
    data = form_data(client.get(_url(Resident, "add")))
    consent = timezone.localtime() - timedelta(days=1)
    data.update(
        first_name="Yusuf",
        last_name="Kaya",
        coach=coach.pk,
        consent_given_at_0=consent.date().isoformat(),
        consent_given_at_1="10:00:00",
    )
    assert client.post(_url(Resident, "add"), data).status_code == 302
    resident = Resident.objects.get(last_name="Kaya")
    assert resident.current_pathway.stage == Stage.INTAKE
    assert list(resident.current_pathway.history.values_list("to_stage", "by")) == [(Stage.INTAKE, superuser.pk)]


def test_a_residents_coach_is_a_coach(client, superuser):
    resident = factories.ResidentFactory()
    data = form_data(client.get(_url(Resident, "change", resident.pk)))
    employer_user = factories.UserFactory(employer=True)
    response = client.post(_url(Resident, "change", resident.pk), {**data, "coach": employer_user.pk})
    assert response.status_code == 200 and "coach" in response.context["adminform"].form.errors
    resident.refresh_from_db()
    assert resident.coach.role == Role.COACH


def test_a_future_consent_is_refused(client, superuser):
    resident = factories.ResidentFactory()
    data = form_data(client.get(_url(Resident, "change", resident.pk)))
    data["consent_given_at_0"] = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(_url(Resident, "change", resident.pk), data)
    assert "consent_given_at" in response.context["adminform"].form.errors


def test_a_users_organisation_fits_their_role(client, superuser):
    school = factories.OrganisationFactory(school=True)
    data = form_data(client.get(_url(User, "add")))
    data.update(
        username="werkgever",
        usable_password="true",
        password1="a-long-enough-passphrase",
        password2="a-long-enough-passphrase",
        role=Role.EMPLOYER,
        organisation=school.pk,
    )
    response = client.post(_url(User, "add"), data)
    assert "organisation" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="werkgever").exists()

    data["organisation"] = factories.OrganisationFactory(employer=True).pk
    assert client.post(_url(User, "add"), data).status_code == 302
    assert User.objects.get(username="werkgever").role == Role.EMPLOYER


def test_an_organisation_keeps_a_kind_its_members_fit(client, superuser):
    employer_user = factories.UserFactory(employer=True)
    organisation = employer_user.organisation
    data = form_data(client.get(_url(Organisation, "change", organisation.pk)))
    response = client.post(_url(Organisation, "change", organisation.pk), {**data, "kind": "education"})
    assert "kind" in response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert organisation.kind == Organisation.Kind.EMPLOYER


def test_check_in_days_are_whole_days_kept_sorted(client, superuser):
    programme = factories.ProgrammeFactory()
    url = _url(Programme, "change", programme.pk)
    data = form_data(client.get(url))
    assert data["check_in_days"] == "7, 30, 90, 180, 365"
    for wrong in ("30, soon", "0, 30", "", "99999"):
        assert "check_in_days" in client.post(url, {**data, "check_in_days": wrong}).context["adminform"].form.errors
    assert client.post(url, {**data, "check_in_days": "90, 7, 30, 7"}).status_code == 302
    programme.refresh_from_db()
    assert programme.check_in_days == [7, 30, 90]


def test_a_modules_capacity_stays_above_its_seats(client, superuser):
    module = factories.ModuleFactory(capacity=3)
    factories.EnrolmentFactory.create_batch(2, module=module)
    factories.EnrolmentFactory(module=module, dropped=True)
    url = _url(Module, "change", module.pk)
    data = form_data(client.get(url))
    assert "capacity" in client.post(url, {**data, "capacity": 1}).context["adminform"].form.errors
    assert client.post(url, {**data, "capacity": 2}).status_code == 302
    module.refresh_from_db()
    assert module.capacity == 2


def test_a_staff_coordinator_cannot_make_anyone_a_superuser(client):
    coordinator = factories.UserFactory(coordinator=True, is_staff=True)
    coordinator.user_permissions.set(Permission.objects.filter(content_type__app_label="coalition"))
    client.force_login(coordinator)
    coach = factories.UserFactory(coach=True)
    page = client.get(_url(User, "change", coach.pk))
    assert {"is_superuser", "groups", "user_permissions"}.isdisjoint(page.context["adminform"].form.fields)
    client.post(_url(User, "change", coach.pk), {**form_data(page), "is_superuser": "on"})
    coach.refresh_from_db()
    assert not coach.is_superuser


def test_the_coach_autocomplete_offers_coaches_only(client, superuser):
    coach = factories.UserFactory(coach=True, last_name="Tjon-A-Loi")
    factories.UserFactory(employer=True, last_name="Tjon-A-Loi")
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "Tjon-A-Loi", "app_label": "pathways", "model_name": "resident", "field_name": "coach"},
    )
    assert [int(result["id"]) for result in response.json()["results"]] == [coach.pk]


def test_the_back_office_follows_a_role_changed_here(client, superuser):
    user = factories.UserFactory(coach=True)
    for role, works_here in [(Role.COORDINATOR, True), (Role.COACH, False)]:
        page = client.get(_url(User, "change", user.pk))
        assert "is_staff" not in page.context["adminform"].form.fields  # it follows the role
        assert client.post(_url(User, "change", user.pk), {**form_data(page), "role": role}).status_code == 302
        user = User.objects.get(pk=user.pk)  # permissions are cached on the instance
        assert user.is_staff == user.has_perm("pathways.change_resident") == works_here
