"""The caller's own notifications (contract §7)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from api.docs import answer_example
from api.serializers import NoBody
from api.viewsets import ServiceViewSet

from . import examples, selectors, services
from .filters import NotificationFilter
from .serializers import NotificationSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List my notifications",
        description="The caller's own notifications, newest first (each was also sent by e-mail); filter by "
        "`kind` or `isRead`.",
        examples=[answer_example("Check-in due", examples.NOTIFICATION)],
    ),
    retrieve=extend_schema(
        summary="Get one of my notifications",
        description="One of the caller's own notifications; anyone else's answers 404.",
        examples=[answer_example("Check-in due", examples.NOTIFICATION)],
    ),
    read=extend_schema(
        summary="Mark a notification read",
        description="Sets `readAt` (once; reading again keeps the first moment). No body.",
    ),
)
class NotificationViewSet(ServiceViewSet):
    """The caller's own notifications."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    def residents_shown(self, objects):
        return selectors.notified_residents(notifications=objects)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        self.validated(NoBody)
        return self.respond(services.notification_read(notification=notification))
