import django_filters

from coalition.filters import BooleanFilter

from .sources import kind_choices


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=kind_choices)
    isRead = BooleanFilter(field_name="read_at", lookup_expr="isnull", exclude=True)
