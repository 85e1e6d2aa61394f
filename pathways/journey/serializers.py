"""Shapes and field validation only: what a write may contain, and how each object looks on the wire."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import ModelSerializer, Serializer
from coalition.models import Organisation, Role, User

from . import selectors
from .models import AccessLogEntry, CheckIn, Enrolment, Module, Pathway, Placement, Resident, StageChange
from .reports import MILESTONES
from .stages import Stage

PHONE = RegexValidator(r"^\+?[0-9][0-9 ()\-]{5,30}$", "Enter a phone number: digits, spaces, ( ) - and a leading +.")


def _visible(serializer: serializers.Serializer, model) -> object:
    return selectors.visible_to(serializer.context["request"].user, model)


class CurrentPathwaySerializer(ModelSerializer):
    class Meta:
        model = Pathway
        fields = ["id", "stage"]


class ResidentNameSerializer(ModelSerializer):
    """All that employers and educators see of a resident."""

    class Meta:
        model = Resident
        fields = ["id", "first_name", "last_name"]
        read_only_fields = fields


class ResidentSerializer(ModelSerializer):
    current_pathway = CurrentPathwaySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "neighbourhood",
            "coach",
            "programme",
            "consent_given_at",
            "created_at",
            "current_pathway",
        ]
        extra_kwargs = {
            "phone": {"validators": [PHONE]},
            "coach": {"queryset": User.objects.filter(role=Role.COACH, is_active=True)},  # cloned at each use
        }

    def adjust_fields(self, fields) -> None:
        if self.role != Role.COORDINATOR:
            fields["coach"].read_only = True  # a coach's caseload is assigned by coordinators


class PathwaySerializer(ModelSerializer):
    class Meta:
        model = Pathway
        fields = ["id", "resident", "stage", "started_at", "closed_at", "exit_reason"]
        read_only_fields = ["stage", "started_at", "closed_at", "exit_reason"]

    def adjust_fields(self, fields) -> None:
        fields["resident"].queryset = _visible(self, Resident)


class TransitionSerializer(Serializer):
    to = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    exit_reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Required when `to` is `exited`, else absent."
    )


class StageChangeSerializer(ModelSerializer):
    from_stage = serializers.SerializerMethodField()

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "at", "by", "note"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Stage.choices, allow_null=True))
    def get_from_stage(self, change: StageChange) -> str | None:
        return change.from_stage or None  # the opening of a pathway comes from no stage


class ModuleSerializer(ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title", "theme", "provider", "hours", "capacity", "starts_on", "ends_on", "project"]

    def adjust_fields(self, fields) -> None:
        fields["provider"].queryset = Organisation.objects.filter(is_active=True)


class EnrolmentSerializer(ModelSerializer):
    resident = ResidentNameSerializer(source="pathway.resident", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "pathway",
            "module",
            "resident",
            "status",
            "enrolled_at",
            "completed_at",
            "dropped_at",
            "attended_hours",
        ]
        read_only_fields = ["status", "enrolled_at", "completed_at", "dropped_at", "attended_hours"]
        validators = []  # a second enrolment in one module is a conflict (409), refused by the service

    def adjust_fields(self, fields) -> None:
        fields["pathway"].queryset = _visible(self, Pathway)
        fields["module"].queryset = _visible(self, Module)


class AttendanceSerializer(EnrolmentSerializer):
    """Recording attendance: only `attendedHours` may change."""

    class Meta(EnrolmentSerializer.Meta):
        read_only_fields = [name for name in EnrolmentSerializer.Meta.fields if name != "attended_hours"]


class EnrolmentCompleteSerializer(Serializer):
    attended_hours = serializers.IntegerField(min_value=0, max_value=5000, required=False)


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
        fields["pathway"].queryset = _visible(self, Pathway)
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


class AccessLogEntrySerializer(ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, help_text="The role the user acted in.")

    class Meta:
        model = AccessLogEntry
        fields = ["id", "at", "user", "role", "resident", "method", "path"]
        read_only_fields = fields
        extra_kwargs = {"path": {"help_text": "The path asked, without its query string."}}


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
