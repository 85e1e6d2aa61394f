"""Query parameters of the resident and pathway lists, named in lowerCamelCase as the contract names them."""

import django_filters

from coalition.filters import IdFilter, OrderingFilter, SearchFilter

from .stages import Stage


class ResidentFilter(django_filters.FilterSet):
    neighbourhood = IdFilter()
    coach = IdFilter()
    programme = IdFilter()
    stage = django_filters.ChoiceFilter(
        field_name="current_pathway__stage", choices=Stage.choices, help_text="Stage of the current pathway."
    )
    search = SearchFilter(fields=["first_name", "last_name", "email"])
    ordering = OrderingFilter(
        fields=(("last_name", "lastName"), ("first_name", "firstName"), ("created_at", "createdAt"), ("id", "id"))
    )


class PathwayFilter(django_filters.FilterSet):
    resident = IdFilter()
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    ordering = OrderingFilter(fields=(("started_at", "startedAt"), ("id", "id")))
