"""The back office for the evaluation. The catalogue is edited here; periods, results and evaluations are written
through the API, whose services check overlaps, the review's moves and what a decision does, so they are read-only
here (a period's baseline and target excepted)."""

from django.contrib import admin

from api.admin import RecordAdmin

from .models import Evaluation, Indicator, IndicatorPeriod, Result


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "direction", "aggregation", "source"]
    list_filter = ["source", "direction"]
    search_fields = ["name", "unit"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return ["source", "aggregation"] if obj is not None else []  # computed ones always sum: set once


@admin.register(IndicatorPeriod)
class IndicatorPeriodAdmin(RecordAdmin):
    editable = ("baseline", "target")
    list_display = ["project", "indicator", "period_start", "period_end", "baseline", "target"]
    list_select_related = ["project", "indicator"]
    list_filter = ["indicator"]
    search_fields = ["project__name", "indicator__name"]


@admin.register(Result)
class ResultAdmin(RecordAdmin):
    list_display = ["period", "value", "measured_on", "status"]
    list_select_related = ["period__project", "period__indicator"]
    list_filter = ["status"]
    search_fields = ["period__project__name", "note"]


@admin.register(Evaluation)
class EvaluationAdmin(RecordAdmin):
    list_display = ["project", "round", "impact", "effort", "decision", "decided_at"]
    list_select_related = ["project"]
    list_filter = ["round", "decision"]
    search_fields = ["project__name", "round"]
