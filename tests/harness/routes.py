"""The API's routes, found by walking the URL resolver, so that a newly registered endpoint or action is covered
by every table built from them at once."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver

API = "api/v1/"


@dataclass(frozen=True)
class Route:
    name: str  # the URL name, for reverse()
    method: str
    detail: bool


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, object]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route, pattern


def api_patterns() -> list:
    return [pattern for route, pattern in _walk(get_resolver().url_patterns) if route.startswith(API)]


def viewset_routes() -> dict[tuple[str, str], Route]:
    """(basename, action) → route, for every method a router maps and the viewset accepts."""
    routes = {}
    for pattern in api_patterns():
        callback = pattern.callback
        for method, action in (getattr(callback, "actions", None) or {}).items():
            if method in callback.cls.http_method_names:
                routes[callback.initkwargs["basename"], action] = Route(
                    pattern.name, method, callback.initkwargs["detail"]
                )
    return routes


def plain_view_names() -> set[str]:
    """The API's routes outside the router (health, auth, me, schema)."""
    return {pattern.name for pattern in api_patterns() if not getattr(pattern.callback, "actions", None)}


ROUTES = viewset_routes()
