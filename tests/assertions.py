"""Assertions the API tests share: the shape of a problem response (contract §2)."""

PROBLEM_TYPE_BASE = "https://werkpad.example/problems/"


def assert_problem(response, status: int, kind: str) -> dict:
    """The response is an `application/problem+json` of this status whose `type` ends in `/<kind>`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"] == PROBLEM_TYPE_BASE + kind
    assert body["title"] and body["detail"]
    return body


def invalid_names(response) -> set[str]:
    """The names of the fields a 400 validation problem refuses."""
    body = assert_problem(response, 400, "validation-error")
    return {param["name"] for param in body["invalidParams"]}
