"""Query parameters of the pathway lists, named in lowerCamelCase as the contract names them."""

import django_filters

from coalition.filters import IdFilter, InstantFilter, OrderingFilter, SearchFilter

from .models import CheckIn, Enrolment, Module, Placement
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


class ModuleFilter(django_filters.FilterSet):
    theme = django_filters.ChoiceFilter(choices=Module.Theme.choices)
    provider = IdFilter()
    project = IdFilter()
    search = SearchFilter(fields=["title"])
    ordering = OrderingFilter(fields=(("starts_on", "startsOn"), ("title", "title"), ("id", "id")))


class EnrolmentFilter(django_filters.FilterSet):
    pathway = IdFilter()
    module = IdFilter()
    resident = IdFilter(field_name="pathway__resident")
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices)
    ordering = OrderingFilter(fields=(("enrolled_at", "enrolledAt"), ("id", "id")))


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


class AccessLogFilter(django_filters.FilterSet):
    resident = IdFilter(help_text="Entries about this resident: who looked at their file.")
    user = IdFilter(help_text="Entries of what this user looked at.")
    after = InstantFilter(
        field_name="at", lookup_expr="gte", help_text="At or after this instant (ISO 8601, with its offset)."
    )
    before = InstantFilter(
        field_name="at", lookup_expr="lt", help_text="Before this instant, not at it (ISO 8601, with its offset)."
    )
