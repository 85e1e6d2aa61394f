from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.serializers import ModelSerializer, Serializer

from .models import MAX_CHECK_IN_DAY, Neighbourhood, Organisation, Programme, Role, User


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
        fields = ["id", "name", "budget", "starts_on", "ends_on", "check_in_days"]
        extra_kwargs = {"budget": {"min_value": 0}}


class PublicProgrammeSerializer(ProgrammeSerializer):
    """Programmes as non-coordinators see them: without the budget."""

    class Meta(ProgrammeSerializer.Meta):
        fields = ["id", "name", "starts_on", "ends_on", "check_in_days"]


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
