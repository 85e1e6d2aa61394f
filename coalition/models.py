"""The coalition: its neighbourhoods, partner organisations, funding programmes and the people who work in it."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from history.tracking import tracked

DEFAULT_CHECK_IN_DAYS = [7, 30, 90, 180, 365]
MAX_CHECK_IN_DAY = 3 * 365


def default_check_in_days() -> list[int]:
    return list(DEFAULT_CHECK_IN_DAYS)


class Neighbourhood(models.Model):
    name = models.CharField(max_length=100)
    city = models.CharField(max_length=100)

    class Meta:
        ordering = ["city", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "city"], name="neighbourhood_unique_name_city")]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        HOUSING_CORPORATION = "housing_corporation", "Housing corporation"
        EMPLOYER = "employer", "Employer"
        EDUCATION = "education", "Education"
        NEIGHBOURHOOD_ORGANISATION = "neighbourhood_organisation", "Neighbourhood organisation"
        MUNICIPALITY = "municipality", "Municipality"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="organisations")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A source of funding (a Regio Deal, the NPLV) whose money is accounted for separately."""

    class Kind(models.TextChoices):
        REGIO_DEAL = "regio_deal", "Regio Deal"
        NPLV = "nplv", "Nationaal Programma Leefbaarheid en Veiligheid"
        MUNICIPAL = "municipal", "Municipal"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    funder = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="funded_programmes"
    )
    budget = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    # The co-financing the programme's spending requires: 1.00 when regional partners must at least match it.
    co_financing_ratio = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    check_in_days = models.JSONField(
        default=default_check_in_days,
        help_text="Days after a placement's start on which the resident's coach checks in.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start"),
            models.CheckConstraint(condition=Q(co_financing_ratio__gte=0), name="programme_co_financing_ratio_min"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    COACH = "coach", "Job coach"
    EMPLOYER = "employer", "Employer"
    EDUCATOR = "educator", "Educator"
    PARTNER = "partner", "Partner"


# Which kinds of organisation a member of each role may belong to (None: any kind).
ROLE_ORGANISATION_KINDS: dict[str, set[str] | None] = {
    Role.COORDINATOR: None,
    Role.COACH: None,
    Role.EMPLOYER: {Organisation.Kind.EMPLOYER},
    Role.EDUCATOR: None,  # a school, or any other organisation that provides modules
    Role.PARTNER: None,  # a neighbourhood organisation, or any other partner that runs a project
}


# Staff's personal data is tracked too; never the password hash, nor the moment of each login.
@tracked(exclude=["password", "last_login"])
class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.COACH)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        ordering = ["username"]
        indexes = [models.Index(fields=["role", "organisation"])]

    @property
    def acting_role(self) -> str:
        """The role the user acts in: a Django superuser acts as a coordinator."""
        return Role.COORDINATOR if self.is_superuser else self.role


class Domain(models.TextChoices):
    """The policy domains a project works in (contract §11)."""

    WORK_ECONOMY = "work_economy", "Work and economy"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    SAFETY = "safety", "Safety"
    PARTICIPATION_POVERTY = "participation_poverty", "Participation and poverty"
    LIVING_ENVIRONMENT = "living_environment", "Living environment"
    SOCIAL_COHESION = "social_cohesion", "Social cohesion"


class RiskKind(models.TextChoices):
    INCIDENTAL_FUNDING = "incidental_funding", "Incidental funding"
    LOCATION = "location", "Location"
    STAFFING = "staffing", "Staffing"
    OTHER = "other", "Other"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    STOPPED = "stopped", "Stopped"
    COMPLETED = "completed", "Completed"


PEARL_MIN_IMPACT = 4
PEARL_MIN_SHARE = 20  # a pearl spans at least two domains with at least this share each


def is_pearl(high_impact_continue: bool, shares: list[int]) -> bool:
    """Contract §11: the latest evaluation has impact of at least 4 and decided `continue`, and at least two of
    the project's domains have a share of at least 20."""
    return high_impact_continue and sum(share >= PEARL_MIN_SHARE for share in shares) >= 2


@tracked()
class Project(models.Model):
    """What the coalition runs and evaluates round after round: a local work company, a community kitchen, the
    work-and-learn modules of a transition. Its members are the staff of its lead organisation and its partners."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_projects")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_projects")
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="projects")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # Set once, by an evaluation that decided `stop` (evaluation.services); never undone.
    stopped_at = models.DateTimeField(null=True, blank=True, editable=False)
    location_name = models.CharField(max_length=200, blank=True, help_text="Empty: the project has no location.")
    location_demolition_on = models.DateField(null=True, blank=True)
    funded_until = models.DateField(null=True, blank=True)
    continuity_plan = models.TextField(blank=True)
    successor_funder = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risks = models.JSONField(default=list, blank=True)
    # Whether its latest evaluation has impact of at least 4 and decided `continue`; kept by evaluation.services
    # under the project's lock, so that `is_pearl` needs no look at the evaluations.
    latest_evaluation_high_impact_continue = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def status(self) -> str:
        if self.stopped_at is not None:
            return ProjectStatus.STOPPED
        if self.ends_on is not None and self.ends_on < timezone.localdate():
            return ProjectStatus.COMPLETED
        return ProjectStatus.ACTIVE

    @property
    def is_pearl(self) -> bool:
        return is_pearl(self.latest_evaluation_high_impact_continue, [domain.share for domain in self.domains.all()])

    @property
    def location(self) -> dict | None:
        if not self.location_name:
            return None
        return {"name": self.location_name, "demolition_on": self.location_demolition_on}

    @property
    def continuity(self) -> dict:
        return {
            "funded_until": self.funded_until,
            "plan": self.continuity_plan,
            "successor_funder": self.successor_funder,
        }


class ProjectDomain(models.Model):
    """A policy domain a project works in, with its whole-number share; a project's shares add up to 100."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=32, choices=Domain.choices)
    share = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["project", "-share", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "domain"], name="project_domain_once"),
            models.CheckConstraint(condition=Q(share__gte=1, share__lte=100), name="project_domain_share_range"),
        ]

    def __str__(self) -> str:
        return f"{self.domain} {self.share}%"
