"""Every euro under one programme (contract §12): what a programme allocated to a project for a year, the
transactions against that allocation, and the co-financing the partners brought. Money is Decimal, two decimals."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from coalition.models import Organisation, Programme, Project
from history.tracking import tracked

MONEY = {"max_digits": 14, "decimal_places": 2}


# The running sums are no change of the allocation but the sum of its transactions, which are their own record:
# tracking them would write a history row with every transaction.
@tracked(exclude=["committed", "disbursed", "spent"])
class Allocation(models.Model):
    """What a programme gives a project in one year. The running sums of its transactions per kind are kept on the
    row, under its lock, by funding.services: the constraints below then hold every allocation between 0 and its
    amount in each kind, whatever writes at the same time, and the reports need not add up a million rows."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="allocations")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="allocations")
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    committed = models.DecimalField(**MONEY, default=0, editable=False)
    disbursed = models.DecimalField(**MONEY, default=0, editable=False)
    spent = models.DecimalField(**MONEY, default=0, editable=False)

    class Meta:
        ordering = ["programme", "year", "project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "project", "year"], name="allocation_once_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_positive"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{kind}__gte": 0}) & Q(**{f"{kind}__lte": F("amount")}),
                    name=f"allocation_{kind}_within_amount",
                    # the last guard of funding.services' check under the row's lock: a 409 (api/problems.py)
                    violation_error_code="budget-exceeded",
                    violation_error_message=f"The allocation's {kind} sum must stay between 0 and its amount.",
                )
                for kind in ("committed", "disbursed", "spent")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} to {self.project}, {self.year}"

    @property
    def remaining(self):
        return self.amount - self.spent


class Transaction(models.Model):
    """A commitment, disbursement or expenditure against an allocation (the programme, the project and the year of
    its date). Append-only: a correction is a new, possibly negative, transaction; on PostgreSQL a trigger refuses
    UPDATE and DELETE (migration 0002). A transaction is its own record, so it has no change history."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", "Commitment"
        DISBURSEMENT = "disbursement", "Disbursement"
        EXPENDITURE = "expenditure", "Expenditure"

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField()
    amount = models.DecimalField(**MONEY)
    receiver = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["allocation", "kind", "date"], name="transaction_by_allocation")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount} on {self.date}"


@tracked()
class CoFinancing(models.Model):
    """What a partner brought to a project in a year, in cash or in kind. It counts towards every programme that
    allocated to the project that year, in proportion to the allocations (funding.money.split)."""

    class Form(models.TextChoices):
        CASH = "cash", "Cash"
        IN_KIND = "in_kind", "In kind"

    class Sector(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="co_financing")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="co_financing")
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    form = models.CharField(max_length=8, choices=Form.choices)
    sector = models.CharField(max_length=8, choices=Sector.choices)

    class Meta:
        ordering = ["project", "year", "id"]
        verbose_name_plural = "co-financing"
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="co_financing_amount_positive")]
        indexes = [models.Index(fields=["project", "year"], name="co_financing_by_project_year")]

    def __str__(self) -> str:
        return f"{self.organisation} to {self.project}, {self.year}: {self.amount}"
