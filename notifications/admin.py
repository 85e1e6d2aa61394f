from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser

from api.admin import RecordAdmin

from .models import Notification, OutboxEmail, SweepProblem


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["subject", "recipient__username", "recipient__last_name"]
    date_hierarchy = "created_at"


@admin.register(OutboxEmail)
class OutboxEmailAdmin(RecordAdmin):
    """Where failed and stuck e-mails (`send_reminders` reports them) are looked into."""

    list_display = ["notification", "recipient", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "notification__kind"]
    list_select_related = ["notification__recipient"]
    search_fields = ["notification__subject", "notification__recipient__username", "notification__recipient__email"]
    date_hierarchy = "created_at"

    @admin.display(description="recipient")
    def recipient(self, email: OutboxEmail) -> AbstractBaseUser:
        return email.notification.recipient


@admin.register(SweepProblem)
class SweepProblemAdmin(RecordAdmin):
    """The latest problem of each step of the reminder sweep, as /health shows it; the workers' log names the rows
    left out and the errors."""

    list_display = ["step", "at", "failed", "skipped_rows"]
    search_fields = ["step"]
