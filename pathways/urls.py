from django.urls import path
from rest_framework.routers import SimpleRouter

from .journey.apis import PathwayViewSet, ResidentViewSet
from .learning.apis import EnrolmentViewSet, ModuleViewSet
from .outcomes.apis import RetentionReportView, StagesReportView
from .placements.apis import CheckInViewSet, PlacementViewSet
from .privacy.apis import AccessLogViewSet

router = SimpleRouter(trailing_slash=False)
router.register("residents", ResidentViewSet, basename="resident")
router.register("pathways", PathwayViewSet, basename="pathway")
router.register("modules", ModuleViewSet, basename="module")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("placements", PlacementViewSet, basename="placement")
router.register("check-ins", CheckInViewSet, basename="check-in")
router.register("access-log", AccessLogViewSet, basename="access-log")

urlpatterns = [
    path("reports/retention", RetentionReportView.as_view(), name="report-retention"),
    path("reports/stages", StagesReportView.as_view(), name="report-stages"),
    *router.urls,
]
