"""How the reports look on the wire."""

from rest_framework import serializers

from api.serializers import Serializer

from ..journey.stages import Stage
from .reports import MILESTONES


class MilestoneSerializer(Serializer):
    eligible = serializers.IntegerField(help_text="Placements whose check-in of this day fell due or was held.")
    retained = serializers.IntegerField(help_text="Of those, held with outcome `employed`.")
    rate = serializers.FloatField(allow_null=True, help_text="retained / eligible to 4 decimals; null if none.")


class ReportGroupSerializer(Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)


# {"30": {...}, "90": {...}, ...}: the milestone days are the keys.
MilestonesSerializer = type(
    "MilestonesSerializer", (Serializer,), {str(day): MilestoneSerializer() for day in MILESTONES}
)


class RetentionRowSerializer(Serializer):
    group = ReportGroupSerializer()
    placements = serializers.IntegerField(help_text="Confirmed and ended placements in the group.")
    milestones = MilestonesSerializer()


class RetentionReportSerializer(Serializer):
    results = RetentionRowSerializer(many=True)


# {"intake": 12, "learning": 30, ...}: one count per stage.
StageCountsSerializer = type(
    "StageCountsSerializer",
    (Serializer,),
    {stage.value: serializers.IntegerField(help_text=f"Residents at `{stage.value}`.") for stage in Stage},
)


class StagesRowSerializer(Serializer):
    group = ReportGroupSerializer()
    stages = StageCountsSerializer()
    total = serializers.IntegerField(help_text="Residents in the group.")


class StagesReportSerializer(Serializer):
    results = StagesRowSerializer(many=True)
