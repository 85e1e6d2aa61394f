"""Every limit holds exactly under concurrent requests (contract §1): real parallel requests, with the counters in
Redis as the processes of a deployment share them."""

from datetime import UTC, datetime

import pytest
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import PASSWORD, UserFactory
from tests.live import in_parallel, statuses

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Early in a minute, with the clock ticking on: each test runs within one window of every rate.
START_OF_A_WINDOW = datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _one_window(time_machine, shared_cache):
    time_machine.move_to(START_OF_A_WINDOW, tick=True)


def _login(password: str, count: int, username: str) -> list:
    return in_parallel(count, "POST", "/api/v1/auth/token", {"username": username, "password": password})


def test_of_40_parallel_wrong_passwords_for_one_username_10_answer_400_and_the_rest_429():
    coach = UserFactory(coach=True)

    answers = _login("wrong-password", 40, coach.username)

    assert statuses(answers) == {400: 10, 429: 30}
    assert all(0 < int(answer["Retry-After"]) <= 15 * 60 for answer in answers if answer.status_code == 429)
    assert statuses(_login(PASSWORD, 1, coach.username)) == {429: 1}  # slowed, right password or not


def test_parallel_logins_with_the_right_password_are_not_slowed():
    coach = UserFactory(coach=True)
    assert statuses(_login(PASSWORD, 20, coach.username)) == {200: 20}


def test_of_40_parallel_anonymous_requests_exactly_the_rate_gets_through(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "1200/min", "anon": "15/min"})

    answers = in_parallel(40, "POST", "/api/v1/auth/token", {})

    assert statuses(answers) == {400: 15, 429: 25}  # a login without fields is a 400, until the address is over
    assert all(0 < int(answer["Retry-After"]) <= 59 for answer in answers if answer.status_code == 429)


def test_of_40_parallel_requests_of_one_user_exactly_the_rate_gets_through(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "15/min", "anon": "300/min"})
    token = AuthToken.objects.create(UserFactory(coach=True))[1]

    answers = in_parallel(40, "GET", "/api/v1/me", HTTP_AUTHORIZATION=f"Token {token}")

    assert statuses(answers) == {200: 15, 429: 25}
