"""`Idempotency-Key` on every POST of a signed-in caller (contract §1): see services.py for what is stored."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from api.problems import problem_response
from api.serializers import acting_role
from api.signals import residents_shown

from .services import KeyReused, StillRunning, fingerprint, record_carry_out

HEADER = "Idempotency-Key"
VISIBLE = r"[\x21-\x7e]"  # a visible ASCII character
VALID_KEY = re.compile(VISIBLE + "{1,255}")


class IdempotencyMiddleware:
    """Outside the view's own transaction (ATOMIC_REQUESTS), so that the claim is committed before the work."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not VALID_KEY.fullmatch(key):
            reason = "Send 1 to 255 visible characters (no spaces)."
            return problem_response(
                request, "validation-error", 400, f"The {HEADER} header is invalid.",
                invalidParams=[{"name": HEADER, "reason": reason}],
            )  # fmt: skip
        user = _caller(request)
        if user is None:  # anonymous (logging in: its answer holds a token, which is never stored in clear)
            return self.get_response(request)
        try:
            response = record_carry_out(
                user=user,
                key=key,
                fingerprint=fingerprint(method=request.method, path=request.path, body=request.body),
                work=lambda: self.get_response(request),
            )
        except KeyReused:
            return problem_response(
                request, "idempotency-key-reused", 422,
                f"This {HEADER} was used for another request (another path or body) in the last 24 hours.",
            )  # fmt: skip
        except StillRunning:
            return problem_response(
                request, "conflict", 409, f"The first request with this {HEADER} is still being carried out."
            )
        replayed = getattr(response, "replayed_residents", None)
        if replayed is not None:
            residents_shown.send(type(self), request=request, user=user, role=acting_role(user), resident_ids=replayed)
        return response


def _caller(request: HttpRequest):
    """The signed-in user as the view the path leads to will authenticate them, or None."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    authentication_classes = getattr(getattr(view, "cls", None), "authentication_classes", ())
    try:
        user = Request(request, authenticators=[auth() for auth in authentication_classes]).user
    except APIException:  # a bad token, a session without its CSRF token: the view answers for it
        return None
    return user if user.is_authenticated else None
