from django.urls import path
from rest_framework.routers import SimpleRouter

from . import apis, report_apis

router = SimpleRouter(trailing_slash=False)
router.register("allocations", apis.AllocationViewSet, basename="allocation")
router.register("transactions", apis.TransactionViewSet, basename="transaction")
router.register("co-financing", apis.CoFinancingViewSet, basename="co-financing")

urlpatterns = [
    *router.urls,
    path(
        "reports/programme-accountability",
        report_apis.ProgrammeAccountabilityView.as_view(),
        name="report-programme-accountability",
    ),
    path("reports/domains", report_apis.DomainsReportView.as_view(), name="report-domains"),
]
