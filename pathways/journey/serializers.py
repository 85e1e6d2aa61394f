"""Shapes and field validation only: what a write about a resident or a pathway may contain, and how each looks on
the wire."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import ModelSerializer, Serializer
from coalition.models import Role, User

from ..scopes import visible_to_caller
from .models import Pathway, Resident, StageChange
from .stages import Stage

PHONE = RegexValidator(r"^\+?[0-9][0-9 ()\-]{5,30}$", "Enter a phone number: digits, spaces, ( ) - and a leading +.")


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
        fields["resident"].queryset = visible_to_caller(self, Resident)


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
