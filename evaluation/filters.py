import django_filters

from coalition.filters import IdFilter, OrderingFilter, SearchFilter

from .models import Decision, Indicator
from .reviews import Status


class IndicatorFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=Indicator.Source.choices)
    direction = django_filters.ChoiceFilter(choices=Indicator.Direction.choices)
    search = SearchFilter(fields=["name", "unit"])
    ordering = OrderingFilter(fields=(("name", "name"), ("id", "id")))


class IndicatorPeriodFilter(django_filters.FilterSet):
    project = IdFilter()
    indicator = IdFilter()
    ordering = OrderingFilter(fields=(("period_start", "periodStart"), ("id", "id")))


class ResultFilter(django_filters.FilterSet):
    period = IdFilter()
    project = IdFilter(field_name="period__project")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    ordering = OrderingFilter(fields=(("measured_on", "measuredOn"), ("id", "id")))


class EvaluationFilter(django_filters.FilterSet):
    project = IdFilter()
    round = django_filters.CharFilter(max_length=50)
    decision = django_filters.ChoiceFilter(choices=Decision.choices)
    ordering = OrderingFilter(fields=(("decided_at", "decidedAt"), ("id", "id")))
