from rest_framework import serializers

from api.serializers import ModelSerializer

from .models import Notification


class NotificationSerializer(ModelSerializer):
    object_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "created_at", "read_at", "object_type", "object_id"]
        read_only_fields = fields
