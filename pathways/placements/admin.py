"""The back office for placements and their check-ins."""

from django.contrib import admin

from api.admin import RecordAdmin

from ..journey.admin import RecordInline, ResidentDisplay, resident_search
from .models import CheckIn, Placement


class CheckInInline(RecordInline):
    model = CheckIn
    fields = ["day", "due_on", "status", "completed_at", "outcome"]


@admin.register(Placement)
class PlacementAdmin(ResidentDisplay, RecordAdmin):
    editable = ("job_title", "hours_per_week", "contract_type")
    list_display = ["resident", "job_title", "employer", "status", "start_date", "contract_type", "end_date"]
    list_filter = ["status", "contract_type", "end_reason", "employer"]
    list_select_related = ["pathway__resident", "employer"]
    search_fields = [*resident_search("pathway__resident"), "job_title", "employer__name"]
    date_hierarchy = "start_date"
    inlines = [CheckInInline]


@admin.register(CheckIn)
class CheckInAdmin(ResidentDisplay, RecordAdmin):
    resident_path = "placement__pathway__resident"
    editable = ("notes",)
    list_display = ["resident", "placement", "day", "due_on", "status", "outcome", "completed_at"]
    list_filter = ["status", "outcome", "day"]
    list_select_related = ["placement__pathway__resident", "placement__employer"]
    search_fields = [*resident_search("placement__pathway__resident"), "notes"]
    date_hierarchy = "due_on"
