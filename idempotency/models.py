from django.conf import settings
from django.db import models


class Record(models.Model):
    """One `Idempotency-Key` of one user: claimed (committed) before the request is carried out, so that a
    concurrent duplicate sees it; its answer stored in the same transaction as the work."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # of the method, the path and the body as JSON
    created_at = models.DateTimeField(db_index=True)
    status = models.PositiveSmallIntegerField(null=True)  # null until an answer is stored
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    location = models.CharField(max_length=2000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_record_user_key")]

    def __str__(self) -> str:
        return f"{self.key} of user {self.user_id}"
