"""Which projects work: the shared indicator catalogue, each project's periods with baseline and target, the
results its members report, and the evaluations that decide whether it continues (contract §11)."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from coalition.models import Neighbourhood, Project
from history.tracking import tracked

from .reviews import Status

MAX_PERIOD_DAYS = 366  # both ends counted


class Indicator(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", "Increase"
        DECREASE = "decrease", "Decrease"
        MAINTAIN = "maintain", "Maintain"

    class Aggregation(models.TextChoices):
        SUM = "sum", "Sum"
        LAST = "last", "Last"
        AVERAGE = "average", "Average"

    class Source(models.TextChoices):
        MANUAL = "manual", "Reported by the project"
        RESIDENTS_REACHED = "residents_reached", "Residents reached"
        MODULES_COMPLETED = "modules_completed", "Modules completed"
        PLACEMENTS_CONFIRMED = "placements_confirmed", "Placements confirmed"
        RETAINED_180 = "retained_180", "Retained at day 180"
        RETAINED_365 = "retained_365", "Retained at day 365"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=50)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    aggregation = models.CharField(max_length=16, choices=Aggregation.choices, default=Aggregation.SUM)
    source = models.CharField(max_length=32, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(source="manual") | Q(aggregation="sum"), name="indicator_computed_sums"),
        ]

    def __str__(self) -> str:
        return self.name


@tracked()
class IndicatorPeriod(models.Model):
    """A stretch of at most 366 days in which a project is measured on an indicator. Two periods of the same
    project and indicator never overlap: refused by evaluation.services under the project's lock, and on
    PostgreSQL by an exclusion constraint too (migration 0003)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="indicator_periods")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="periods")
    period_start = models.DateField()
    period_end = models.DateField()
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["project", "indicator", "period_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} of {self.project}, {self.period_start} to {self.period_end}"

    def contains(self, day: date) -> bool:
        return self.period_start <= day <= self.period_end

    @staticmethod
    def lasts_too_long(start: date, end: date) -> bool:
        return end - start >= timedelta(days=MAX_PERIOD_DAYS)

    @property
    def progress(self) -> float | None:
        """How far the `actual` (annotated by evaluation.selectors.with_actual) is towards the target, to 4
        decimals: target ÷ actual where less is better, else actual ÷ target; None without either, or dividing
        by zero."""
        actual = getattr(self, "actual", None)
        if actual is None or self.target is None:
            return None
        numerator, denominator = (
            (self.target, actual) if self.indicator.direction == Indicator.Direction.DECREASE else (actual, self.target)
        )
        return None if denominator == 0 else round(float(numerator / denominator), 4)


@tracked()
class Result(models.Model):
    """A figure a project's members report for a period of a manual indicator; counts once approved."""

    period = models.ForeignKey(IndicatorPeriod, on_delete=models.PROTECT, related_name="results")
    value = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    measured_on = models.DateField()
    neighbourhood = models.ForeignKey(Neighbourhood, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-measured_on", "-id"]
        indexes = [models.Index(fields=["period", "status"], name="result_by_period_status")]

    def __str__(self) -> str:
        return f"{self.value} on {self.measured_on} ({self.status})"


class Quadrant(models.TextChoices):
    QUICK_WIN = "quick_win", "Quick win"
    MAJOR_PROJECT = "major_project", "Major project"
    FILL_IN = "fill_in", "Fill-in"
    THANKLESS = "thankless", "Thankless"


class Decision(models.TextChoices):
    INVESTIGATE = "investigate", "Investigate further"
    CONTINUE = "continue", "Continue"
    STOP = "stop", "Stop"


MIDPOINT = Decimal(3)  # above it, impact is high and effort is high
SUGGESTED = {
    Quadrant.QUICK_WIN: Decision.CONTINUE,
    Quadrant.MAJOR_PROJECT: Decision.CONTINUE,
    Quadrant.FILL_IN: Decision.INVESTIGATE,
    Quadrant.THANKLESS: Decision.STOP,
}
NEXT_EVALUATION_DAYS = {Decision.INVESTIGATE: 90, Decision.CONTINUE: 365}


def quadrant_of(impact: Decimal, effort: Decimal) -> str:
    if impact > MIDPOINT:
        return Quadrant.MAJOR_PROJECT if effort > MIDPOINT else Quadrant.QUICK_WIN
    return Quadrant.THANKLESS if effort > MIDPOINT else Quadrant.FILL_IN


@tracked()
class Evaluation(models.Model):
    """A project's place on the effort-impact matrix in a round, and what was decided. A record: never changed."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="evaluations")
    round = models.CharField(max_length=50)
    impact = models.DecimalField(
        max_digits=2, decimal_places=1, validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(5))]
    )
    effort = models.DecimalField(
        max_digits=2, decimal_places=1, validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(5))]
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    next_evaluation_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["project", "-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="evaluation_once_per_round")]

    def __str__(self) -> str:
        return f"{self.project}, round {self.round}: {self.decision}"

    @property
    def quadrant(self) -> str:
        return quadrant_of(self.impact, self.effort)

    @property
    def suggested_decision(self) -> str:
        return SUGGESTED[self.quadrant]
