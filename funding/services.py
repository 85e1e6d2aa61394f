"""Every write of the money (contract §12): allocations, transactions and co-financing, each one transaction.

Locks are taken in one order, the programme's row before an allocation's: allocating locks the programme, so that
two coordinators allocating from one budget at the same moment queue and the second sees the first's allocation
before it checks what is left; a transaction locks its allocation only, so that the running sum of its kind moves
one transaction at a time. Nothing locks an allocation and then its programme, so no two writes wait for each
other in a circle."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from api.problems import BudgetExceeded, Conflict
from api.services import model_update
from coalition.models import Organisation, Programme, Project, User

from .models import Allocation, CoFinancing, Transaction

# The running sum on the allocation that each kind of transaction adds to.
RUNNING_SUM = {
    Transaction.Kind.COMMITMENT: "committed",
    Transaction.Kind.DISBURSEMENT: "disbursed",
    Transaction.Kind.EXPENDITURE: "spent",
}


def euros(amount: Decimal) -> str:
    return f"€{amount:,.2f}"


# --- Allocations ----------------------------------------------------------------------------------------------


@transaction.atomic
def allocation_create(*, programme: Programme, project: Project, year: int, amount: Decimal) -> Allocation:
    _check_year(programme=programme, year=year)
    programme = Programme.objects.select_for_update(no_key=True).get(pk=programme.pk)
    if programme.allocations.filter(project=project, year=year).exists():
        raise Conflict(f"{programme.name} already allocates to this project in {year}: change that allocation.")
    _check_budget(programme=programme, amount=amount)
    return Allocation.objects.create(programme=programme, project=project, year=year, amount=amount)


@transaction.atomic
def allocation_update(*, allocation: Allocation, data: dict) -> Allocation:
    """Only the amount changes: within the budget, and never below what was committed, disbursed or spent."""
    programme = Programme.objects.select_for_update(no_key=True).get(pk=allocation.programme_id)
    allocation = Allocation.objects.select_for_update(no_key=True).get(pk=allocation.pk)
    amount = data.get("amount", allocation.amount)
    for kind, field in RUNNING_SUM.items():
        if amount < (done := getattr(allocation, field)):
            raise Conflict(f"{euros(done)} of this allocation is in {kind}s: its amount cannot go below that.")
    _check_budget(programme=programme, amount=amount, besides=allocation)
    return model_update(instance=allocation, data=data)


def _check_year(*, programme: Programme, year: int) -> None:
    first, last = programme.starts_on.year, programme.ends_on.year
    if not first <= year <= last:
        raise ValidationError({"year": f"Must lie within the programme's years, {first} to {last}."})


def _check_budget(*, programme: Programme, amount: Decimal, besides: Allocation | None = None) -> None:
    """Under the programme's lock: its allocations, this one at `amount`, stay within its budget."""
    others = programme.allocations.exclude(pk=besides.pk) if besides else programme.allocations.all()
    left = programme.budget - others.aggregate(total=Sum("amount", default=0))["total"]
    if amount > left:
        raise BudgetExceeded(
            f"The budget of {programme.name} is {euros(programme.budget)}, of which {euros(left)} is left: "
            f"not enough for {euros(amount)}."
        )


# --- Transactions ---------------------------------------------------------------------------------------------


@transaction.atomic
def transaction_create(
    *,
    by: User,
    programme: Programme,
    project: Project,
    kind: str,
    date: date,
    amount: Decimal,
    receiver: Organisation | None = None,
    description: str = "",
) -> Transaction:
    """Against the allocation of the programme to the project in the year of `date`, whose running sum of the kind
    must stay between 0 and its amount; the allocation's check constraints are the last guard."""
    if date > timezone.localdate():
        raise ValidationError({"date": "Must not lie in the future."})
    allocation = (
        Allocation.objects.select_for_update(no_key=True)
        .filter(programme=programme, project=project, year=date.year)
        .first()
    )
    if allocation is None:
        raise Conflict(f"{programme.name} allocates nothing to this project in {date.year}: allocate first.")
    field = RUNNING_SUM[kind]
    done = getattr(allocation, field)
    if done + amount > allocation.amount:
        raise BudgetExceeded(
            f"The allocation is {euros(allocation.amount)}, of which {euros(allocation.amount - done)} is left "
            f"for {kind}s: not enough for {euros(amount)}."
        )
    if done + amount < 0:
        raise BudgetExceeded(
            f"{euros(done)} is in {kind}s against this allocation: a correction of {euros(amount)} would take it "
            "below zero."
        )
    Allocation.objects.filter(pk=allocation.pk).update(**{field: F(field) + amount})
    return Transaction.objects.create(
        allocation=allocation,
        kind=kind,
        date=date,
        amount=amount,
        receiver=receiver,
        description=description,
        created_by=by,
        created_at=timezone.now(),
    )


# --- Co-financing ---------------------------------------------------------------------------------------------


def co_financing_create(
    *, project: Project, organisation: Organisation, year: int, amount: Decimal, form: str, sector: str
) -> CoFinancing:
    return CoFinancing.objects.create(
        project=project, organisation=organisation, year=year, amount=amount, form=form, sector=sector
    )


@transaction.atomic
def co_financing_update(*, co_financing: CoFinancing, data: dict) -> CoFinancing:
    co_financing = CoFinancing.objects.select_for_update().get(pk=co_financing.pk)
    return model_update(instance=co_financing, data=data)


def co_financing_delete(*, co_financing: CoFinancing) -> None:
    co_financing.delete()
