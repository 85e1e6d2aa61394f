"""Residents and their pathways, with each pathway's stage history."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from coalition.models import Neighbourhood, Programme
from history.tracking import tracked

from .stages import CLOSED_STAGES, OPEN_STAGES, Stage


@tracked()
class Resident(models.Model):
    """A resident on a work-and-learn pathway. No citizen service number (BSN) is ever stored."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.PROTECT, related_name="residents"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="residents")
    consent_given_at = models.DateTimeField(help_text="When the resident agreed to their data being kept.")
    created_at = models.DateTimeField(auto_now_add=True)
    # The open pathway, or the last closed one. Kept by the service that opens pathways, so that lists and the
    # `stage` filter need a join rather than a subquery per row. (Named with its app: the resident's event model, in
    # the history app, must find it too.)
    current_pathway = models.OneToOneField(
        "pathways.Pathway", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # When the resident was anonymised (pathways.privacy.services.resident_erase): the row stays, so that counts
    # stay right.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="resident_name_order")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


@tracked()
class Pathway(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="pathways")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    started_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=Q(closed_at__isnull=True), name="pathway_one_open_per_resident"
            ),
            models.CheckConstraint(
                condition=(
                    Q(stage__in=OPEN_STAGES, closed_at__isnull=True)
                    | Q(stage__in=CLOSED_STAGES, closed_at__isnull=False)
                ),
                name="pathway_closed_iff_closed_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"Pathway {self.pk} ({self.stage})"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


@tracked()
class StageChange(models.Model):
    """Append-only history of a pathway's stages; the first row (from nothing to intake) is its opening."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="history")
    sequence = models.PositiveIntegerField()
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pathway", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "sequence"], name="stage_change_unique_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"
