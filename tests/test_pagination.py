"""The paginator fetches a page and its total in one statement, and answers every page as Django's does."""

import pytest
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.pagination import TOTAL, CountingPaginator, with_total
from coalition.models import Organisation
from pathways.models import Resident
from tests.factories import OrganisationFactory, ResidentFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("count" not in settings.FAST_PATHS, reason="FAST_PATHS leaves the counting paginator out"),
]

QUERYSETS = {
    "models": lambda: Organisation.objects.order_by("name", "id"),
    "values": lambda: Organisation.objects.order_by("name", "id").values("id", "name"),
    "filtered": lambda: Organisation.objects.filter(kind="employer").order_by("name", "id"),
    "distinct": lambda: Organisation.objects.distinct().order_by("name", "id"),
}


@pytest.fixture
def organisations():
    return OrganisationFactory.create_batch(5, kind="employer") + OrganisationFactory.create_batch(2, kind="school")


def _outcome(paginator, number):
    """What asking for page `number` gives: the page as data, or the kind of refusal."""
    try:
        page = paginator.page(number)
    except (EmptyPage, PageNotAnInteger) as refusal:
        return type(refusal)
    return list(page.object_list), paginator.count, paginator.num_pages, page.has_next()


@pytest.mark.parametrize("make", QUERYSETS.values(), ids=QUERYSETS.keys())
@pytest.mark.parametrize("number", [1, 2, "1", "2", "3", "0", "4", "99999", "x", "1.0", " 2", "9" * 30, 0, -1])
def test_every_page_is_djangos_page(organisations, make, number):
    assert _outcome(CountingPaginator(make(), 3), number) == _outcome(Paginator(make(), 3), number)


def test_an_empty_list_has_an_empty_first_page():
    paginator = CountingPaginator(Organisation.objects.order_by("id"), 3)
    assert list(paginator.page(1)) == [] and paginator.count == 0


@pytest.mark.parametrize("make", [QUERYSETS["values"], QUERYSETS["models"]], ids=["values", "models"])
def test_the_page_and_its_total_are_one_statement_and_the_rows_carry_no_total(
    organisations, make, django_assert_num_queries
):
    paginator = CountingPaginator(make(), 3)
    with django_assert_num_queries(1):
        rows = list(paginator.page("2"))
        assert paginator.count == 7
    assert all(TOTAL not in (row if isinstance(row, dict) else vars(row)) for row in rows)


def test_a_page_past_the_end_is_counted_on_its_own(organisations, django_assert_num_queries):
    with django_assert_num_queries(2), pytest.raises(EmptyPage):
        CountingPaginator(Organisation.objects.order_by("id"), 3).page("4")


def test_a_total_given_before_a_projection_counts_without_the_projections_joins(django_assert_num_queries):
    """The list endpoints' way (api/viewsets.py): `with_total`, then `.values()` along a foreign key."""
    ResidentFactory.create_batch(3)
    queryset = with_total(Resident.objects.order_by("id"))
    rows = queryset.values("id", "current_pathway__stage", *queryset.query.annotations)
    paginator = CountingPaginator(rows, 2)

    with CaptureQueriesContext(connection) as captured:
        page = list(paginator.page(1))

    (statement,) = [query["sql"] for query in captured]
    assert "JOIN" in statement and "JOIN" not in _count_subquery(statement)
    assert paginator.count == 3
    assert page == list(Resident.objects.order_by("id").values("id", "current_pathway__stage")[:2])


def test_the_residents_list_counts_without_the_current_pathways_join(api, coordinator):
    ResidentFactory.create_batch(3)
    with CaptureQueriesContext(connection) as captured:
        assert api.as_user(coordinator).get("/api/v1/residents").json()["count"] == 3

    (statement,) = [query["sql"] for query in captured if TOTAL in query["sql"]]
    assert "current_pathway" in statement and "JOIN" not in _count_subquery(statement)


def _count_subquery(statement: str) -> str:
    return statement[statement.index("(SELECT COUNT(*)") : statement.index(f'AS "{TOTAL}"')]
