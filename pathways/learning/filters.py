"""Query parameters of the module and enrolment lists, named in lowerCamelCase as the contract names them."""

import django_filters

from coalition.filters import IdFilter, OrderingFilter, SearchFilter

from .models import Enrolment, Module


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
