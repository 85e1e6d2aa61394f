"""The change history in the back office: every event model, read-only, with who made each change."""

from django.apps import apps
from django.contrib import admin


class EventAdmin(admin.ModelAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "user", "role"]
    list_filter = ["pgh_label"]
    list_select_related = ["pgh_context"]
    search_fields = ["=pgh_obj_id"]
    ordering = ["-pgh_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="user")
    def user(self, event):
        return _from_context(event, "user")

    @admin.display(description="role")
    def role(self, event):
        return _from_context(event, "role")


def _from_context(event, key: str):
    """What the change's context says of `key`, or a dash where it says nothing."""
    return (event.pgh_context.metadata.get(key) if event.pgh_context else None) or "—"


for event_model in apps.get_app_config("history").get_models():
    admin.site.register(event_model, EventAdmin)
