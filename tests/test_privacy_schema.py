"""No citizen service number, and names only for partners (contract §3 and §10).

- The OpenAPI schema has no field or parameter for a citizen service number (BSN) under any name, anywhere: in
  requests, responses, nested objects, enums and parameters; no model stores one; a write that brings one is refused
  and stores nothing.
- What employers and educators can reach carries no contact details of residents: the schema of every operation
  open to them, and their real answers over a resident whose contact details are unique markers.
"""

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from rest_framework.test import APIClient

from coalition.models import User
from notifications.sweep import reminders_sweep
from pathways.models import Placement, Resident
from tests.assertions import invalid_names
from tests.factories import EnrolmentFactory, ModuleFactory, PathwayFactory, PlacementFactory, UserFactory

# --- Names -----------------------------------------------------------------------------------------------------

# A citizen service number by its Dutch, English and older names, as whole words or run together.
BSN_WORDS = {"bsn", "ssn", "sofi", "sofinr", "sofinummer"}
BSN_PHRASES = ("burgerservice", "citizenservice", "socialsecurity", "nationalid", "personalidentification")
# Contact details: what reaches a person beyond their name.
CONTACT_WORDS = {"email", "mail", "phone", "telephone", "mobile", "birth", "address", "street", "postcode", "zipcode"}


