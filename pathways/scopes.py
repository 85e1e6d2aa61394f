"""Who sees what, scoped to the caller: what a role may see is one table, so every list, detail, action and
foreign key given in a write answers from the same rule (an object out of scope is a 404, or "does not exist" in a
write). Each package's selectors read through it."""

from django.db.models import Model, QuerySet

from api.serializers import acting_role
from coalition.models import Role

from .models import CheckIn, Enrolment, Module, Pathway, Placement, Resident

EVERYTHING = "*"

# model → role → the lookup that must equal the caller (coach) or the caller's organisation (employer, educator).
# A role missing from a model's row sees none of it; coordinators see everything.
SCOPES: dict[type[Model], dict[str, str]] = {
    Resident: {Role.COACH: "coach"},
    Pathway: {Role.COACH: "resident__coach"},
    Module: {Role.COACH: EVERYTHING, Role.EDUCATOR: "provider", Role.PARTNER: EVERYTHING},
    Enrolment: {Role.COACH: "pathway__resident__coach", Role.EDUCATOR: "module__provider"},
    Placement: {Role.COACH: "pathway__resident__coach", Role.EMPLOYER: "employer"},
    CheckIn: {Role.COACH: "placement__pathway__resident__coach"},
}


def visible_to(user, model: type[Model]) -> QuerySet:
    queryset = model._default_manager.all()
    role = acting_role(user)
    if role == Role.COORDINATOR:
        return queryset
    lookup = SCOPES[model].get(role)
    if lookup == EVERYTHING:
        return queryset
    if lookup is None:
        return queryset.none()
    if role == Role.COACH:
        return queryset.filter(**{lookup: user})
    if user.organisation_id is None:
        return queryset.none()
    return queryset.filter(**{lookup: user.organisation_id})


def visible_to_caller(serializer, model: type[Model]) -> QuerySet:
    """What a serializer's caller may see of a model: the choices of a foreign key given in a write."""
    return visible_to(serializer.context["request"].user, model)
