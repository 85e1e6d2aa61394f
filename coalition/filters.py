import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from api.serializers import MAX_ID, NAIVE_INSTANT, written_without_offset

from .models import Domain, Organisation, Project, ProjectStatus, Role, User
from .selectors import involving


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """Filters on an id; anything that cannot be an id is a 400, never a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class InstantField(IsoDateTimeField):
    """An ISO 8601 instant with its offset, moved to UTC: PostgreSQL takes no offset beyond ±15:59, which ISO 8601
    allows."""

    def to_python(self, value):
        if written_without_offset(value):
            raise forms.ValidationError(NAIVE_INSTANT, code="naive")
        instant = super().to_python(value)
        try:
            return instant and instant.astimezone(datetime.UTC)
        except OverflowError:  # before the year 1 or after 9999 in UTC: that end compares the same with any row
            return (datetime.datetime.min if instant.year == 1 else datetime.datetime.max).replace(tzinfo=datetime.UTC)


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


class StrictNullBooleanField(forms.NullBooleanField):
    widget = forms.TextInput  # the select widget turns any unknown value into "no filter" before validation

    def to_python(self, value):
        result = super().to_python(value)
        if result is None and value not in (None, ""):
            raise forms.ValidationError("Enter true or false.", code="invalid")
        return result


class BooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`; any other value is a 400, not silently ignored (which would return everything)."""

    field_class = StrictNullBooleanField


class OrderingFilter(django_filters.OrderingFilter):
    """`field` or `-field`, comma-separated. An empty item (`ordering=,`) is a 400 as an unknown field is:
    django-filter would skip it, and with nothing left drop the list's own order, so that pages shift."""

    def __init__(self, *args, fields, **kwargs):
        # Each choice is labelled with the field's name as a client writes it ("lastName", not "Lastname").
        kwargs.setdefault("field_labels", {field: param for field, param in fields})
        kwargs.setdefault(
            "help_text", "Sort by these fields, comma-separated; `-` before a field sorts it from high to low."
        )
        super().__init__(*args, fields=fields, **kwargs)

    def filter(self, qs, value):
        if value and "" in value:
            raise ValidationError({self.field_name: ["Name a field in every item: `field` or `-field`."]})
        return super().filter(qs, value)


class SearchFilter(django_filters.CharFilter):
    """Free text: every word must match one of the fields (case-insensitive)."""

    def __init__(self, *args, fields: list[str], **kwargs):
        kwargs.setdefault("max_length", 200)
        names = ", ".join(
            f"`{camelize_re.sub(underscore_to_camel, field)}`" for field in fields
        )  # as the answers name them
        kwargs.setdefault("help_text", f"Words that each appear in one of: {names} (case-insensitive).")
        super().__init__(*args, method=self.search, **kwargs)
        self.search_fields = fields

    def search(self, queryset, name, value):
        for word in value.split()[:10]:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    isActive = BooleanFilter(field_name="is_active")
    neighbourhood = IdFilter(field_name="neighbourhoods")
    search = SearchFilter(fields=["name"])
    ordering = OrderingFilter(fields=(("name", "name"), ("id", "id")))


class NeighbourhoodFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(max_length=100)
    search = SearchFilter(fields=["name", "city"])
    ordering = OrderingFilter(fields=(("name", "name"), ("city", "city"), ("id", "id")))


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    organisation = IdFilter()
    isActive = BooleanFilter(field_name="is_active")
    search = SearchFilter(fields=["username", "first_name", "last_name", "email"])
    ordering = OrderingFilter(fields=(("username", "username"), ("last_name", "lastName"), ("id", "id")))

    class Meta:
        model = User
        fields = []


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, method="filter_status")
    domain = django_filters.ChoiceFilter(choices=Domain.choices, field_name="domains__domain")
    neighbourhood = IdFilter(field_name="neighbourhoods")
    organisation = IdFilter(method="filter_organisation", help_text="The lead organisation or one of the partners.")
    search = SearchFilter(fields=["name"])
    ordering = OrderingFilter(fields=(("name", "name"), ("starts_on", "startsOn"), ("id", "id")))

    class Meta:
        model = Project
        fields = []

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        running = Q(stopped_at__isnull=True)
        return queryset.filter(
            {
                ProjectStatus.STOPPED: Q(stopped_at__isnull=False),
                ProjectStatus.COMPLETED: running & Q(ends_on__lt=today),
                ProjectStatus.ACTIVE: running & (Q(ends_on__isnull=True) | Q(ends_on__gte=today)),
            }[value]
        )

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(involving(value))
