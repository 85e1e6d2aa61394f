"""Reads of residents and pathways, scoped to the caller (pathways.scopes)."""

from django.db.models import QuerySet

from ..scopes import visible_to
from .models import Pathway, Resident


def resident_list(*, user) -> QuerySet[Resident]:
    return visible_to(user, Resident).select_related("current_pathway")


def pathway_list(*, user) -> QuerySet[Pathway]:
    return visible_to(user, Pathway)


def stage_change_list(*, pathway: Pathway) -> QuerySet:
    return pathway.history.order_by("sequence")
