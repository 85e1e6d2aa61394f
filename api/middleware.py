"""Guards in front of the API: the version header, the body size limit, and input no view should ever see."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from api.problems import problem_response

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


class ApiVersionMiddleware:
    """Every response carries `API-Version` (NL API Design Rules), errors included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["API-Version"] = settings.API_VERSION
        return response


class RequestGuardMiddleware:
    """Refuses, as problems, what would otherwise reach the database as garbage or exhaust memory.

    - a body over MAX_REQUEST_BODY_BYTES: 413, before it is read;
    - a body without a length (chunked): 411, unread, rather than answered as if it were empty (WSGI passes
      Django no length for it, and Django then reads nothing);
    - a NUL byte anywhere in the path or query: 400 (PostgreSQL cannot store or compare it);
    - an unexpected exception outside DRF's views under /api/: 500 as a problem, even in debug mode.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem_response(request, "validation-error", 400, "Content-Length is not a number.")
        if "HTTP_TRANSFER_ENCODING" in request.META and not length:
            return problem_response(request, "length-required", 411, "Send the body with a Content-Length header.")
        if length > settings.MAX_REQUEST_BODY_BYTES:
            limit = settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)
            return problem_response(request, "payload-too-large", 413, f"The body may be at most {limit} MiB.")
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return problem_response(
                request,
                "validation-error",
                400,
                "The path or query contains a NUL character.",
                invalidParams=[{"name": "nonFieldErrors", "reason": "NUL characters are not allowed."}],
            )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        logger.exception("Unhandled error in %s", request.path, exc_info=exception)
        return problem_response(request, "server-error", 500, "Something went wrong on our side; it has been logged.")
