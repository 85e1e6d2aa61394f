"""Shapes and field validation only: modules and enrolments."""

from rest_framework import serializers

from api.serializers import ModelSerializer, Serializer
from coalition.models import Organisation

from ..journey.models import Pathway
from ..journey.serializers import ResidentNameSerializer
from ..scopes import visible_to_caller
from .models import Enrolment, Module


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
        fields["pathway"].queryset = visible_to_caller(self, Pathway)
        fields["module"].queryset = visible_to_caller(self, Module)


class AttendanceSerializer(EnrolmentSerializer):
    """Recording attendance: only `attendedHours` may change."""

    class Meta(EnrolmentSerializer.Meta):
        read_only_fields = [name for name in EnrolmentSerializer.Meta.fields if name != "attended_hours"]


class EnrolmentCompleteSerializer(Serializer):
    attended_hours = serializers.IntegerField(min_value=0, max_value=5000, required=False)
