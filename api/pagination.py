"""Page-number pagination as the contract has it (`page`, `pageSize` up to 200), with a page and its total fetched
in one statement."""

from django.conf import settings
from django.core import paginator
from django.db.models import BigIntegerField, Func, QuerySet, Subquery
from django.db.models.expressions import Star
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

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
        if start is None or not countable(self.object_list) or "count" not in settings.FAST_PATHS:
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
    if TOTAL in queryset.query.annotations or "count" not in settings.FAST_PATHS:
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

    def get_paginated_response_schema(self, schema: dict) -> dict:
        # A page as the documentation's examples show it: one page holding the example row, fitting any list
        # (DRF's example links name an /accounts/ path that no list here has).
        page = super().get_paginated_response_schema(schema)
        examples = {"count": 1, "next": None, "previous": None}
        for name, example in examples.items():
            page["properties"][name]["example"] = example
        return page

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
