"""RFC 9457 problem details for every error (contract §2), and the domain errors services raise.

Services raise `Conflict`, `InvalidTransition` or Django's `ValidationError`; they know nothing of HTTP.
This module turns those, DRF's exceptions and anything unexpected into `application/problem+json`.
"""

import logging
import re
from collections.abc import Mapping

import orjson
from django.apps import apps
from django.conf import settings
from django.core import exceptions as django_exceptions
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from api.rendering import ProblemJSONRenderer, WireName, camel

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
NO_RESOURCE = "No resource at this path."  # what an unknown path answers, and a path hidden from the caller's role


class Conflict(Exception):
    """The request is valid but conflicts with the current state (a full module, a duplicate)."""

    code = "conflict"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class BudgetExceeded(Conflict):
    """Money beyond what a budget or an allocation leaves."""

    code = "budget-exceeded"


class InvalidTransition(Conflict):
    """A state change the state's table does not allow."""

    code = "invalid-transition"

    def __init__(self, *, current: str, asked: str, why: str = ""):
        detail = f"Cannot move from '{current}' to '{asked}'."
        super().__init__(f"{detail} {why}".strip())
        self.current, self.asked = current, asked


TITLES = {
    "validation-error": "Invalid input.",
    "parse-error": "Malformed request.",
    "authentication-failed": "Authentication failed.",
    "not-authenticated": "Authentication required.",
    "permission-denied": "Not allowed.",
    "not-found": "Not found.",
    "method-not-allowed": "Method not allowed.",
    "not-acceptable": "Not acceptable.",
    "unsupported-media-type": "Unsupported media type.",
    "length-required": "Content-Length required.",
    "payload-too-large": "Request body too large.",
    "throttled": "Too many requests.",
    "conflict": "Conflict with the current state.",
    "invalid-transition": "State change not allowed.",
    "budget-exceeded": "Over budget.",
    "idempotency-key-reused": "Idempotency-Key used for another request.",
    "server-error": "Internal server error.",
    "service-unavailable": "Service unavailable.",
}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the API accepts."
    default_code = "payload_too_large"


def problem(code: str, http_status: int, detail: str, instance: str = "", **extra) -> dict:
    body = {
        "type": settings.PROBLEM_TYPE_BASE + code,
        "title": TITLES.get(code, TITLES["server-error"]),
        "status": http_status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(request: HttpRequest | None, code: str, http_status: int, detail: str, **extra) -> HttpResponse:
    """A problem as a plain Django response, for what happens outside DRF's views (middleware, 404/500 handlers)."""
    body = problem(code, http_status, detail, request.path if request else "", **extra)
    return HttpResponse(orjson.dumps(body), status=http_status, content_type=PROBLEM_MEDIA_TYPE)


def invalid_params(detail) -> list[dict]:
    """One entry per field error, named as in the request; errors inside a list are named after the list."""
    params = []

    def walk(name: str, value) -> None:
        if isinstance(value, Mapping):
            for key, sub in value.items():
                # Integer keys are list positions (ListField, many=True): keep the list's name.
                walk(name if isinstance(key, int) or str(key).isdigit() else _join(name, key), sub)
        elif isinstance(value, list | tuple):
            for sub in value:
                walk(name, sub)
        else:
            params.append({"name": name or "nonFieldErrors", "reason": str(value)})

    walk("", detail)
    return params


def _join(parent: str, key: str) -> str:
    key = "nonFieldErrors" if key in ("non_field_errors", settings.REST_FRAMEWORK.get("NON_FIELD_ERRORS_KEY")) else key
    name = key if isinstance(key, WireName) else camel(str(key))
    return f"{parent}.{name}" if parent else name


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, django_exceptions.PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, django_exceptions.ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return exceptions.ValidationError(detail)
    if isinstance(exc, django_exceptions.RequestDataTooBig):
        return PayloadTooLarge()
    return None


# SQLSTATEs of the constraints two requests at the same moment can run into, each having checked before writing:
# unique and exclusion. Any other violation (not null, check, foreign key, a value out of range) means a check is
# missing before the write: a bug, answered as a logged 500 rather than passed off as the client's mistake —
# except a check constraint that names a conflict's code as its `violation_error_code` (CONFLICT_CHECKS): the
# last guard of a limit its service checks under a lock (an allocation's running sums), answered as that 409.
RACE_SQLSTATES = frozenset({"23505", "23P01"})
CHECK_VIOLATION = "23514"
CONFLICT_CHECKS = frozenset({BudgetExceeded.code})
SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+)\.")


