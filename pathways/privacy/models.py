"""The access log: who looked at which resident's file."""

from django.conf import settings
from django.db import models

from ..journey.models import Resident


class AccessLogEntry(models.Model):
    """Who looked at which resident's file, when, where and in what role (BIO 12.4, NEN 7513).

    Append-only: the database itself refuses to update or delete a row (migration 0003). It holds no personal data
    beyond the resident's id — the path is kept without its query string — so erasure never needs to change it.

    Its references are not re-checked by the database: every answer that shows residents writes here, and checking
    each row's resident and user at commit (locking those rows) doubled the cost of logging a page. The INSERT
    takes its resident ids from the resident table itself and its user from the request's authentication; PROTECT
    still keeps Django from deleting a resident or user that the log names. The composite indexes serve the
    lookups by resident and by user, so the foreign keys need none of their own.
    """

    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    role = models.CharField(max_length=16)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["resident", "-at"], name="access_log_by_resident"),
            models.Index(fields=["user", "-at"], name="access_log_by_user"),
        ]
        verbose_name_plural = "access log"

    def __str__(self) -> str:
        return f"{self.user_id} {self.method} {self.path} (resident {self.resident_id})"
