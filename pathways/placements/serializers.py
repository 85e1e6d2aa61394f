"""Shapes and field validation only: placements and check-ins."""

from rest_framework import serializers

from api.serializers import ModelSerializer, Serializer
from coalition.models import Organisation

from ..journey.models import Pathway
from ..journey.serializers import ResidentNameSerializer
from ..scopes import visible_to_caller
from .models import CheckIn, Placement


class PlacementSerializer(ModelSerializer):
    resident = ResidentNameSerializer(source="pathway.resident", read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "pathway",
            "resident",
            "employer",
            "job_title",
            "start_date",
            "hours_per_week",
            "contract_type",
            "status",
            "proposed_at",
            "proposed_by",
            "confirmed_at",
            "confirmed_by",
            "declined_at",
            "decline_reason",
            "end_date",
            "end_reason",
        ]
        read_only_fields = [
            "status",
            "proposed_at",
            "proposed_by",
            "confirmed_at",
            "confirmed_by",
            "declined_at",
            "decline_reason",
            "end_date",
            "end_reason",
        ]

    def adjust_fields(self, fields) -> None:
        fields["pathway"].queryset = visible_to_caller(self, Pathway)
        fields["employer"].queryset = Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER, is_active=True)


class PlacementDeclineSerializer(Serializer):
    reason = serializers.CharField(max_length=500)


class PlacementEndSerializer(Serializer):
    end_date = serializers.DateField()
    end_reason = serializers.ChoiceField(choices=Placement.EndReason.choices)


class CheckInSerializer(ModelSerializer):
    resident = ResidentNameSerializer(source="placement.pathway.resident", read_only=True)
    support_needs = serializers.ListField(child=serializers.ChoiceField(choices=CheckIn.SupportNeed.choices))

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "placement",
            "resident",
            "day",
            "due_on",
            "status",
            "completed_at",
            "outcome",
            "notes",
            "support_needs",
        ]
        read_only_fields = fields


class CheckInCompleteSerializer(Serializer):
    outcome = serializers.ChoiceField(choices=CheckIn.Outcome.choices)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    support_needs = serializers.ListField(
        child=serializers.ChoiceField(choices=CheckIn.SupportNeed.choices), max_length=20, required=False
    )
