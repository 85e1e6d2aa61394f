"""JSON in and out: lowerCamelCase keys on the wire, snake_case in Python, orjson underneath."""

import orjson
from django.conf import settings
from djangorestframework_camel_case.util import camelize, underscoreize
from rest_framework import pagination, parsers, renderers
from rest_framework.exceptions import ParseError


def _default(value):
    # Lazy translation strings and other str-like values DRF may leave in the data.
    return str(value)


class CamelCaseJSONRenderer(renderers.BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(camelize(data), default=_default)


class ProblemJSONRenderer(CamelCaseJSONRenderer):
    media_type = "application/problem+json"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return orjson.dumps(data, default=_default)  # problem members are already named as the contract names them


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API of the development run, showing the same camelCase JSON as the API."""

    def get_default_renderer(self, view):
        return CamelCaseJSONRenderer()


class CamelCaseJSONParser(parsers.BaseParser):
    """Strict JSON: NaN, invalid UTF-8 and absurd nesting are a 400, never a 500."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return underscoreize(orjson.loads(stream.read()))
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise ParseError("The body is nested too deeply.") from exc


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "pageSize"
    max_page_size = 200  # a larger pageSize is served as 200 (contract §1)
    page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]
