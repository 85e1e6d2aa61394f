"""The filter backend of every list (DEFAULT_FILTER_BACKENDS)."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, left out when the query names none of the view's filters: building the FilterSet
    (a copy of every filter, a form to validate) costs more than a page of rows, to return the queryset as it was."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or request.query_params.keys().isdisjoint(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)
