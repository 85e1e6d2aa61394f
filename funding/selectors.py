"""Reads of the money. Only coordinators reach them (coalition.permissions.OnlyCoordinatorsSee answers 404 to every
other role), and coordinators see all of it."""

from django.db.models import QuerySet

from .models import Allocation, CoFinancing, Transaction


def allocation_list() -> QuerySet[Allocation]:
    return Allocation.objects.all()


def transaction_list() -> QuerySet[Transaction]:
    return Transaction.objects.select_related("allocation")


def co_financing_list() -> QuerySet[CoFinancing]:
    return CoFinancing.objects.all()
