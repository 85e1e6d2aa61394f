"""JSON in and out: lowerCamelCase keys on the wire, snake_case in Python, orjson underneath."""

from functools import lru_cache

import orjson
from django.conf import settings
from django.core import paginator
from django.db.models import BigIntegerField, Func, QuerySet, Subquery
from django.db.models.expressions import Star
from django.utils.functional import Promise
from djangorestframework_camel_case import util
from rest_framework import pagination, parsers, renderers
from rest_framework.exceptions import ParseError, ValidationError


@lru_cache(maxsize=2048)  # bounded: JSON field contents may bring keys of their own
def camel(name: str) -> str:
    """`first_name` → `firstName`, by the rule of djangorestframework-camel-case (its parser and schema hook)."""
    return util.camelize_re.sub(util.underscore_to_camel, name)


# Values passed over as they are, known by exact type; subclasses and lazy text take the library's path.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def camelize(data):
    """The library's `camelize`, with the same output, made cheap for the dicts, lists and scalars serializers
    produce: a key is converted once per process rather than by a regex per key per row, and plain values are
    passed over without the library's iter() probe. Anything else (tuples, lazy text) goes to the library."""
    if type(data) in _PLAIN:
        return data
    if isinstance(data, dict):
        return {
            (camel(key) if type(key) is str else _camel_key(key)): (value if type(value) in _PLAIN else camelize(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [item if type(item) in _PLAIN else camelize(item) for item in data]
    return util.camelize(data)


class WireName(str):
    """A key of a request body that is not in the API's lowerCamelCase (`first_name`, `FirstName`), kept as the
    client wrote it: strict serializers refuse it as an unknown field, and errors name it as written."""


_UNDERSCORE = util.get_underscoreize_re({})


@lru_cache(maxsize=2048)
def python_name(key: str) -> str:
    """`firstName` → `first_name`; a key that is no lowerCamelCase name of one comes back as a WireName."""
    name = _UNDERSCORE.sub(r"\1_\2", key).lower()
    return name if camel(name) == key else WireName(key)


def underscoreize(data):
    """Request JSON with Python names for keys (`python_name`), at every depth."""
    if isinstance(data, dict):
        return {python_name(key): underscoreize(value) for key, value in data.items()}
    if isinstance(data, list):
        return [underscoreize(item) for item in data]
    return data


def _camel_key(key):
    return camel(str(key)) if isinstance(key, str | Promise) else key


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


TOTAL = "paginator_total"
LARGEST_OFFSET = 2**63 - 1  # PostgreSQL's OFFSET is a bigint


class CountingPaginator(paginator.Paginator):
    """Django's paginator, fetching the page and the total in one statement: the count rides along with every
    row as a scalar subquery (`with_total`), which the database computes once. That is one round trip and one
    query to compile fewer, and the count and the rows come from one snapshot. Only a page that comes back empty
    (past the end, or nothing matches) is counted on its own, by Django, to tell an empty first page from a page
    not found."""

    def page(self, number):
        start = self._start(number)
        if start is None or not countable(self.object_list):
            return super().page(number)  # not a page (Django says why) or not a plain query
        rows = list(with_total(self.object_list)[start : start + self.per_page])
        if not rows:
            return super().page(number)
        self.count = _pop_total(rows)
        return self._get_page(rows, self.validate_number(number), self)

    def _start(self, number) -> int | None:
        """The offset of page `number`, or None where it is no page."""
        digits = isinstance(number, str) and number.isascii() and number.isdigit() and len(number) <= 18
        if not (isinstance(number, int) or digits):
            return None
        start = (int(number) - 1) * self.per_page
        return start if 0 <= start <= LARGEST_OFFSET - self.per_page else None


def countable(queryset) -> bool:
    """Whether the rows of `queryset` can carry their count: a plain query, not a list, union or aggregate."""
    query = getattr(queryset, "query", None)
    return not (query is None or query.distinct or query.combinator or query.group_by is not None or query.is_sliced)


def with_total(queryset: QuerySet) -> QuerySet:
    """`queryset` with the number of its rows on every row, as TOTAL. Given before a `.values()` of related
    columns, the count stays free of the joins those columns add (they cost a third of the count's time)."""
    if TOTAL in queryset.query.annotations:
        return queryset
    counted = queryset.order_by().values(n=Func(Star(), function="COUNT", output_field=BigIntegerField()))
    return queryset.annotate(**{TOTAL: Subquery(counted)})


def _pop_total(rows: list) -> int:
    """The total each row carries, taken off the rows (dicts of `.values()`, or model instances)."""
    total = None
    for row in rows:
        total = row.pop(TOTAL) if isinstance(row, dict) else row.__dict__.pop(TOTAL)
    return total


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = CountingPaginator
    page_size_query_param = "pageSize"
    max_page_size = 200  # a larger pageSize is served as 200 (contract §1)
    page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]

    def get_page_size(self, request) -> int:
        """DRF serves a page size it cannot read at the default; here it is a 400, as any other bad parameter."""
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        digits = value.lstrip("0")
        if not (value.isascii() and value.isdigit() and digits):
            raise ValidationError({self.page_size_query_param: ["Enter a whole number, 1 or more."]})
        return min(int(digits), self.max_page_size) if len(digits) <= 3 else self.max_page_size

    def get_page_number(self, request, paginator):
        # DRF takes an empty `page` for the first; like any other page that is no number, it is not found.
        page = request.query_params.get(self.page_query_param)
        return page if page == "" else super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
