from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis
from .health import HealthView

router = SimpleRouter(trailing_slash=False)
router.register("notifications", apis.NotificationViewSet, basename="notification")

urlpatterns = [path("health", HealthView.as_view(), name="health"), *router.urls]
