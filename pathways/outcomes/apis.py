"""The coordinators' reports (contract §8): JSON, or CSV for a spreadsheet."""

from django.utils import timezone
from rest_framework import serializers
from rest_framework.response import Response

from api.reports import report_schema
from coalition.reports import CoordinatorsReportView

from ..journey.stages import Stage
from . import examples
from .reports import GROUPS, MILESTONES, STAGE_GROUPS, retention_report, stage_report
from .serializers import RetentionReportSerializer, StagesReportSerializer


class RetentionQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    groupBy = serializers.ChoiceField(choices=sorted(GROUPS), help_text="What to group the placements by.")


class RetentionReportView(CoordinatorsReportView):
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
        also={"text/csv": examples.RETENTION_REPORT_CSV},
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


class StagesReportView(CoordinatorsReportView):
    query_serializer = StagesQuerySerializer
    csv_header = ["groupId", "groupName", *Stage.values, "total"]

    def csv_row(self, row: dict) -> list:
        return [row["group"]["id"], row["group"]["name"], *row["stages"].values(), row["total"]]

    @report_schema(
        StagesQuerySerializer,
        StagesReportSerializer,
        example=examples.STAGES_REPORT,
        also={"text/csv": examples.STAGES_REPORT_CSV},
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
