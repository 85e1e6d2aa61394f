"""What the apps' admins share."""

from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """A row the services write (as a pathway moves on, as reminders go out): read-only but for the fields named
    in `editable`."""

    editable: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return bool(self.editable) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields if field.name not in self.editable]