def duplicated(exc: IntegrityError) -> str | None:
    """What a request lost a race for: the violated constraint's own message (`violation_error_message`) or the
    kind of record it would have duplicated. None where the violation is no race."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) is not None:  # PostgreSQL
        if cause.sqlstate not in RACE_SQLSTATES:
            return None
        table, name = cause.diag.table_name, cause.diag.constraint_name
    elif match := SQLITE_UNIQUE.match(str(exc)):  # the development run: SQLite names the table, not the constraint
        table, name = match[1], None
    else:
        return None
    model = next((model for model in apps.get_models() if model._meta.db_table == table), None)
    if model is None:
        return "It would duplicate an existing record."
    for constraint in model._meta.constraints:
        if constraint.name == name and constraint.violation_error_message != constraint.default_violation_error_message:
            return str(constraint.violation_error_message)
    return f"It would duplicate an existing {model._meta.verbose_name}."


def guarded(exc: IntegrityError) -> tuple[str, str] | None:
    """The problem code and detail of a check constraint in CONFLICT_CHECKS that refused the write; else None."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) != CHECK_VIOLATION:
        return None
    model = next((model for model in apps.get_models() if model._meta.db_table == cause.diag.table_name), None)
    for constraint in model._meta.constraints if model else ():
        if constraint.name == cause.diag.constraint_name and constraint.violation_error_code in CONFLICT_CHECKS:
            return constraint.violation_error_code, str(constraint.violation_error_message)
    return None


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every error a view raises becomes a problem; nothing escapes as a bare 500."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    extra: dict = {}
    if isinstance(exc, Conflict):
        code, http_status, detail = exc.code, status.HTTP_409_CONFLICT, exc.detail
        if isinstance(exc, InvalidTransition):
            extra = {"currentState": exc.current, "askedState": exc.asked}
        response = Response(status=http_status)
    elif isinstance(exc, ProtectedError | RestrictedError):
        code, http_status = "conflict", status.HTTP_409_CONFLICT
        detail = "Other records still refer to this one."
        response = Response(status=http_status)
    elif isinstance(exc, IntegrityError) and (duplicate := duplicated(exc)) is not None:
        code, http_status, detail = "conflict", status.HTTP_409_CONFLICT, duplicate
        response = Response(status=http_status)
    elif isinstance(exc, IntegrityError) and (refused := guarded(exc)) is not None:
        (code, detail), http_status = refused, status.HTTP_409_CONFLICT
        response = Response(status=http_status)
    else:
        api_exc = _as_api_exception(exc)
        response = drf_exception_handler(api_exc, context) if api_exc else None
        if response is None:
            logger.exception("Unhandled error in %s", instance, exc_info=exc)
            code, http_status = "server-error", status.HTTP_500_INTERNAL_SERVER_ERROR
            detail = "Something went wrong on our side; it has been logged."
            response = Response(status=http_status)
        elif isinstance(api_exc, exceptions.ValidationError):
            code, http_status = "validation-error", response.status_code
            detail = "One or more fields are invalid."
            extra = {"invalidParams": invalid_params(api_exc.detail)}
        else:
            code, http_status = api_exc.default_code.replace("_", "-"), response.status_code
            detail = str(api_exc.detail) if not isinstance(api_exc.detail, dict | list) else TITLES.get(code, "")
    set_rollback()
    response.data = problem(code, http_status, detail, instance, **extra)
    response.content_type = PROBLEM_MEDIA_TYPE
    if request is not None:
        # Problems are always JSON, whatever the client asked for (the browsable API included).
        request.accepted_renderer = ProblemJSONRenderer()
        request.accepted_media_type = PROBLEM_MEDIA_TYPE
    return response


@csrf_exempt  # a write to no resource is a 404 like any other, not a CSRF failure page
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(request, "not-found", 404, NO_RESOURCE)


def server_error(request: HttpRequest) -> HttpResponse:
    return problem_response(request, "server-error", 500, "Something went wrong on our side; it has been logged.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(request, "validation-error", 400, "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem_response(request, "permission-denied", 403, "You may not do this.")
