"""The caller's own notifications (contract §7)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from config.api import NoBody, ServiceViewSet

from . import selectors, services
from .filters import NotificationFilter
from .serializers import NotificationSerializer


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
