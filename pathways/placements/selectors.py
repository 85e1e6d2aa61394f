"""Reads of placements and check-ins, scoped to the caller (pathways.scopes)."""

from django.db.models import QuerySet

from ..scopes import visible_to
from .models import CheckIn, Placement


def placement_list(*, user) -> QuerySet[Placement]:
    return visible_to(user, Placement).select_related("pathway__resident")


def check_in_list(*, user) -> QuerySet[CheckIn]:
    return visible_to(user, CheckIn).select_related("placement__pathway__resident")
