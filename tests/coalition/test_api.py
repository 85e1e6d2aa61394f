"""The coalition endpoints of contract §4 (organisations, neighbourhoods, programmes, users, /me) and logging in
and out (§1, §10)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from knox.models import AuthToken

from coalition.models import DEFAULT_CHECK_IN_DAYS, Neighbourhood, Organisation, Programme, Role, User
from pathways.journey import services
from pathways.models import Resident
from pathways.privacy.services import resident_erase
from tests.assertions import assert_problem, invalid_names
from tests.factories import (
    PASSWORD,
    NeighbourhoodFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ResidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Failed-login counts and throttle buckets live in the cache; each test starts without them."""
    cache.clear()
    yield
    cache.clear()


# --- Organisations --------------------------------------------------------------------------------------------


def test_every_role_reads_organisations(api, coach, educator):
    moerwijk = NeighbourhoodFactory(name="Moerwijk")
    employer = OrganisationFactory(employer=True, name="Vesteda Installatietechniek")
    employer.neighbourhoods.add(moerwijk)

    response = api.as_user(educator).get("/api/v1/organisations", {"kind": "employer"})

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": employer.id,
            "name": employer.name,
            "kind": "employer",
            "neighbourhoods": [moerwijk.id],
            "isActive": True,
        }
    ]
    detail = api.as_user(coach).get(f"/api/v1/organisations/{employer.id}")
    assert detail.status_code == 200 and detail.json()["name"] == employer.name


def test_organisation_filters(api, coach):
    moerwijk = NeighbourhoodFactory()
    active = OrganisationFactory(name="Haag Wonen", kind=Organisation.Kind.HOUSING_CORPORATION)
    active.neighbourhoods.add(moerwijk)
    OrganisationFactory(name="Staedion", kind=Organisation.Kind.HOUSING_CORPORATION, inactive=True)
    client = api.as_user(coach)

    def names(**params):
        return [row["name"] for row in client.get("/api/v1/organisations", params).json()["results"]]

    assert names(neighbourhood=moerwijk.id) == ["Haag Wonen"]
    assert names(kind="housing_corporation", isActive="false") == ["Staedion"]
    assert names(search="staed") == ["Staedion"]
    assert invalid_names(client.get("/api/v1/organisations", {"isActive": "maybe"})) == {"isActive"}


