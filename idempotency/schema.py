"""The `Idempotency-Key` header in the OpenAPI schema: a drf-spectacular postprocessing hook (settings)."""

from api.schema import API_VERSION_HEADER

from .middleware import HEADER, VISIBLE

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Carries this request out once for you and this key: a retry with the same key and the same body "
    "(equal as JSON) within 24 hours answers what the first answer was (status, body and `Location`) without "
    "doing it again. The same key with another body or path answers 422; while the first request is still "
    "running, 409. A server error or a 429 frees the key for a retry.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": f"^{VISIBLE}+$"},
}


def _problem(description: str, component: str) -> dict:
    return {
        "description": description,
        "headers": {"API-Version": API_VERSION_HEADER},
        "content": {"application/problem+json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def document_idempotency_key(result: dict, generator, request, public) -> dict:
    """Every POST of a signed-in caller takes the header (logging in does not: its answer, a token, is never
    stored), and may answer 409 and 422 because of it."""
    for item in result["paths"].values():
        operation = item.get("post")
        if operation is None or not operation.get("security"):
            continue
        operation.setdefault("parameters", []).append(PARAMETER)
        responses = operation["responses"]
        responses.setdefault("409", _problem("Conflicts with the current state.", "ConflictProblem"))
        responses["409"]["description"] += f" Also: the first request with this `{HEADER}` is still running."
        responses["422"] = _problem(f"This `{HEADER}` was used for another request in the last 24 hours.", "Problem")
    return result
