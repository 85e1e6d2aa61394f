"""The coalition: its neighbourhoods, partner organisations, funding programmes and the people who work in it."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

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

    name = models.CharField(max_length=200, unique=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    starts_on = models.DateField()
    ends_on = models.DateField()
    check_in_days = models.JSONField(
        default=default_check_in_days,
        help_text="Days after a placement's start on which the resident's coach checks in.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    COACH = "coach", "Job coach"
    EMPLOYER = "employer", "Employer"
    EDUCATOR = "educator", "Educator"


# Which kinds of organisation a member of each role may belong to (None: any kind).
ROLE_ORGANISATION_KINDS: dict[str, set[str] | None] = {
    Role.COORDINATOR: None,
    Role.COACH: None,
    Role.EMPLOYER: {Organisation.Kind.EMPLOYER},
    Role.EDUCATOR: None,  # a school, or any other organisation that provides modules
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
