"""The access log's endpoint: coordinators read who looked at which resident's file."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api.docs import answer_example
from coalition.permissions import IsCoordinator

from . import examples, selectors
from .filters import AccessLogFilter
from .serializers import AccessLogEntrySerializer


@extend_schema_view(
    list=extend_schema(
        summary="Read the access log",
        description="Coordinators: who looked at which resident's file, newest first. Every answer of the API "
        "that showed a resident's personal data left an entry per resident shown. Filter by `resident`, `user`, "
        "`after` and `before`. Read-only (any write answers 405); reading it is not itself logged.",
        examples=[answer_example("A coach opened a file", examples.ACCESS_LOG_ENTRY)],
    ),
)
class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who looked at which resident's file, newest first: every answer of the API that showed residents left an
    entry per resident shown. Read-only (any write answers 405); reading it is not itself logged."""

    serializer_class = AccessLogEntrySerializer
    filterset_class = AccessLogFilter
    permission_classes = [IsCoordinator]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return selectors.access_log_list()
