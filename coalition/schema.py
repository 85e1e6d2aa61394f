"""How the schema describes coalition fields that depend on the caller's role."""

from api.schema import RoleDependentFields


class ProgrammeFields(RoleDependentFields):
    target_class = "coalition.serializers.ProgrammeSerializer"
    notes = {
        "budget": "Coordinators only: other roles neither see nor set it.",
        "co_financing_ratio": "Coordinators only: other roles neither see nor set it. The co-financing the "
        "programme's spending requires: 1.00 when partners must at least match it.",
    }
    coordinators_only = True
