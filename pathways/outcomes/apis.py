"""The coordinators' reports (contract §8): JSON, or CSV for a spreadsheet."""

import csv
import io

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from api.rendering import CamelCaseJSONRenderer
from coalition.permissions import IsCoordinator

from ..journey.stages import Stage
from . import examples
from .reports import GROUPS, MILESTONES, STAGE_GROUPS, retention_report, stage_report
from .serializers import RetentionReportSerializer, StagesReportSerializer


class ReportCSVRenderer(BaseRenderer):
    """A report as a spreadsheet: the view's `csv_header`, then its `csv_row` of each result."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, dict) or "results" not in data:  # an error: problem+json is rendered elsewhere
            return b""
        view = renderer_context["view"]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(view.csv_header)
        for row in data["results"]:
            writer.writerow(["" if cell is None else cell for cell in view.csv_row(row)])
        return out.getvalue().encode()


class ReportView(GenericAPIView):
    """A coordinators' report: JSON, or CSV with `Accept: text/csv` (or `?format=csv`)."""

    permission_classes = [IsCoordinator]
    renderer_classes = [CamelCaseJSONRenderer, ReportCSVRenderer]
    pagination_class = None
    filter_backends = []
    query_serializer: type[serializers.Serializer]

    def query(self) -> dict:
        query = self.query_serializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


def report_schema(query, report, example: dict, csv_example: str, **kwargs):
    """A report's documentation: its query, the JSON answer, and the CSV answer as the text it is."""
    return extend_schema(
        parameters=[query],
        responses={(200, "application/json"): report, (200, "text/csv"): OpenApiTypes.STR},
        examples=[
            OpenApiExample("JSON", value=example, response_only=True, media_type="application/json"),
            OpenApiExample("CSV", value=csv_example, response_only=True, media_type="text/csv"),
        ],
        tags=["reports"],
        **kwargs,
    )


class RetentionQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    groupBy = serializers.ChoiceField(choices=sorted(GROUPS), help_text="What to group the placements by.")


class RetentionReportView(ReportView):
    query_serializer = RetentionQuerySerializer
    csv_header = ["groupId", "groupName", "placements"] + [
        f"{column}{day}" for day in MILESTONES for column in ("eligible", "retained", "rate")
    ]

    def csv_row(self, row: dict) -> list:
        cells = [row["group"]["id"], row["group"]["name"], row["placements"]]
        for day in MILESTONES:
            milestone = row["milestones"][str(day)]
            cells += [milestone["eligible"], milestone["retained"], milestone["rate"]]
        return cells

    @report_schema(
        RetentionQuerySerializer,
        RetentionReportSerializer,
        example=examples.RETENTION_REPORT,
        csv_example=examples.RETENTION_REPORT_CSV,
        summary="Retention after placement, per group",
        description=(
            "Do residents stay in work? Per group (`groupBy`), of the confirmed and ended placements: how many were "
            "*eligible* at day 30, 90, 180 and 365 (that check-in fell due or was held) and how many were "
            "*retained* (held with outcome `employed`); `rate` is retained / eligible to 4 decimals, `null` when "
            "none is eligible. A check-in cancelled because the job ended counts as eligible and never as retained. "
            'Placements without a group (no neighbourhood, say) are under `{"id": null, "name": null}`; '
            "with `groupBy=module` a placement counts for every module its pathway followed.\n\n"
            "With `Accept: text/csv` (or `?format=csv`) the same report is a CSV file: a header row, then one row "
            "per group, three columns per milestone."
        ),
    )
    def get(self, request):
        results = retention_report(group_by=self.query()["groupBy"], today=timezone.localdate())
        return Response({"results": results})


class StagesQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    groupBy = serializers.ChoiceField(choices=sorted(STAGE_GROUPS), help_text="What to group the residents by.")


class StagesReportView(ReportView):
    query_serializer = StagesQuerySerializer
    csv_header = ["groupId", "groupName", *Stage.values, "total"]

    def csv_row(self, row: dict) -> list:
        return [row["group"]["id"], row["group"]["name"], *row["stages"].values(), row["total"]]

    @report_schema(
        StagesQuerySerializer,
        StagesReportSerializer,
        example=examples.STAGES_REPORT,
        csv_example=examples.STAGES_REPORT_CSV,
        summary="Residents per stage, per group",
        description=(
            "How many residents are at each stage, per neighbourhood, programme or coach (`groupBy`): one request "
            "instead of one list per stage. A resident counts at the stage of their current pathway (the open one, "
            "or the last closed one); `total` is every resident in the group. Residents without a group (no "
            'coach, say) are under `{"id": null, "name": null}`; erased residents count like any other.\n\n'
            "With `Accept: text/csv` (or `?format=csv`) the same report is a CSV file: a header row, then one row "
            "per group."
        ),
    )
    def get(self, request):
        return Response({"results": stage_report(group_by=self.query()["groupBy"])})
