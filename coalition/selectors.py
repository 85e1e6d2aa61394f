from django.db.models import Q, QuerySet

from .models import Neighbourhood, Organisation, Programme, Role, User


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("neighbourhoods")


def neighbourhood_list() -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.all()


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.all()


def user_list() -> QuerySet[User]:
    return User.objects.select_related("organisation")


def coordinator_list() -> QuerySet[User]:
    """Everyone who acts as a coordinator: the role, and Django superusers."""
    return User.objects.filter(Q(role=Role.COORDINATOR) | Q(is_superuser=True), is_active=True)
