from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.serializers import IdRelatedField, ModelSerializer, Serializer

from .models import (
    MAX_CHECK_IN_DAY,
    Domain,
    Neighbourhood,
    Organisation,
    Programme,
    Project,
    ProjectStatus,
    RiskKind,
    Role,
    User,
)


class NeighbourhoodSerializer(ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "city"]


class OrganisationSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "neighbourhoods", "is_active"]


class ProgrammeSerializer(ModelSerializer):
    check_in_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_CHECK_IN_DAY),
        min_length=1,
        max_length=50,
        required=False,
        help_text="Days after a placement's start on which a check-in falls due.",
    )

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "kind",
            "funder",
            "budget",
            "co_financing_ratio",
            "starts_on",
            "ends_on",
            "check_in_days",
        ]
        extra_kwargs = {
            "budget": {"min_value": 0},
            "funder": {"help_text": "The organisation that funds it (an organisation's id), or null."},
            "co_financing_ratio": {"min_value": 0},
        }


class PublicProgrammeSerializer(ProgrammeSerializer):
    """Programmes as non-coordinators see them: without the money (budget, co-financing ratio)."""

    class Meta(ProgrammeSerializer.Meta):
        fields = ["id", "name", "kind", "funder", "starts_on", "ends_on", "check_in_days"]


class UserSerializer(ModelSerializer):
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "organisation", "is_active", "password"]
        # Every user belongs to one organisation (contract §3); only Django superusers may be without.
        extra_kwargs = {"email": {"required": False}, "organisation": {"required": True, "allow_null": False}}

    def adjust_fields(self, fields) -> None:
        if self.instance is not None:
            fields["password"].required = False  # changing a user keeps their password unless one is given


class MeSerializer(UserSerializer):
    # The role the caller acts in: a superuser is a coordinator to the front ends.
    role = serializers.ChoiceField(choices=Role.choices, source="acting_role", read_only=True)

    class Meta(UserSerializer.Meta):
        read_only_fields = UserSerializer.Meta.fields


@extend_schema_serializer(component_name="Login")
class TokenRequestSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(Serializer):
    token = serializers.CharField(read_only=True)


class NestedObject(Serializer):
    """An object inside a body. Anything but an object is an error of the field itself, named as the field (DRF
    would name it `<field>.nonFieldErrors`); inside a list, named after the list (contract §2)."""

    def run_validation(self, data=serializers.empty):
        if data is not serializers.empty and data is not None and not isinstance(data, Mapping):
            raise serializers.ValidationError([f"Expected an object, not {type(data).__name__}."])
        return super().run_validation(data)


class ObjectListField(serializers.ListField):
    """A list of objects: a JSON list, or rows of a related model (a manager) when shown."""

    def to_representation(self, data):
        return super().to_representation(data.all() if hasattr(data, "all") else data)


def object_list(child: Serializer, **kwargs) -> ObjectListField:
    return ObjectListField(child=child, max_length=50, **kwargs)


class ProjectDomainSerializer(NestedObject):
    domain = serializers.ChoiceField(choices=Domain.choices)
    share = serializers.IntegerField(min_value=1, max_value=100, help_text="A whole-number percentage.")


class LocationSerializer(NestedObject):
    name = serializers.CharField(max_length=200)
    demolition_on = serializers.DateField(
        allow_null=True, required=False, help_text="When the building is to be demolished, if it is."
    )


class ContinuitySerializer(NestedObject):
    funded_until = serializers.DateField(allow_null=True, required=False, help_text="Until when it is funded.")
    plan = serializers.CharField(max_length=5000, allow_blank=True, required=False, help_text="What comes after.")
    successor_funder = IdRelatedField(
        queryset=Organisation.objects.all(), allow_null=True, required=False, help_text="An organisation's id."
    )


class RiskSerializer(NestedObject):
    kind = serializers.ChoiceField(choices=RiskKind.choices)
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class ProjectSerializer(ModelSerializer):
    domains = object_list(ProjectDomainSerializer(), help_text="Each domain once; the shares add up to 100.")
    location = LocationSerializer(allow_null=True, required=False)
    continuity = ContinuitySerializer(required=False)
    risks = object_list(RiskSerializer(), required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, read_only=True)
    is_pearl = serializers.BooleanField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "lead_organisation",
            "partners",
            "neighbourhoods",
            "domains",
            "starts_on",
            "ends_on",
            "status",
            "location",
            "continuity",
            "risks",
            "is_pearl",
        ]
        extra_kwargs = {"description": {"max_length": 10_000}}
