from django.urls import path

from . import report_apis

urlpatterns = [
    path(
        "reports/programme-accountability",
        report_apis.ProgrammeAccountabilityView.as_view(),
        name="report-programme-accountability",
    ),
    path("reports/domains", report_apis.DomainsReportView.as_view(), name="report-domains"),
]
