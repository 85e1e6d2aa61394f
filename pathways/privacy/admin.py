"""The access log in the back office."""

from django.contrib import admin

from api.admin import RecordAdmin

from .models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(RecordAdmin):
    """Who looked at which resident's file: read here, never changed (the database refuses that too)."""

    list_display = ["at", "user", "role", "resident", "method", "path"]
    list_filter = ["role", "method", "at"]
    list_select_related = ["user", "resident"]
    search_fields = ["user__username", "resident__exact"]  # a resident by id: names are not logged
    date_hierarchy = "at"
