from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter(trailing_slash=False)
router.register("residents", apis.ResidentViewSet, basename="resident")
router.register("pathways", apis.PathwayViewSet, basename="pathway")
router.register("modules", apis.ModuleViewSet, basename="module")
router.register("enrolments", apis.EnrolmentViewSet, basename="enrolment")
router.register("placements", apis.PlacementViewSet, basename="placement")
router.register("check-ins", apis.CheckInViewSet, basename="check-in")
router.register("access-log", apis.AccessLogViewSet, basename="access-log")

urlpatterns = [
    path("reports/retention", apis.RetentionReportView.as_view(), name="report-retention"),
    path("reports/stages", apis.StagesReportView.as_view(), name="report-stages"),
    *router.urls,
]
