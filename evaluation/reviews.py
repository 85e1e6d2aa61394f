"""A result's review, as a table: every allowed move and who makes it. Any other move is refused (409).

A project's members write a result as a draft, and submit it; a coordinator approves it (final: a correction is a
new result) or returns it with a note, after which the members edit it and submit it again.
"""

from enum import Enum

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class By(Enum):
    MEMBER = "member"  # a member of the project (or a coordinator, who may do what members do)
    COORDINATOR = "coordinator"


MOVES: dict[tuple[Status, Status], By] = {
    (Status.DRAFT, Status.SUBMITTED): By.MEMBER,
    (Status.RETURNED, Status.SUBMITTED): By.MEMBER,
    (Status.SUBMITTED, Status.APPROVED): By.COORDINATOR,
    (Status.SUBMITTED, Status.RETURNED): By.COORDINATOR,
}
# Where the members may still change what a result says.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def is_allowed(current: str, to: str) -> bool:
    return (Status(current), Status(to)) in MOVES
