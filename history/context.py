"""Who made a change: the context every recorded change carries.

A request's changes carry the signed-in user's id, the role they acted in and the path (never the query string,
which can hold a searched name). Work nobody asked for in a request — Celery tasks, management commands — carries
the system as its actor. pghistory hands the context to the triggers with a `set_config` before each statement,
which only PostgreSQL has: on SQLite (the development run, which records no history) no context is set.
"""

import contextlib
import functools

import pghistory
from django.db import connection

from api.serializers import acting_role

SYSTEM = "system"
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def history_context(**metadata):
    """Groups the changes made inside it under one context with `metadata`; nested, it adds to the outer one."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    return pghistory.context(**metadata)


def system_context(process: str):
    """For Celery tasks and management commands: the system made these changes, in `process`."""
    return history_context(user=None, role=SYSTEM, process=process)


def _actor(user) -> dict:
    authenticated = bool(user and user.is_authenticated)
    return {"user": user.pk if authenticated else None, "role": acting_role(user) if authenticated else None}


class _ActorTracking:
    """DRF authenticates inside the view and then sets `request.user` on Django's request: at that moment the
    user and their acting role join the context the middleware opened. Before it, the context holds whoever
    Django's session middleware found (the admin's user; for a token request, nobody yet). Django offers no hook
    between DRF's authentication and the view's writes, so the request's class is extended for that one setter."""

    def __setattr__(self, name, value):
        if name == "user":
            pghistory.context(**_actor(value))  # called, not entered: adds to the open context
        super().__setattr__(name, value)


@functools.cache
def _tracking(request_class: type) -> type:
    """`request_class` (Django's WSGIRequest or ASGIRequest) with the actor tracked."""
    return type(f"ActorTracking{request_class.__name__}", (_ActorTracking, request_class), {})


class HistoryContextMiddleware:
    """Opens the history context of each write request (reads change nothing that is tracked)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in READS or connection.vendor != "postgresql":
            return self.get_response(request)
        with history_context(url=request.path, **_actor(getattr(request, "user", None))):
            request.__class__ = _tracking(type(request))
            return self.get_response(request)
