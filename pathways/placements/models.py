"""Jobs for residents, and the check-ins after a placement."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from coalition.models import Organisation
from history.tracking import tracked

from ..journey.models import Pathway


@tracked()
class Placement(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    class ContractType(models.TextChoices):
        PERMANENT = "permanent", "Permanent"
        FIXED_TERM = "fixed_term", "Fixed term"
        APPRENTICESHIP = "apprenticeship", "Apprenticeship"
        TEMPORARY_AGENCY = "temporary_agency", "Temporary agency"
        OTHER = "other", "Other"

    class EndReason(models.TextChoices):
        CONTRACT_ENDED = "contract_ended", "Contract ended"
        RESIGNED = "resigned", "Resigned"
        DISMISSED = "dismissed", "Dismissed"
        OTHER = "other", "Other"

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="placements")
    employer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="placements")
    job_title = models.CharField(max_length=200)
    start_date = models.DateField()
    hours_per_week = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(60)])
    contract_type = models.CharField(max_length=32, choices=ContractType.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway"], condition=Q(status="confirmed"), name="placement_one_confirmed_per_pathway"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_title} at {self.employer}"


@tracked()
class CheckIn(models.Model):
    """A post-placement conversation due `day` days after the placement's start."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DUE = "due", "Due"
        COMPLETED = "completed", "Completed"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    class Outcome(models.TextChoices):
        EMPLOYED = "employed", "Employed"
        AT_RISK = "at_risk", "At risk"
        LEFT_JOB = "left_job", "Left job"

    class SupportNeed(models.TextChoices):
        HOUSING = "housing", "Housing"
        DEBT = "debt", "Debt"
        HEALTH = "health", "Health"
        CHILDCARE = "childcare", "Childcare"
        TRANSPORT = "transport", "Transport"
        SKILLS = "skills", "Skills"
        LANGUAGE = "language", "Language"
        OTHER = "other", "Other"

    # A check-in that can still be held (a late one still counts).
    OPEN = frozenset({Status.SCHEDULED, Status.DUE, Status.MISSED})

    # No index of its own: the unique (placement, day) index serves lookups by placement, and one index fewer
    # makes the sweep's set-wise updates of a million check-ins a third faster.
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="check_ins", db_index=False)
    day = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    support_needs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "day"], name="check_in_once_per_day"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="check_in_status_due")]

    def __str__(self) -> str:
        return f"Day {self.day} check-in of placement {self.placement_id}"
