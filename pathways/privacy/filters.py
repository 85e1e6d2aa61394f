"""Query parameters of the access log, named in lowerCamelCase as the contract names them."""

import django_filters

from coalition.filters import IdFilter, InstantFilter


class AccessLogFilter(django_filters.FilterSet):
    resident = IdFilter(help_text="Entries about this resident: who looked at their file.")
    user = IdFilter(help_text="Entries of what this user looked at.")
    after = InstantFilter(
        field_name="at", lookup_expr="gte", help_text="At or after this instant (ISO 8601, with its offset)."
    )
    before = InstantFilter(
        field_name="at", lookup_expr="lt", help_text="Before this instant, not at it (ISO 8601, with its offset)."
    )
