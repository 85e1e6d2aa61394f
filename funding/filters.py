import django_filters

from coalition.filters import IdFilter, OrderingFilter

from .models import Transaction


class AllocationFilter(django_filters.FilterSet):
    programme = IdFilter()
    project = IdFilter()
    ordering = OrderingFilter(fields=(("year", "year"), ("amount", "amount"), ("id", "id")))


class TransactionFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="allocation__programme")
    project = IdFilter(field_name="allocation__project")
    kind = django_filters.ChoiceFilter(choices=Transaction.Kind.choices)
    dateAfter = django_filters.DateFilter(field_name="date", lookup_expr="gte", help_text="On or after this date.")
    dateBefore = django_filters.DateFilter(field_name="date", lookup_expr="lte", help_text="On or before this date.")
    ordering = OrderingFilter(fields=(("date", "date"), ("amount", "amount"), ("id", "id")))


class CoFinancingFilter(django_filters.FilterSet):
    project = IdFilter()
    organisation = IdFilter()
    ordering = OrderingFilter(fields=(("year", "year"), ("amount", "amount"), ("id", "id")))
