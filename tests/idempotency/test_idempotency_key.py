"""`Idempotency-Key` (contract §1, "retries"): a POST is carried out once per user and key; the same key and body
within 24 hours answer what the first answer was, another body 422, and while the first runs, 409."""

import threading
from datetime import timedelta

import orjson
import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from idempotency.models import Record
from pathways.journey import services
from pathways.models import AccessLogEntry, Resident
from pathways.privacy.services import resident_erase
from tests.assertions import assert_problem, invalid_names
from tests.factories import UserFactory
from tests.live import in_parallel, statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach_token(coach) -> str:
    return AuthToken.objects.create(coach)[1]


def registration(**fields) -> dict:
    consent = (timezone.now() - timedelta(hours=1)).isoformat()
    return {"firstName": "Noor", "lastName": "El Amrani", "consentGivenAt": consent, **fields}


def post(token: str, body, key: str | None = "retry-1", path: str = "/api/v1/residents", client=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return (client or Client()).post(path, data, content_type="application/json", **headers)


def test_the_same_key_and_body_answer_the_first_answer_without_doing_it_again(coach_token):
    body = registration()
    first = post(coach_token, body)
    # The same JSON, written otherwise: other key order, other spacing.
    again = post(coach_token, b" " + orjson.dumps(dict(reversed(body.items()))).replace(b",", b", "))

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"] == f"/api/v1/residents/{first.json()['id']}"
    assert again["Content-Type"] == "application/json"
    assert Resident.objects.count() == 1


def test_a_replayed_answer_shows_its_resident_again_and_is_logged_again(coach_token, coach):
    body = registration()
    first = post(coach_token, body)
    again = post(coach_token, body)

    resident_id = first.json()["id"]
    assert again.content == first.content
    entries = AccessLogEntry.objects.filter(resident_id=resident_id, method="POST").order_by("id")
    assert [(entry.user_id, entry.role, entry.path) for entry in entries] == [
        (coach.pk, "coach", "/api/v1/residents")
    ] * 2


def test_erasing_a_resident_drops_the_stored_answers_that_showed_them(coach_token, coordinator):
    body = registration(firstName="Sevda", lastName="Yilmaz-Verhoeven")
    first = post(coach_token, body)
    resident = Resident.objects.get(pk=first.json()["id"])

    resident_erase(resident=resident, by=coordinator)
    again = post(coach_token, body)

    assert (again.status_code, again["Location"], again.content) == (201, first["Location"], b"")
    assert not any(b"Yilmaz" in bytes(body) for body in Record.objects.values_list("body", flat=True))
    assert Resident.objects.count() == 1


def test_without_a_key_every_post_is_carried_out(coach_token):
    post(coach_token, registration(), key=None)
    post(coach_token, registration(), key=None)
    assert Resident.objects.count() == 2


def test_the_same_key_with_another_body_or_path_is_a_422(coach_token, coach):
    post(coach_token, registration())

    other_body = post(coach_token, registration(firstName="Sem"))
    other_path = post(coach_token, {"name": "Moerwijk", "city": "Den Haag"}, path="/api/v1/neighbourhoods")

    for response in (other_body, other_path):
        assert_problem(response, 422, "idempotency-key-reused")
    assert Resident.objects.count() == 1


def test_keys_are_per_user(coach_token):
    other = AuthToken.objects.create(UserFactory(coach=True))[1]
    assert post(coach_token, registration()).status_code == 201
    assert post(other, registration()).status_code == 201
    assert Resident.objects.count() == 2


def test_a_refusal_is_answered_again_but_a_server_error_releases_the_key(coach_token, monkeypatch):
    blank, body = registration(firstName=""), registration()
    refused = post(coach_token, blank, key="refused")
    assert invalid_names(refused) == {"firstName"}
    assert post(coach_token, blank, key="refused").content == refused.content

    create = services.resident_create
    monkeypatch.setattr(services, "resident_create", lambda **kwargs: 1 / 0)
    assert_problem(post(coach_token, body, key="failing"), 500, "server-error")
    monkeypatch.setattr(services, "resident_create", create)
    assert post(coach_token, body, key="failing").status_code == 201  # carried out after all
    assert Resident.objects.count() == 1


def test_after_24_hours_the_key_is_free_again_and_old_records_are_removed(coach, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    body = registration()
    post(AuthToken.objects.create(coach)[1], body, key="old")
    post(AuthToken.objects.create(coach)[1], body, key="older")

    time_machine.shift(timedelta(hours=24, seconds=1))
    assert post(AuthToken.objects.create(coach)[1], body, key="old").status_code == 201

    assert Resident.objects.count() == 3
    assert list(Record.objects.values_list("key", flat=True)) == ["old"]


@pytest.mark.parametrize("key", ["", "a" * 256, "two words", "é"])
def test_a_key_of_other_than_1_to_255_visible_characters_is_a_400(coach_token, key):
    response = post(coach_token, registration(), key=key)
    assert invalid_names(response) == {"Idempotency-Key"}
    assert not Resident.objects.exists()


def test_a_key_of_255_visible_characters_is_taken(coach_token):
    key, body = ("".join(chr(code) for code in range(0x21, 0x7F)) * 3)[:255], registration()
    assert post(coach_token, body, key=key).status_code == 201
    assert post(coach_token, body, key=key).status_code == 201
    assert Resident.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_20_identical_parallel_posts_with_one_key_create_one_resident(coach_token):
    answers = in_parallel(
        20, "POST", "/api/v1/residents", registration(),
        HTTP_AUTHORIZATION=f"Token {coach_token}", HTTP_IDEMPOTENCY_KEY="parallel",
    )  # fmt: skip

    assert Resident.objects.count() == 1
    assert set(statuses(answers)) <= {201, 409}
    assert len({answer.content for answer in answers if answer.status_code == 201}) == 1
    for answer in answers:
        if answer.status_code == 409:
            assert_problem(answer, 409, "conflict")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_while_the_first_request_runs_the_same_key_answers_409_then_the_first_answer(coach_token, monkeypatch):
    create, started, finish = services.resident_create, threading.Event(), threading.Event()

    def slow_create(**kwargs):
        started.set()
        assert finish.wait(30)
        return create(**kwargs)

    monkeypatch.setattr(services, "resident_create", slow_create)
    body = registration()
    first: list = []

    def first_request():
        try:
            first.append(post(coach_token, body))
        finally:
            connections.close_all()

    runner = threading.Thread(target=first_request)
    runner.start()
    assert started.wait(30)

    assert_problem(post(coach_token, body), 409, "conflict")
    finish.set()
    runner.join(30)
    assert first[0].status_code == 201
    assert post(coach_token, body).content == first[0].content
    assert Resident.objects.count() == 1


def test_the_schema_documents_the_key_on_every_signed_in_post_and_location_on_every_201(client):
    schema = client.get("/api/v1/openapi.json").json()
    posts = {path: item["post"] for path, item in schema["paths"].items() if "post" in item}
    for path, operation in posts.items():
        keyed = [parameter for parameter in operation.get("parameters", []) if parameter["name"] == "Idempotency-Key"]
        assert bool(keyed) == (path != "/auth/token"), path
        if keyed:
            assert keyed[0]["in"] == "header" and keyed[0]["schema"]["maxLength"] == 255
            assert {"409", "422"} <= set(operation["responses"]), path
    created = [operation["responses"]["201"] for operation in posts.values() if "201" in operation["responses"]]
    assert len(created) >= 9
    assert all("Location" in response["headers"] for response in created)
