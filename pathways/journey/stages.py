"""The pathway's stage machine: every allowed move, and what may cause it, in one table.

A move not in the table is refused (409). Some moves are the system's alone: a pathway becomes `placed` only
when an employer confirms a placement, and goes back to `job_search` only when that placement ends early.
"""

from enum import Enum

from django.db import models


class Stage(models.TextChoices):
    INTAKE = "intake", "Intake"
    LEARNING = "learning", "Learning"
    JOB_SEARCH = "job_search", "Job search"
    PLACED = "placed", "Placed"
    COMPLETED = "completed", "Completed"
    EXITED = "exited", "Exited"


OPEN_STAGES = frozenset({Stage.INTAKE, Stage.LEARNING, Stage.JOB_SEARCH, Stage.PLACED})
CLOSED_STAGES = frozenset({Stage.COMPLETED, Stage.EXITED})


class Cause(Enum):
    ASKED = "asked"  # POST /pathways/{id}/transitions by a coach or coordinator
    ENROLMENT = "enrolment"  # enrolling a resident who is at intake starts their learning
    PLACEMENT_CONFIRMED = "placement_confirmed"
    PLACEMENT_ENDED = "placement_ended"


MOVES: dict[tuple[Stage, Stage], frozenset[Cause]] = {
    (Stage.INTAKE, Stage.LEARNING): frozenset({Cause.ASKED, Cause.ENROLMENT}),
    (Stage.INTAKE, Stage.JOB_SEARCH): frozenset({Cause.ASKED}),
    (Stage.LEARNING, Stage.JOB_SEARCH): frozenset({Cause.ASKED}),
    (Stage.JOB_SEARCH, Stage.LEARNING): frozenset({Cause.ASKED}),
    (Stage.JOB_SEARCH, Stage.PLACED): frozenset({Cause.PLACEMENT_CONFIRMED}),
    (Stage.PLACED, Stage.JOB_SEARCH): frozenset({Cause.PLACEMENT_ENDED}),
    # Guarded: every check-in of the placement is done, unless a coordinator asks (pathways.journey.services).
    (Stage.PLACED, Stage.COMPLETED): frozenset({Cause.ASKED}),
    **{(stage, Stage.EXITED): frozenset({Cause.ASKED}) for stage in OPEN_STAGES},
}


def is_allowed(current: str, to: str, cause: Cause) -> bool:
    return cause in MOVES.get((Stage(current), Stage(to)), frozenset())
