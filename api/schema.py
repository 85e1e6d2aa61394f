"""What drf-spectacular doesn't produce by itself: problem responses, the version header, who may call what, and
the API documented as a coordinator sees it (the widest view; role limits are written into the descriptions)."""

import copy

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi, plumbing
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str, **members: dict) -> dict:
    """An RFC 9457 problem schema, with the extra members some problems carry (all of them always present)."""
    return {
        "type": "object",
        "description": description,
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string", "description": "The path that was asked."},
            **members,
        },
        "required": ["type", "title", "status", "detail", *members],
    }


HEALTH_STATES = ["ok", "unavailable"]
_HEALTH_STATE = {"type": "string", "enum": HEALTH_STATES}

PROBLEM_SCHEMAS = {
    "Problem": _problem("RFC 9457 problem details."),
    "HealthProblem": _problem("What the API cannot reach.", database=_HEALTH_STATE, broker=_HEALTH_STATE),
}
# A request that could not be read at all (a body that is not JSON, a NUL in the query) names no field.
PROBLEM_SCHEMAS["ValidationProblem"] = {
    **PROBLEM_SCHEMAS["Problem"],
    "description": "Invalid input: one entry in `invalidParams` per field error, named as in the request "
    "(`nonFieldErrors` for an error not tied to one field). A request that cannot be read names none.",
    "properties": {
        **PROBLEM_SCHEMAS["Problem"]["properties"],
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["name", "reason"],
            },
        },
    },
}
# A refused state change also names the two states; other conflicts (a full module, a duplicate) do not.
PROBLEM_SCHEMAS["ConflictProblem"] = {
    **PROBLEM_SCHEMAS["Problem"],
    "description": "A conflict with the current state. A refused state change has a `type` ending in "
    "`/invalid-transition` and names `currentState` and `askedState`.",
    "properties": {
        **PROBLEM_SCHEMAS["Problem"]["properties"],
        "currentState": {"type": "string"},
        "askedState": {"type": "string"},
    },
}

HEALTH_PROBLEM = OpenApiResponse(_ref("HealthProblem"), description="The database or the broker is unreachable.")

PROBLEMS = {
    400: ("Invalid input.", "ValidationProblem"),
    401: ("No valid token or session.", "Problem"),
    403: ("The caller's role may not do this.", "Problem"),
    404: ("Not found, not visible to the caller, a page beyond the last, or an unknown `format`.", "Problem"),
    409: ("Conflicts with the current state.", "ConflictProblem"),
    413: ("The request body is over the size limit.", "Problem"),
    415: ("The body is not JSON.", "Problem"),
    429: ("Too many requests; `Retry-After` says when to try again.", "Problem"),
    500: ("Internal server error.", "Problem"),
}

