from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter(trailing_slash=False)
router.register("indicators", apis.IndicatorViewSet, basename="indicator")
router.register("indicator-periods", apis.IndicatorPeriodViewSet, basename="indicator-period")
router.register("results", apis.ResultViewSet, basename="result")
router.register("evaluations", apis.EvaluationViewSet, basename="evaluation")

urlpatterns = [
    *router.urls,
    path("reports/effort-impact", apis.EffortImpactReportView.as_view(), name="report-effort-impact"),
    path("reports/indicators", apis.IndicatorReportView.as_view(), name="report-indicators"),
]
