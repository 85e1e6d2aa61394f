"""How an entry of the access log looks on the wire."""

from rest_framework import serializers

from api.serializers import ModelSerializer
from coalition.models import Role

from .models import AccessLogEntry


class AccessLogEntrySerializer(ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, help_text="The role the user acted in.")

    class Meta:
        model = AccessLogEntry
        fields = ["id", "at", "user", "role", "resident", "method", "path"]
        read_only_fields = fields
        extra_kwargs = {"path": {"help_text": "The path asked, without its query string."}}