API_VERSION_HEADER = {
    "description": "The full version of the API that answered.",
    "schema": {"type": "string", "example": settings.API_VERSION},
}
RETRY_AFTER_HEADER = {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
LOCATION_HEADER = {"description": "The path of the new object.", "schema": {"type": "string"}}

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    """Adds to every operation the problems it can answer and the headers every response carries."""

    def get_tags(self) -> list[str]:
        # By resource (the first path segment), so Swagger UI groups operations the way the contract does.
        path = self.path[len(settings.SPECTACULAR_SETTINGS["SCHEMA_PATH_PREFIX"]) :].strip("/")
        return [path.split("/")[0] or "api"]

    def get_auth(self) -> list[dict]:
        # An endpoint without authenticators (health, auth/token, the schema) claims no security at all.
        return super().get_auth() if self._authenticated else []

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        # Here rather than in get_description, which an extend_schema(description=…) replaces.
        if roles := self._roles():
            note = f"Roles: {', '.join(sorted(roles))}."
            operation["description"] = "\n\n".join(filter(None, (operation.get("description"), note)))
        for name, schema in PROBLEM_SCHEMAS.items():
            # a copy: the enum hook rewrites components in place
            registry.register_on_missing(
                plumbing.ResolvedComponent(
                    name, plumbing.ResolvedComponent.SCHEMA, object=name, schema=copy.deepcopy(schema)
                )
            )
        self._describe_query_parameters(operation)
        responses = operation["responses"]
        for code in self._problem_codes(operation):
            description, schema = PROBLEMS[code]
            responses.setdefault(
                str(code),
                {"description": description, "content": {"application/problem+json": {"schema": _ref(schema)}}},
            )
        for code, response in responses.items():
            headers = response.setdefault("headers", {})
            headers["API-Version"] = API_VERSION_HEADER
            if code == "429":
                headers["Retry-After"] = RETRY_AFTER_HEADER
            if code == "201":
                headers["Location"] = LOCATION_HEADER
        return operation

    def _resolve_path_parameters(self, variables):
        # An id in a path is the integer every body carries, not the string its URL pattern matches.
        from api.serializers import ID_PATTERN, MAX_ID

        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") == f"^{ID_PATTERN}$":
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        return parameters

    def _describe_query_parameters(self, operation: dict) -> None:
        """What the query parameters take beyond their type: an empty filter is no filter (an empty format, the
        default), and no text may hold a NUL (a 400 for any)."""
        filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            if parameter["in"] != "query":
                continue
            if parameter["name"] in filters or parameter["name"] == "format":
                parameter["allowEmptyValue"] = True
            if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
                schema["pattern"] = "^[^\\x00]*$"

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # A serializer's read-only field is left out of requests anyway: build no request component for it. (An
        # unbound field is drf-spectacular's own, such as the id behind a foreign key, and is mapped as usual.)
        if direction == "request" and field.read_only and field.parent is not None:
            return {"readOnly": True}
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _map_basic_serializer(self, serializer, direction):
        for field in serializer.fields.values():
            # DRF drops `allow_blank` from read-only model fields, yet a blank column is sent as "": say so.
            # (These serializer instances serve the schema only.)
            if field.read_only and getattr(field, "allow_blank", True) is False and _is_blank_column(field):
                field.allow_blank = True
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            schema["required"] = list(schema["properties"])  # an answer always carries every field
        else:
            schema["additionalProperties"] = False  # unknown fields are refused (contract §1)
        return schema

    @property
    def _authenticated(self) -> bool:
        return bool(self.view.get_authenticators())

    @property
    def _hidden(self) -> bool:
        return any(getattr(permission, "hides", False) for permission in self.view.get_permissions())

    def _roles(self) -> set[str] | None:
        """The roles that may take this operation, or None when any authenticated caller may."""
        for permission in self.view.get_permissions():  # a permission for given roles says which (`roles`)
            if (only := getattr(permission, "roles", None)) is not None:
                return {str(role) for role in only}
        roles = getattr(self.view, "roles", {}).get(getattr(self.view, "action", None))
        return {str(role) for role in roles} if roles is not None else None

    def _problem_codes(self, operation: dict) -> list[int]:
        from api.viewsets import ServiceViewSet

        write = self.method in WRITES
        service_write = write and isinstance(self.view, ServiceViewSet)  # these read a body and may conflict
        codes = [400] if write or operation.get("parameters") else []
        if self._authenticated:
            codes.append(401)
            # a role refused (not where the path is hidden from it: 404), or a session write without its CSRF token
            if write or (self._roles() is not None and not self._hidden):
                codes.append(403)
        parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
        # a page beyond the last, an unknown format, an object a view names in its query (its `finds_by_query`) that
        # does not exist, or a path hidden from every role but coordinators (`hides`) or from some roles (a view's
        # `hidden_from`): 404
        hidden = self._hidden or getattr(self.view, "hidden_from", None)
        if "{" in self.path or parameters & {"page", "format"} or getattr(self.view, "finds_by_query", False) or hidden:
            codes.append(404)
        if service_write:
            codes.append(409)
        if write:
            codes.append(413)
        if service_write or "requestBody" in operation:
            codes.append(415)
        return [*codes, 429, 500]


def _is_blank_column(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    try:
        return model is not None and model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


def lib_doc_excludes() -> list[type]:
    """GET_LIB_DOC_EXCLUDES: the shared bases' docstrings speak to developers, not to the API's clients."""
    from api.serializers import StrictSerializerMixin
    from api.viewsets import ServiceViewSet

    return [*plumbing.get_lib_doc_excludes(), ServiceViewSet, StrictSerializerMixin]


def build_mock_request(method, path, view, original_request, **kwargs):
    """GET_MOCK_REQUEST: the views see a superuser, who acts as a coordinator, so the schema shows what
    coordinators may see and set."""
    request = plumbing.build_mock_request(method, path, view, original_request, **kwargs)
    request.user = get_user_model()(pk=0, username="openapi", is_superuser=True)
    return request


class RoleDependentFields(OpenApiSerializerExtension):
    """Fields whose presence or writability depends on the caller's role, which a schema cannot express:
    a note in their description, and not required in answers when other roles don't get them. The apps declare
    theirs (a subclass naming its `target_class`) in their `schema.py`, imported when they are ready."""

    notes: dict[str, str] = {}
    coordinators_only = False

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        for name, note in self.notes.items():
            schema["properties"][name]["description"] = note
            if direction == "response" and self.coordinators_only:
                schema["required"].remove(name)
        return schema


def type_nullable_compositions(result, generator, request, public):
    """POSTPROCESSING_HOOKS: a nullable property made only of components (`allOf`/`oneOf`) gets their type beside
    it. OpenAPI 3.0 gives `nullable` no meaning without `type`, and example validators refuse it."""
    schemas = result["components"]["schemas"]
    for component in schemas.values():
        for field in component.get("properties", {}).values():
            parts = field.get("allOf") or field.get("oneOf") or []
            if field.get("nullable") and "type" not in field and parts:
                types = {schemas[part["$ref"].rsplit("/", 1)[-1]].get("type") for part in parts} - {None}
                if len(types) == 1:
                    field["type"] = types.pop()
    return result
