"""Shapes and field validation only: what a write may contain, and how each object looks on the wire. Money is a
decimal string with two decimals (contract §12)."""

from rest_framework import serializers

from api.serializers import IdRelatedField, ModelSerializer
from coalition.models import Programme, Project

from .models import MONEY, Allocation, CoFinancing, Transaction

YEAR = {"min_value": 2000, "max_value": 2100}


class AllocationSerializer(ModelSerializer):
    remaining = serializers.DecimalField(**MONEY, read_only=True, help_text="`amount` less `spent`.")

    class Meta:
        model = Allocation
        fields = ["id", "programme", "project", "year", "amount", "spent", "remaining"]
        extra_kwargs = {
            "year": {**YEAR, "help_text": "Within the programme's years."},
            "amount": {"min_value": 0},
            "spent": {"help_text": "The sum of its expenditures."},
        }
        validators = []  # a second allocation of a programme to a project in a year is a conflict (409)


class AllocationUpdateSerializer(AllocationSerializer):
    """An allocation keeps its programme, project and year; its amount may change."""

    class Meta(AllocationSerializer.Meta):
        read_only_fields = ["programme", "project", "year"]


class TransactionSerializer(ModelSerializer):
    # Shown from the transaction's allocation; given, they find it (with the year of `date`).
    programme = IdRelatedField(source="allocation.programme", queryset=Programme.objects.all())
    project = IdRelatedField(source="allocation.project", queryset=Project.objects.all())

    class Meta:
        model = Transaction
        fields = [
            "id",
            "programme",
            "project",
            "kind",
            "date",
            "amount",
            "receiver",
            "description",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]
        extra_kwargs = {
            "date": {"help_text": "Not in the future; its year names the allocation."},
            "amount": {"help_text": "Negative for a correction or a refund."},
            "receiver": {"help_text": "The organisation paid (an organisation's id), or null."},
            "description": {"max_length": 5000},
        }


class CoFinancingSerializer(ModelSerializer):
    class Meta:
        model = CoFinancing
        fields = ["id", "project", "organisation", "year", "amount", "form", "sector"]
        extra_kwargs = {"year": YEAR, "amount": {"min_value": 0}}
