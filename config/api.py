"""The shape every Werkpad endpoint shares: strict serializers and thin viewsets that call services."""

from collections.abc import Mapping

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from coalition.permissions import RolePermission, acting_role

MAX_ID = 2**63 - 1  # PostgreSQL bigint
ID_PATTERN = r"[0-9]{1,18}"  # ids in paths: longer ones cannot exist and answer 404


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key given as an id; out of range, or out of the caller's scope, it is "does not exist"."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


class StrictSerializerMixin:
    """Unknown fields and read-only fields in a write are a 400, never silently dropped (contract §1)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = ["Unknown field."]
                elif field.read_only:
                    errors[key] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class Serializer(StrictSerializerMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    serializer_related_field = IdRelatedField

    @property
    def role(self) -> str | None:
        request = self.context.get("request")
        return acting_role(request.user) if request else None


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads come from the view's selector-backed `get_queryset`; writes go through `validated()` → a service →
    `respond()`. `roles` maps an action to the roles that may take it."""

    permission_classes = [RolePermission]
    roles: dict[str, set[str]] = {}
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def validated(self, serializer_class=None, **kwargs) -> dict:
        serializer_class = serializer_class or self.get_serializer_class()
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def respond(self, instance, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(instance).data, status=status_code)

    @property
    def role(self) -> str | None:
        return acting_role(self.request.user)
