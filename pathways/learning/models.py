"""The coalition's modules and the residents enrolled in them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from coalition.models import Organisation, Project
from history.tracking import tracked

from ..journey.models import Pathway


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
