import django_filters

from coalition.filters import BooleanFilter

from .sources import RegisteredKinds


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RegisteredKinds())
    isRead = BooleanFilter(field_name="read_at", lookup_expr="isnull", exclude=True)
