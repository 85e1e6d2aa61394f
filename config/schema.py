"""OpenAPI schema details drf-spectacular doesn't produce by itself: problem responses and the version header."""

from django.conf import settings
from drf_spectacular import openapi

PROBLEM = {"$ref": "#/components/schemas/Problem"}
VALIDATION_PROBLEM = {"$ref": "#/components/schemas/ValidationProblem"}

PROBLEM_SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
        "required": ["type", "title", "status", "detail"],
    },
    "ValidationProblem": {
        "allOf": [
            PROBLEM,
            {
                "type": "object",
                "properties": {
                    "invalidParams": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                            "required": ["name", "reason"],
                        },
                    }
                },
                "required": ["invalidParams"],
            },
        ]
    },
}

API_VERSION_HEADER = {
    "API-Version": {
        "description": "The full version of the API that answered.",
        "schema": {"type": "string", "example": settings.API_VERSION},
    }
}

ERROR_DESCRIPTIONS = {
    "400": ("Invalid input.", VALIDATION_PROBLEM),
    "401": ("No valid token.", PROBLEM),
    "403": ("The caller's role may not do this.", PROBLEM),
    "404": ("Not found, or not visible to the caller.", PROBLEM),
    "405": ("Method not allowed.", PROBLEM),
    "409": ("Conflicts with the current state.", PROBLEM),
    "413": ("Request body too large.", PROBLEM),
    "415": ("Unsupported media type.", PROBLEM),
    "429": ("Too many requests.", PROBLEM),
    "500": ("Internal server error.", PROBLEM),
}


class AutoSchema(openapi.AutoSchema):
    """Tags by resource (the first path segment), so Swagger UI groups operations the way the contract does."""

    def get_tags(self) -> list[str]:
        path = self.path[len(settings.SPECTACULAR_SETTINGS["SCHEMA_PATH_PREFIX"]) :].strip("/")
        return [path.split("/")[0] or "api"]


def _error_codes(method: str, path: str, operation: dict) -> list[str]:
    codes = ["401", "403", "405", "429", "500"]
    if method in ("post", "put", "patch") or operation.get("parameters"):
        codes.append("400")
    if "{" in path:
        codes.append("404")
    if method in ("post", "put", "patch"):
        codes += ["409", "413", "415"]
    return codes


def document_problems_and_version_header(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: every operation documents its problem responses; every response its API-Version."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(PROBLEM_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, path, operation):
                if code in responses:
                    continue
                description, schema = ERROR_DESCRIPTIONS[code]
                responses[code] = {
                    "description": description,
                    "content": {"application/problem+json": {"schema": schema}},
                }
            for response in responses.values():
                response.setdefault("headers", {}).update(API_VERSION_HEADER)
    return result
