"""The row locks of every write to a resident's file. Each service is one transaction; a state change locks the row
it changes, checks the move against its table (`check_move`), and writes the new state with its history.

Locks are taken in one order, so that concurrent writes queue instead of deadlocking: the resident first (which
also keeps an erasure out, `writable`), then a placement before its pathway and its check-ins."""

from typing import TypeVar

from django.db.models import Model

from api.problems import Conflict, InvalidTransition

from .journey.models import Resident

M = TypeVar("M", bound=Model)


def locked(instance: M) -> M:
    """The row again, locked until the transaction ends, so that concurrent changes queue behind each other."""
    return type(instance)._default_manager.select_for_update(of=("self",)).get(pk=instance.pk)


def check_move(moves: dict, current: str, to: str) -> None:
    if to not in moves.get(current, ()):
        raise InvalidTransition(current=current, asked=to)


def writable(resident_id: int) -> Resident:
    """The resident, locked until the transaction ends; an erased resident, and all that hangs below them, is
    read-only (contract §10). Taken first in every write to their file: an erasure waits for those under way, and
    those that come after it see it. (FOR NO KEY UPDATE: rows that merely refer to the resident are not held up.)"""
    resident = Resident.objects.select_for_update(no_key=True).get(pk=resident_id)
    if resident.erased_at is not None:
        raise Conflict("This resident has been erased: their file is read-only.")
    return resident
