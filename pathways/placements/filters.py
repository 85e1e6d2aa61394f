"""Query parameters of the placement and check-in lists, named in lowerCamelCase as the contract names them."""

import django_filters

from coalition.filters import IdFilter, OrderingFilter

from .models import CheckIn, Placement


class PlacementFilter(django_filters.FilterSet):
    pathway = IdFilter()
    resident = IdFilter(field_name="pathway__resident")
    employer = IdFilter()
    status = django_filters.ChoiceFilter(choices=Placement.Status.choices)
    ordering = OrderingFilter(fields=(("start_date", "startDate"), ("proposed_at", "proposedAt"), ("id", "id")))


class CheckInFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CheckIn.Status.choices)
    dueOnBefore = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", help_text="Due on or before.")
    dueOnAfter = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", help_text="Due on or after.")
    placement = IdFilter()
    coach = IdFilter(field_name="placement__pathway__resident__coach")
    ordering = OrderingFilter(fields=(("due_on", "dueOn"), ("id", "id")))
