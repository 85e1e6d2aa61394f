"""Requests as the API's clients send them, and the problem+json answers of contract §2."""

import orjson


def send(client, method: str, url: str, body: dict | None = None):
    data = orjson.dumps(body) if body is not None else b""
    return client.generic(method.upper(), url, data, content_type="application/json")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:2000]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= problem.keys()
    return problem


def without_instance(problem: dict) -> dict:
    return {key: value for key, value in problem.items() if key != "instance"}
