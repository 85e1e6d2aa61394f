"""Shapes and field validation only: what a write may contain, and how each object looks on the wire."""

from decimal import Decimal

from rest_framework import serializers

from api.serializers import MAX_ID, ModelSerializer, Named, Serializer
from coalition.models import Neighbourhood, Project
from coalition.serializers import ProjectDomainSerializer, object_list

from . import selectors
from .models import Decision, Evaluation, Indicator, IndicatorPeriod, Quadrant, Result

SCORE = {"min_value": Decimal("1.0"), "max_value": Decimal("5.0"), "max_digits": 2, "decimal_places": 1}


class IndicatorSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "name", "description", "unit", "direction", "aggregation", "source"]
        extra_kwargs = {"description": {"max_length": 5000}}


class IndicatorPeriodSerializer(ModelSerializer):
    actual = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="From approved results, or computed.",
    )
    progress = serializers.FloatField(read_only=True, allow_null=True, help_text="Towards the target, to 4 decimals.")

    class Meta:
        model = IndicatorPeriod
        fields = [
            "id",
            "project",
            "indicator",
            "period_start",
            "period_end",
            "baseline",
            "target",
            "actual",
            "progress",
        ]
        extra_kwargs = {"baseline": {"min_value": 0}, "target": {"min_value": 0}}


class IndicatorPeriodUpdateSerializer(IndicatorPeriodSerializer):
    """A period keeps its project and indicator."""

    class Meta(IndicatorPeriodSerializer.Meta):
        read_only_fields = ["project", "indicator"]


class ResultSerializer(ModelSerializer):
    class Meta:
        model = Result
        fields = [
            "id",
            "period",
            "value",
            "measured_on",
            "neighbourhood",
            "note",
            "status",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = ["status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_note"]
        extra_kwargs = {"value": {"min_value": 0}, "note": {"max_length": 5000}}

    def adjust_fields(self, fields) -> None:
        request = self.context["request"]
        fields["period"].queryset = selectors.indicator_period_list(user=request.user)
        fields["neighbourhood"].queryset = Neighbourhood.objects.all()


class ResultUpdateSerializer(ResultSerializer):
    """A result stays with its period."""

    class Meta(ResultSerializer.Meta):
        read_only_fields = ["period", *ResultSerializer.Meta.read_only_fields]


class ReturnSerializer(Serializer):
    review_note = serializers.CharField(max_length=5000, help_text="What to put right; required, not blank.")


class EvaluationSerializer(ModelSerializer):
    impact = serializers.DecimalField(**SCORE)
    effort = serializers.DecimalField(**SCORE)
    quadrant = serializers.ChoiceField(choices=Quadrant.choices, read_only=True)
    suggested_decision = serializers.ChoiceField(choices=Decision.choices, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "project",
            "round",
            "impact",
            "effort",
            "quadrant",
            "suggested_decision",
            "decision",
            "rationale",
            "decided_by",
            "decided_at",
            "next_evaluation_due",
        ]
        read_only_fields = ["decided_by", "decided_at", "next_evaluation_due"]
        extra_kwargs = {"rationale": {"max_length": 5000}, "round": {"help_text": 'A name such as "2026".'}}
        validators = []  # a second evaluation in a round is a conflict (409), refused by the service

    def adjust_fields(self, fields) -> None:
        fields["project"].queryset = Project.objects.all()


# --- Reports --------------------------------------------------------------------------------------------------


class EffortImpactRowSerializer(Serializer):
    """An evaluation of the round, shown with its project."""

    project = Named()
    impact = serializers.DecimalField(max_digits=2, decimal_places=1)
    effort = serializers.DecimalField(max_digits=2, decimal_places=1)
    quadrant = serializers.ChoiceField(choices=Quadrant.choices)
    decision = serializers.ChoiceField(choices=Decision.choices)
    is_pearl = serializers.BooleanField(source="project.is_pearl", help_text="The project's, as /projects shows it.")
    domains = object_list(ProjectDomainSerializer(), source="project.domains")


class EffortImpactReportSerializer(Serializer):
    round = serializers.CharField()
    results = EffortImpactRowSerializer(many=True)


class EffortImpactQuerySerializer(serializers.Serializer):  # query parameters: others (e.g. format) are ignored
    # Not blank (a pattern the schema shows, so that a generated client knows it too).
    round = serializers.RegexField(r"\S", max_length=50, help_text='The round, such as "2026".')


class IndicatorShownSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.ChoiceField(choices=Indicator.Direction.choices)


class IndicatorReportRowSerializer(IndicatorPeriodSerializer):
    """A period as /indicator-periods shows it, with its indicator named."""

    indicator = IndicatorShownSerializer()

    class Meta(IndicatorPeriodSerializer.Meta):
        fields = ["indicator", "period_start", "period_end", "baseline", "target", "actual", "progress"]


class IndicatorReportSerializer(Serializer):
    project = Named()
    results = IndicatorReportRowSerializer(many=True)


class IndicatorReportQuerySerializer(serializers.Serializer):
    project = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The project's id.")
