"""How the schema describes pathway fields that depend on the caller's role."""

from api.schema import RoleDependentFields


class ResidentFields(RoleDependentFields):
    target_class = "pathways.journey.serializers.ResidentSerializer"
    notes = {"coach": "Set by coordinators only; a coach who creates a resident becomes its coach."}