def test_coordinator_creates_and_changes_an_organisation(api, coordinator):
    moerwijk, bouwlust = NeighbourhoodFactory(), NeighbourhoodFactory()
    client = api.as_user(coordinator)

    response = client.post(
        "/api/v1/organisations",
        {"name": "Buurthuis De Mussen", "kind": "neighbourhood_organisation", "neighbourhoods": [moerwijk.id]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "Buurthuis De Mussen",
        "kind": "neighbourhood_organisation",
        "neighbourhoods": [moerwijk.id],
        "isActive": True,
    }
    organisation = Organisation.objects.get(pk=body["id"])
    assert organisation.kind == Organisation.Kind.NEIGHBOURHOOD_ORGANISATION
    assert list(organisation.neighbourhoods.all()) == [moerwijk]

    response = client.patch(
        f"/api/v1/organisations/{organisation.id}",
        {"neighbourhoods": [moerwijk.id, bouwlust.id], "isActive": False},
        format="json",
    )
    assert response.status_code == 200
    assert sorted(response.json()["neighbourhoods"]) == sorted([moerwijk.id, bouwlust.id])
    organisation.refresh_from_db()
    assert organisation.is_active is False
    assert set(organisation.neighbourhoods.all()) == {moerwijk, bouwlust}


@pytest.mark.parametrize("role", ["coach", "employer_user", "educator"])
def test_only_coordinators_write_organisations(api, request, role):
    organisation = OrganisationFactory(name="Gemeente Den Haag", kind=Organisation.Kind.MUNICIPALITY)
    client = api.as_user(request.getfixturevalue(role))

    created = client.post("/api/v1/organisations", {"name": "New", "kind": "other"}, format="json")
    changed = client.patch(f"/api/v1/organisations/{organisation.id}", {"name": "Renamed"}, format="json")

    assert_problem(created, 403, "permission-denied")
    assert_problem(changed, 403, "permission-denied")
    assert not Organisation.objects.filter(name="New").exists()
    organisation.refresh_from_db()
    assert organisation.name == "Gemeente Den Haag"


def test_organisation_kind_must_be_one_of_the_contract(api, coordinator):
    response = api.as_user(coordinator).post("/api/v1/organisations", {"name": "X", "kind": "bank"}, format="json")
    assert invalid_names(response) == {"kind"}
    assert not Organisation.objects.filter(name="X").exists()


def test_an_employers_kind_cannot_change_while_employer_staff_belong_to_it(api, coordinator, employer_user):
    organisation = employer_user.organisation

    response = api.as_user(coordinator).patch(
        f"/api/v1/organisations/{organisation.id}", {"kind": "education"}, format="json"
    )

    assert "organisation" in invalid_names(response)
    organisation.refresh_from_db()
    assert organisation.kind == Organisation.Kind.EMPLOYER


# --- Neighbourhoods -------------------------------------------------------------------------------------------


def test_every_role_reads_neighbourhoods(api, employer_user):
    overvecht = NeighbourhoodFactory(name="Overvecht", city="Utrecht")
    NeighbourhoodFactory(name="Moerwijk", city="Den Haag")
    client = api.as_user(employer_user)

    response = client.get("/api/v1/neighbourhoods", {"city": "Utrecht"})

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": overvecht.id, "name": "Overvecht", "city": "Utrecht"}]
    assert client.get(f"/api/v1/neighbourhoods/{overvecht.id}").json()["name"] == "Overvecht"


def test_coordinator_creates_and_renames_a_neighbourhood(api, coordinator):
    client = api.as_user(coordinator)

    response = client.post("/api/v1/neighbourhoods", {"name": "Batau", "city": "Nieuwegein"}, format="json")

    assert response.status_code == 201
    neighbourhood = Neighbourhood.objects.get(pk=response.json()["id"])
    assert (neighbourhood.name, neighbourhood.city) == ("Batau", "Nieuwegein")
    response = client.patch(f"/api/v1/neighbourhoods/{neighbourhood.id}", {"name": "Batau-Noord"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Batau-Noord"
    neighbourhood.refresh_from_db()
    assert neighbourhood.name == "Batau-Noord"


def test_a_neighbourhood_exists_once_per_city(api, coordinator):
    NeighbourhoodFactory(name="Vollenhove", city="Zeist")

    response = api.as_user(coordinator).post(
        "/api/v1/neighbourhoods", {"name": "Vollenhove", "city": "Zeist"}, format="json"
    )

    assert invalid_names(response) == {"nonFieldErrors"}
    assert Neighbourhood.objects.filter(name="Vollenhove").count() == 1


def test_only_coordinators_write_neighbourhoods(api, coach):
    response = api.as_user(coach).post("/api/v1/neighbourhoods", {"name": "A", "city": "B"}, format="json")
    assert_problem(response, 403, "permission-denied")
    assert not Neighbourhood.objects.filter(name="A").exists()


# --- Programmes -----------------------------------------------------------------------------------------------


def test_coordinators_see_the_budget_and_the_co_financing_ratio(api, coordinator):
    rijk = OrganisationFactory(name="Ministerie van BZK")
    programme = ProgrammeFactory(
        name="Regio Deal Den Haag Zuidwest",
        kind="regio_deal",
        funder=rijk,
        budget="12500000.00",
        co_financing_ratio="1.00",
        check_in_days=[7, 30],
    )

    response = api.as_user(coordinator).get(f"/api/v1/programmes/{programme.id}")

    assert response.status_code == 200
    assert response.json() == {
        "id": programme.id,
        "name": "Regio Deal Den Haag Zuidwest",
        "kind": "regio_deal",
        "funder": rijk.id,
        "budget": "12500000.00",
        "coFinancingRatio": "1.00",
        "startsOn": programme.starts_on.isoformat(),
        "endsOn": programme.ends_on.isoformat(),
        "checkInDays": [7, 30],
    }


@pytest.mark.parametrize("role", ["coach", "employer_user", "educator", "partner"])
def test_others_see_programmes_without_the_money(api, request, role):
    programme = ProgrammeFactory(kind="nplv", funder=OrganisationFactory(), co_financing_ratio="0.50")
    user = UserFactory(partner=True) if role == "partner" else request.getfixturevalue(role)
    client = api.as_user(user)

    listed = client.get("/api/v1/programmes").json()["results"]
    detail = client.get(f"/api/v1/programmes/{programme.id}").json()

    assert [row["id"] for row in listed] == [programme.id]
    for body in (listed[0], detail):
        assert "budget" not in body and "coFinancingRatio" not in body
        assert body["name"] == programme.name and body["checkInDays"] == DEFAULT_CHECK_IN_DAYS
        assert (body["kind"], body["funder"]) == ("nplv", programme.funder_id)


def test_coordinator_creates_a_programme_with_the_default_cadence(api, coordinator):
    response = api.as_user(coordinator).post(
        "/api/v1/programmes",
        {"name": "NPLV", "budget": "800000.50", "startsOn": "2026-01-01", "endsOn": "2030-12-31"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["checkInDays"] == [7, 30, 90, 180, 365]
    assert response.json()["budget"] == "800000.50"
    programme = Programme.objects.get(pk=response.json()["id"])
    assert programme.budget == Decimal("800000.50")
    assert programme.check_in_days == [7, 30, 90, 180, 365]


def test_coordinator_creates_a_programme_of_a_kind_with_its_funder_and_co_financing_ratio(api, coordinator):
    rijk = OrganisationFactory(name="Ministerie van BZK")

    response = api.as_user(coordinator).post(
        "/api/v1/programmes",
        {
            "name": "Nationaal Programma Leefbaarheid en Veiligheid",
            "kind": "nplv",
            "funder": rijk.id,
            "budget": "3000000.00",
            "coFinancingRatio": "0.50",
            "startsOn": "2026-01-01",
            "endsOn": "2030-12-31",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["funder"], response.json()["coFinancingRatio"]) == (
        "nplv",
        rijk.id,
        "0.50",
    )
    programme = Programme.objects.get(pk=response.json()["id"])
    assert (programme.kind, programme.funder, programme.co_financing_ratio) == ("nplv", rijk, Decimal("0.50"))


def test_a_programme_without_kind_funder_or_ratio_is_another_without_co_financing(api, coordinator):
    response = api.as_user(coordinator).post(
        "/api/v1/programmes",
        {"name": "Wijkfonds", "budget": "1000.00", "startsOn": "2026-01-01", "endsOn": "2026-12-31"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["funder"], response.json()["coFinancingRatio"]) == (
        "other",
        None,
        "0.00",
    )


def test_coordinator_changes_a_programme(api, coordinator):
    programme = ProgrammeFactory()

    response = api.as_user(coordinator).patch(
        f"/api/v1/programmes/{programme.id}", {"checkInDays": [90, 14, 14], "budget": "1.00"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["checkInDays"] == [14, 90]  # kept sorted and without repeats
    programme.refresh_from_db()
    assert programme.check_in_days == [14, 90] and programme.budget == Decimal("1.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endsOn": "2025-12-31"}, "endsOn"),
        ({"budget": "-1.00"}, "budget"),
        ({"coFinancingRatio": "-0.01"}, "coFinancingRatio"),
        ({"kind": "lottery"}, "kind"),
        ({"funder": 10**12}, "funder"),
        ({"checkInDays": [0]}, "checkInDays"),
        ({"checkInDays": []}, "checkInDays"),
    ],
)
def test_a_programme_refuses_impossible_values(api, coordinator, body, field):
    payload = {"name": "Bad", "budget": "10.00", "startsOn": "2026-01-01", "endsOn": "2027-01-01", **body}
    response = api.as_user(coordinator).post("/api/v1/programmes", payload, format="json")
    assert field in invalid_names(response)
    assert not Programme.objects.filter(name="Bad").exists()


def test_only_coordinators_write_programmes(api, coach):
    programme = ProgrammeFactory(budget="5.00")
    client = api.as_user(coach)
    payload = {"name": "P", "budget": "1.00", "startsOn": "2026-01-01", "endsOn": "2027-01-01"}

    assert_problem(client.post("/api/v1/programmes", payload, format="json"), 403, "permission-denied")
    assert_problem(
        client.patch(f"/api/v1/programmes/{programme.id}", {"name": "X"}, format="json"), 403, "permission-denied"
    )
    programme.refresh_from_db()
    assert programme.name != "X" and not Programme.objects.filter(name="P").exists()


# --- Users and /me --------------------------------------------------------------------------------------------


def test_coordinator_lists_and_reads_users(api, coordinator, coach):
    client = api.as_user(coordinator)

    response = client.get("/api/v1/users", {"role": "coach"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [coach.id]
    detail = client.get(f"/api/v1/users/{coach.id}").json()
    assert {key: detail[key] for key in ("id", "username", "email", "firstName", "lastName", "role")} == {
        "id": coach.id,
        "username": coach.username,
        "email": coach.email,
        "firstName": coach.first_name,
        "lastName": coach.last_name,
        "role": "coach",
    }
    assert detail["organisation"] == coach.organisation_id
    assert "password" not in detail


def test_coordinator_creates_a_user_whose_password_is_write_only(api, coordinator):
    employer = OrganisationFactory(employer=True)

    response = api.as_user(coordinator).post(
        "/api/v1/users",
        {
            "username": "j.devries",
            "password": "Lang-en-sterk-wachtwoord-2026",
            "email": "j.devries@bouwbedrijf.example",
            "firstName": "Jan",
            "lastName": "de Vries",
            "role": "employer",
            "organisation": employer.id,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert "password" not in body
    assert body["username"] == "j.devries" and body["role"] == "employer" and body["organisation"] == employer.id
    user = User.objects.get(pk=body["id"])
    assert user.check_password("Lang-en-sterk-wachtwoord-2026")
    assert user.password != "Lang-en-sterk-wachtwoord-2026"  # stored hashed
    assert (user.role, user.organisation, user.last_name) == (Role.EMPLOYER, employer, "de Vries")


def test_text_over_its_maximum_is_refused_before_its_spaces_are_trimmed(api, coordinator):  # as the schema says
    longest = Neighbourhood._meta.get_field("name").max_length
    client = api.as_user(coordinator)

    too_long = client.post("/api/v1/neighbourhoods", {"name": " " + "x" * longest, "city": "Zeist"}, format="json")
    fits = client.post("/api/v1/neighbourhoods", {"name": " " + "x" * (longest - 1), "city": "Zeist"}, format="json")

    assert invalid_names(too_long) == {"name"}
    assert fits.status_code == 201 and fits.json()["name"] == "x" * (longest - 1)  # trimmed, as before


def test_coordinator_creates_a_user_not_yet_active(api, coordinator):  # found by schemathesis: it was a 500
    body = {"username": "a.smit", "password": "Lang-en-sterk-wachtwoord-2026", "role": "coach", "isActive": False}
    body["organisation"] = OrganisationFactory().id

    response = api.as_user(coordinator).post("/api/v1/users", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["isActive"] is False
    assert User.objects.get(username="a.smit").is_active is False


@pytest.mark.parametrize("password", ["kort", "1234567890123", "password123", "j.devries2026"])
def test_a_weak_password_is_refused(api, coordinator, password):
    response = api.as_user(coordinator).post(
        "/api/v1/users",
        {
            "username": "j.devries2026",
            "password": password,
            "role": "coach",
            "organisation": coordinator.organisation_id,
        },
        format="json",
    )
    assert invalid_names(response) == {"password"}
    assert not User.objects.filter(username="j.devries2026").exists()


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        ("employer", "education", False),
        ("employer", "housing_corporation", False),
        ("employer", "employer", True),
        ("educator", "education", True),
        ("coach", "housing_corporation", True),
        ("coordinator", "municipality", True),
    ],
)
def test_a_users_role_must_fit_their_organisations_kind(api, coordinator, role, kind, allowed):
    organisation = OrganisationFactory(kind=kind)

    response = api.as_user(coordinator).post(
        "/api/v1/users",
        {
            "username": "nieuw",
            "password": "Lang-en-sterk-wachtwoord-2026",
            "role": role,
            "organisation": organisation.id,
        },
        format="json",
    )

    if allowed:
        assert response.status_code == 201, response.content
    else:
        assert invalid_names(response) == {"organisation"}
    assert User.objects.filter(username="nieuw").exists() is allowed


@pytest.mark.parametrize("organisation", ["missing", None])
def test_every_user_belongs_to_an_organisation(api, coordinator, organisation):
    payload = {"username": "nieuw", "password": "Lang-en-sterk-wachtwoord-2026", "role": "coach"}
    if organisation != "missing":
        payload["organisation"] = organisation

    response = api.as_user(coordinator).post("/api/v1/users", payload, format="json")

    assert invalid_names(response) == {"organisation"}
    assert not User.objects.filter(username="nieuw").exists()


def test_a_username_is_taken_once(api, coordinator, coach):
    response = api.as_user(coordinator).post(
        "/api/v1/users",
        {
            "username": coach.username,
            "password": "Lang-en-sterk-wachtwoord-2026",
            "role": "coach",
            "organisation": coach.organisation_id,
        },
        format="json",
    )
    assert invalid_names(response) == {"username"}
    assert User.objects.filter(username=coach.username).count() == 1


def test_a_user_cannot_be_moved_into_an_organisation_that_does_not_fit(api, coordinator, employer_user):
    school = OrganisationFactory(school=True)
    original = employer_user.organisation

    response = api.as_user(coordinator).patch(
        f"/api/v1/users/{employer_user.id}", {"organisation": school.id}, format="json"
    )

    assert invalid_names(response) == {"organisation"}
    employer_user.refresh_from_db()
    assert employer_user.organisation == original


def test_coordinator_changes_a_user_and_sets_a_new_password(api, coordinator, coach):
    response = api.as_user(coordinator).patch(
        f"/api/v1/users/{coach.id}", {"lastName": "Bakker", "password": "Nieuw-en-sterk-wachtwoord-9"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["lastName"] == "Bakker" and "password" not in response.json()
    coach.refresh_from_db()
    assert coach.last_name == "Bakker" and coach.check_password("Nieuw-en-sterk-wachtwoord-9")


def test_changing_a_user_without_a_password_keeps_it(api, coordinator, coach):
    response = api.as_user(coordinator).patch(f"/api/v1/users/{coach.id}", {"firstName": "Fatima"}, format="json")
    assert response.status_code == 200
    coach.refresh_from_db()
    assert coach.first_name == "Fatima" and coach.check_password(PASSWORD)


def test_a_weak_new_password_changes_nothing(api, coordinator, coach):
    response = api.as_user(coordinator).patch(
        f"/api/v1/users/{coach.id}", {"lastName": "Bakker", "password": "123"}, format="json"
    )
    assert invalid_names(response) == {"password"}
    coach.refresh_from_db()
    assert coach.last_name != "Bakker" and coach.check_password(PASSWORD)


@pytest.mark.parametrize(
    "change",
    [
        {"role": "employer", "organisation": "employer"},
        {"role": "educator", "organisation": "school"},
        {"role": "coordinator"},
        {"isActive": False},
    ],
    ids=["employer", "educator", "coordinator", "deactivated"],
)
def test_a_coach_keeps_the_role_while_anyone_is_theirs(api, coordinator, coach, change):
    """Else they would be reminded of residents they may no longer see. Erased residents count: their check-ins'
    reminders still go to their coach."""
    residents = [ResidentFactory(coach=coach) for _ in range(2)]
    resident_erase(resident=ResidentFactory(coach=coach), by=coordinator)
    organisations = {"employer": OrganisationFactory(employer=True), "school": OrganisationFactory(school=True)}
    body = {key: organisations[value].id if key == "organisation" else value for key, value in change.items()}
    client = api.as_user(coordinator)

    problem = assert_problem(client.patch(f"/api/v1/users/{coach.id}", body, format="json"), 409, "conflict")

    assert "coaches 3 resident(s)" in problem["detail"]
    coach.refresh_from_db()
    assert (coach.role, coach.is_active) == (Role.COACH, True)

    other = UserFactory(coach=True)
    for resident in Resident.objects.filter(coach=coach):
        assert client.patch(f"/api/v1/residents/{resident.id}", {"coach": other.id}, format="json").status_code == 200
    assert client.patch(f"/api/v1/users/{coach.id}", body, format="json").status_code == 200
    assert Resident.objects.filter(coach=other).count() == len(residents) + 1


def test_a_resident_cannot_be_given_a_deactivated_coach(api, coordinator):
    """The coach offered was active when the request was read; a deactivation meanwhile is seen under the lock."""
    resident, coach = ResidentFactory(), UserFactory(coach=True)
    User.objects.filter(pk=coach.pk).update(is_active=False)

    with pytest.raises(ValidationError):
        services.resident_update(resident=resident, by=coordinator, data={"coach": coach})

    assert Resident.objects.get(pk=resident.pk).coach != coach


@pytest.mark.parametrize("role", ["coach", "employer_user", "educator"])
def test_users_are_for_coordinators_only(api, request, role, coordinator):
    user = request.getfixturevalue(role)
    client = api.as_user(user)
    payload = {"username": "x", "password": "Lang-en-sterk-wachtwoord-2026", "role": "coach"}

    assert_problem(client.get("/api/v1/users"), 403, "permission-denied")
    assert_problem(client.get(f"/api/v1/users/{coordinator.id}"), 403, "permission-denied")
    assert_problem(client.post("/api/v1/users", payload, format="json"), 403, "permission-denied")
    assert_problem(
        client.patch(f"/api/v1/users/{user.id}", {"role": "coordinator"}, format="json"), 403, "permission-denied"
    )
    user.refresh_from_db()
    assert user.role != Role.COORDINATOR and not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("role", ["coordinator", "coach", "employer_user", "educator"])
def test_me_shows_the_callers_own_account(api, request, role):
    user = request.getfixturevalue(role)

    response = api.as_user(user).get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("id", "username", "email", "firstName", "lastName", "role", "organisation")} == {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "role": user.role,
        "organisation": user.organisation_id,
    }
    assert "password" not in body


def test_me_shows_a_superuser_as_the_coordinator_they_act_as(api):
    superuser = UserFactory(superuser=True)
    assert api.as_user(superuser).get("/api/v1/me").json()["role"] == "coordinator"


def test_me_needs_authentication(api):
    assert_problem(api.get("/api/v1/me"), 401, "not-authenticated")


# --- Logging in and out ---------------------------------------------------------------------------------------


def _login(api, username: str, password: str):
    return api.post("/api/v1/auth/token", {"username": username, "password": password}, format="json")


def test_login_returns_a_token_that_authenticates(api, coach):
    response = _login(api, coach.username, PASSWORD)

    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    assert AuthToken.objects.filter(user=coach).count() == 1
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["id"] == coach.id


@pytest.mark.parametrize("which", ["password", "username"])
def test_wrong_credentials_are_a_400_problem(api, coach, which):
    username, password = (coach.username, "wrong-password") if which == "password" else ("nobody", PASSWORD)

    response = _login(api, username, password)

    assert invalid_names(response) == {"nonFieldErrors"}
    assert not AuthToken.objects.exists()


def test_an_inactive_user_cannot_log_in(api):
    user = UserFactory(is_active=False)
    assert_problem(_login(api, user.username, PASSWORD), 400, "validation-error")
    assert not AuthToken.objects.exists()


def test_login_needs_both_fields(api):
    assert invalid_names(api.post("/api/v1/auth/token", {}, format="json")) == {"username", "password"}


def test_after_ten_failures_every_login_for_that_username_is_slowed(api, coach, employer_user):
    for _ in range(10):
        assert_problem(_login(api, coach.username, "wrong-password"), 400, "validation-error")

    right = _login(api, coach.username, PASSWORD)
    wrong = _login(api, coach.username.upper(), "wrong-password")  # the same username, however it is spelt

    for response in (right, wrong):
        detail = assert_problem(response, 429, "throttled")["detail"]
        assert 0 < int(response["Retry-After"]) <= 15 * 60
        # says why, and the wait once
        assert (
            detail
            == f"Too many failed logins for this username. Expected available in {response['Retry-After']} seconds."
        )
    assert not AuthToken.objects.filter(user=coach).exists()
    # Another username is not slowed down by them.
    assert _login(api, employer_user.username, PASSWORD).status_code == 200


def test_the_slowdown_ends_when_the_window_since_the_first_failure_has_passed(api, coach, settings, monkeypatch):
    for _ in range(10):
        _login(api, coach.username, "wrong-password")
    assert_problem(_login(api, coach.username, PASSWORD), 429, "throttled")

    later = timezone.now() + settings.LOGIN_FAILURE_WINDOW  # the cache still holds the count: the clock decides
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert _login(api, coach.username, PASSWORD).status_code == 200


def test_nine_failures_do_not_slow_a_username_and_a_success_forgives_them(api, coach):
    for _ in range(9):
        assert _login(api, coach.username, "wrong-password").status_code == 400
    assert _login(api, coach.username, PASSWORD).status_code == 200
    for _ in range(9):
        assert _login(api, coach.username, "wrong-password").status_code == 400
    assert _login(api, coach.username, PASSWORD).status_code == 200  # the count started again


def test_logout_stops_the_token_at_once(api, coach):
    token = _login(api, coach.username, PASSWORD).json()["token"]
    other = _login(api, coach.username, PASSWORD).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.post("/api/v1/auth/logout")

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(api.get("/api/v1/me"), 401, "authentication-failed")
    assert AuthToken.objects.filter(user=coach).count() == 1  # only this token was revoked
    api.credentials(HTTP_AUTHORIZATION=f"Token {other}")
    assert api.get("/api/v1/me").status_code == 200


def test_logout_needs_authentication(api):
    assert_problem(api.post("/api/v1/auth/logout"), 401, "not-authenticated")


def test_a_made_up_token_is_a_401_problem(api):
    api.credentials(HTTP_AUTHORIZATION="Token " + "f" * 64)
    assert_problem(api.get("/api/v1/organisations"), 401, "authentication-failed")
