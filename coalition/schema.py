"""How the schema describes coalition fields that depend on the caller's role."""

from api.schema import RoleDependentFields


class ProgrammeFields(RoleDependentFields):
    target_class = "coalition.serializers.ProgrammeSerializer"
    notes = {"budget": "Coordinators only: other roles neither see nor set it."}
    coordinators_only = True
