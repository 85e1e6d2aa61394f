"""Residents and their pathways: modules, enrolments, placements and the check-ins after placement."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from coalition.models import Neighbourhood, Organisation, Programme, Project
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
    # When the resident was anonymised (pathways.services.resident_erase): the row stays, so that counts stay right.
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


class Module(models.Model):
    class Theme(models.TextChoices):
        ENERGY_TRANSITION = "energy_transition", "Energy transition"
        CARE = "care", "Care"
        TECHNOLOGY = "technology", "Technology"
        CONSTRUCTION = "construction", "Construction"
        LOGISTICS = "logistics", "Logistics"
        HOSPITALITY = "hospitality", "Hospitality"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=32, choices=Theme.choices)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="modules")
    hours = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5000)])
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10000)])
    starts_on = models.DateField()
    ends_on = models.DateField()
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="modules")

    class Meta:
        ordering = ["starts_on", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="module_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        COMPLETED = "completed", "Completed"
        DROPPED = "dropped", "Dropped"

    # Enrolments that hold a seat in the module.
    SEATED = frozenset({Status.ENROLLED, Status.COMPLETED})

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="enrolments")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENROLLED)
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    attended_hours = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(5000)])

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "module"], name="enrolment_once_per_module"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway.resident} in {self.module}"


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