def words(name: str) -> list[str]:
    """`citizenServiceNumber`, `citizen_service_number`, `CITIZEN-SERVICE-NUMBER` → citizen, service, number."""
    return [word.lower() for word in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


def is_bsn(name: str) -> bool:
    parts = words(name)
    return bool(BSN_WORDS & set(parts)) or any(phrase in "".join(parts) for phrase in BSN_PHRASES)


def is_contact(name: str) -> bool:
    parts = words(name)
    return bool(CONTACT_WORDS & set(parts)) or "email" in "".join(parts)


def names_in(node, schema: dict, seen: frozenset = frozenset()) -> Iterator[str]:
    """Every property name, parameter name and enum value in a piece of the schema, following `$ref`s."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref and ref not in seen:
            yield from names_in(resolve(schema, ref), schema, seen | {ref})
        yield from node.get("properties", {})
        if isinstance(node.get("name"), str) and node.get("in"):  # a parameter
            yield node["name"]
        yield from (value for value in node.get("enum", []) if isinstance(value, str))
        for key, value in node.items():
            if key != "$ref":
                yield from names_in(value, schema, seen)
    elif isinstance(node, list):
        for item in node:
            yield from names_in(item, schema, seen)


def resolve(schema: dict, ref: str) -> dict:
    node = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_name_checks_find_what_they_look_for():
    """The checks below could fail: these names are caught, however written; everyday names are not."""
    for name in ["bsn", "BSN", "residentBsn", "bsn_nummer", "burgerservicenummer", "BurgerServiceNummer",
                 "citizenServiceNumber", "citizen_service_number", "sofinummer", "sofiNr", "socialSecurityNumber",
                 "SSN", "nationalIdNumber"]:  # fmt: skip
        assert is_bsn(name), name
    for name in ["email", "emailAddress", "e_mail", "phone", "mobilePhone", "dateOfBirth", "address", "postcode"]:
        assert is_contact(name), name
    for name in ["jobsNumber", "businessName", "session", "lastName", "firstName", "city", "status", "mailed"]:
        assert not is_bsn(name) and not is_contact(name), name
    doctored = {
        "paths": {"/x": {"post": {"parameters": [{"name": "pageSize", "in": "query"}],
                                  "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/c/A"}}}}}}},
        "c": {"A": {"allOf": [{"properties": {"items": {"type": "array", "items": {"$ref": "#/c/B"}}}}]},
              "B": {"properties": {"identifier": {"enum": ["passport", "bsn"]}, "burgerServiceNummer": {}}}},
    }  # fmt: skip
    found = set(names_in(doctored["paths"], doctored))
    assert {"pageSize", "items", "identifier", "bsn", "burgerServiceNummer"} <= found


# --- No citizen service number ---------------------------------------------------------------------------------


def test_no_operation_takes_or_shows_a_citizen_service_number(schema):
    names = set(names_in(schema["paths"], schema)) | set(names_in(schema["components"], schema))
    assert {"firstName", "pageSize", "consentGivenAt", "supportNeeds", "id"} <= names  # the walk reached everything
    assert not sorted(name for name in names if is_bsn(name))


def test_no_model_stores_a_citizen_service_number():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for name in {field.name, getattr(field, "column", None) or field.name}:
                assert not is_bsn(name), f"{model._meta.label}.{name}"


BSN = "123456782"  # passes the eleven-test, as a real one would


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["bsn", "burgerservicenummer", "citizenServiceNumber"])
def test_a_write_with_a_citizen_service_number_is_refused_and_stores_nothing(api, coordinator, field):
    client = api.as_user(coordinator)
    resident = {"firstName": "Noor", "lastName": "Bakker", "consentGivenAt": timezone.now().isoformat()}

    created = client.post("/api/v1/residents", {**resident, field: BSN}, format="json")

    assert invalid_names(created) == {field}
    assert not Resident.objects.exists()
    assert client.post("/api/v1/residents", resident, format="json").status_code == 201  # the rest of it was fine
    stored = Resident.objects.get()
    changed = client.patch(f"/api/v1/residents/{stored.pk}", {"lastName": "de Wit", field: BSN}, format="json")
    assert invalid_names(changed) == {field}
    stored.refresh_from_db()
    assert stored.last_name == "Bakker"


# --- Names only for partners -----------------------------------------------------------------------------------

# Employers and educators never reach these (coach and coordinator only; the role matrix holds them to it).
NOT_FOR_PARTNERS = ("/residents", "/pathways", "/users", "/reports", "/access-log")
OWN_ACCOUNT = {"/me": {"email"}}  # the caller's own address, not a resident's
RESIDENT_AS_PARTNERS_SEE_IT = {"id", "firstName", "lastName"}


def partner_responses(schema: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in schema["paths"].items():
        if path.startswith(NOT_FOR_PARTNERS):
            continue
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    yield f"{method.upper()} {path} {status}", path, response.get("content", {})


def test_nothing_partners_can_reach_has_contact_details_in_its_schema(schema):
    checked = set()
    for where, path, content in partner_responses(schema):
        names = set(names_in(content, schema))
        assert not {name for name in names if is_contact(name)} - OWN_ACCOUNT.get(path, set()), where
        checked.add(path)
    assert {"/placements", "/enrolments", "/check-ins", "/notifications", "/me"} <= checked


def test_the_resident_partners_see_is_a_name(schema):
    residents = []

    def walk(node):
        if isinstance(node, dict):
            resident = node.get("properties", {}).get("resident")
            if resident and "$ref" in json.dumps(resident):  # an object, not an id
                residents.append(resident)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema["components"]["schemas"])
    assert len(residents) >= 3  # placements, enrolments, check-ins
    for resident in residents:
        ref = re.search(r'"\$ref": "([^"]+)"', json.dumps(resident)).group(1)
        assert set(resolve(schema, ref)["properties"]) == RESIDENT_AS_PARTNERS_SEE_IT, ref


# The resident's contact details, each unique in the database, so that a hit anywhere is a leak.
EMAIL, PHONE, BORN = "noor.marker-4417@example.nl", "+31 6 4417 0099", date(1983, 5, 17)


@pytest.fixture
def resident_in_partners_view(db):
    """A resident at job search with a placement proposed four days ago (so the employer was reminded) and an
    enrolment in a school's module."""
    pathway = PathwayFactory(
        job_search=True, resident__first_name="Noor", resident__email=EMAIL, resident__phone=PHONE,
        resident__date_of_birth=BORN,
    )  # fmt: skip
    pathway.resident.current_pathway = pathway
    pathway.resident.save(update_fields=["current_pathway"])
    placement = PlacementFactory(pathway=pathway, proposed_at=timezone.now() - timedelta(days=4))
    employer = UserFactory(employer=True, organisation=placement.employer)
    enrolment = EnrolmentFactory(pathway=pathway, module=ModuleFactory())
    educator = UserFactory(educator=True, organisation=enrolment.module.provider)
    reminders_sweep(now=timezone.now(), deliver=lambda ids: None)
    return pathway.resident, employer, placement, educator, enrolment


def assert_names_only(response, *, own: User) -> None:
    assert response.status_code in (200, 201), response.content
    body = response.content.decode()
    for marker in (EMAIL, PHONE, BORN.isoformat()):
        assert marker not in body, (response.request["PATH_INFO"], marker)

    def walk(node, top: bool):
        if isinstance(node, dict):
            for key, value in node.items():
                if is_contact(key):
                    assert top and key == "email" and value == own.email, (response.request["PATH_INFO"], key)
                walk(value, False)
        elif isinstance(node, list):
            for item in node:
                walk(item, False)

    walk(response.json(), True)


def test_employers_and_educators_get_names_only(api, coordinator, resident_in_partners_view):
    resident, employer, placement, educator, enrolment = resident_in_partners_view
    seen = api.as_user(coordinator).get(f"/api/v1/residents/{resident.pk}").content.decode()
    assert EMAIL in seen and PHONE in seen and BORN.isoformat() in seen  # what a leak would look like

    client = APIClient()
    client.force_authenticate(employer)
    as_employer = [
        client.get("/api/v1/placements"),
        client.get(f"/api/v1/placements/{placement.pk}"),
        client.get("/api/v1/notifications"),
        client.post(f"/api/v1/placements/{placement.pk}/confirm", format="json"),
        client.get("/api/v1/check-ins"),
        client.get("/api/v1/me"),
    ]
    for response in as_employer:
        assert_names_only(response, own=employer)
    assert as_employer[0].json()["results"][0]["resident"] == {
        "id": resident.pk, "firstName": "Noor", "lastName": resident.last_name,
    }  # fmt: skip
    assert "Noor" in as_employer[2].json()["results"][0]["body"]  # the reminder names them, and no more
    assert Placement.objects.get(pk=placement.pk).status == Placement.Status.CONFIRMED

    client.force_authenticate(educator)
    as_educator = [
        client.get("/api/v1/enrolments"),
        client.get(f"/api/v1/enrolments/{enrolment.pk}"),
        client.patch(f"/api/v1/enrolments/{enrolment.pk}", {"attendedHours": 12}, format="json"),
        client.post(f"/api/v1/enrolments/{enrolment.pk}/complete", format="json"),
        client.get("/api/v1/notifications"),
        client.get("/api/v1/placements"),
        client.get("/api/v1/me"),
    ]
    for response in as_educator:
        assert_names_only(response, own=educator)
    assert as_educator[1].json()["resident"]["firstName"] == "Noor"
