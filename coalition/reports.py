"""The coordinators' reports (contract §3: reports are for coordinators only; the money's hide themselves)."""

from api.reports import ReportView

from .permissions import IsCoordinator


class CoordinatorsReportView(ReportView):
    permission_classes = [IsCoordinator]
