from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from coalition import apis as coalition_apis
from config import problems
from config.docs import OpenApiView
from config.health import HealthView
from evaluation import apis as evaluation_apis
from notifications import apis as notification_apis
from pathways import apis as pathway_apis

router = SimpleRouter(trailing_slash=False)
router.register("organisations", coalition_apis.OrganisationViewSet, basename="organisation")
router.register("neighbourhoods", coalition_apis.NeighbourhoodViewSet, basename="neighbourhood")
router.register("programmes", coalition_apis.ProgrammeViewSet, basename="programme")
router.register("users", coalition_apis.UserViewSet, basename="user")
router.register("projects", coalition_apis.ProjectViewSet, basename="project")
router.register("residents", pathway_apis.ResidentViewSet, basename="resident")
router.register("pathways", pathway_apis.PathwayViewSet, basename="pathway")
router.register("modules", pathway_apis.ModuleViewSet, basename="module")
router.register("enrolments", pathway_apis.EnrolmentViewSet, basename="enrolment")
router.register("placements", pathway_apis.PlacementViewSet, basename="placement")
router.register("check-ins", pathway_apis.CheckInViewSet, basename="check-in")
router.register("notifications", notification_apis.NotificationViewSet, basename="notification")
router.register("access-log", pathway_apis.AccessLogViewSet, basename="access-log")
router.register("indicators", evaluation_apis.IndicatorViewSet, basename="indicator")
router.register("indicator-periods", evaluation_apis.IndicatorPeriodViewSet, basename="indicator-period")
router.register("results", evaluation_apis.ResultViewSet, basename="result")
router.register("evaluations", evaluation_apis.EvaluationViewSet, basename="evaluation")

api_v1 = [
    path("health", HealthView.as_view(), name="health"),
    path("auth/token", coalition_apis.TokenView.as_view(), name="auth-token"),
    path("auth/logout", coalition_apis.LogoutView.as_view(), name="auth-logout"),
    path("me", coalition_apis.MeView.as_view(), name="me"),
    path("reports/retention", pathway_apis.RetentionReportView.as_view(), name="report-retention"),
    path("reports/stages", pathway_apis.StagesReportView.as_view(), name="report-stages"),
    path("openapi.json", OpenApiView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi"), name="docs"),
    *router.urls,
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    # Anything else under /api/ (a trailing slash, an unknown resource) is a problem 404, in debug mode too.
    re_path(r"^api/", problems.not_found),
]

handler400 = problems.bad_request
handler403 = problems.permission_denied
handler404 = problems.not_found
handler500 = problems.server_error
