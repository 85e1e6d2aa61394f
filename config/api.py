"""The shape every Werkpad endpoint shares: strict serializers and thin viewsets that call services."""

import datetime
from collections.abc import Iterable, Mapping
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from rest_framework import ISO_8601, mixins, relations, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from coalition.permissions import RolePermission, acting_role
from config.pagination import countable, with_total
from config.rendering import WireName
from config.rows import row_plan
from pathways.access_log import access_log_record

MAX_ID = 2**63 - 1  # PostgreSQL bigint
ID_PATTERN = r"[0-9]{1,18}"  # ids in paths: longer ones cannot exist and answer 404


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key given as an id; out of range, or out of the caller's scope, it is "does not exist"."""

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):  # a JSON number, as the schema says; not "12"
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)

    def run_validation(self, data=serializers.empty):
        if data == "":  # DRF would take it for null
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {key: value for key, value in kwargs.items() if key in relations.MANY_RELATION_KWARGS}
        return IdListField(child_relation=cls(*args, **kwargs), **list_kwargs)


class IdListField(serializers.ManyRelatedField):
    """A list of ids; DRF's own takes any iterable, so that an object would pass as the list of its keys."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


# The JSON type each kind of field takes; DRF would coerce others (1 → "1", "yes" → True, "5" → 5), which the
# schema does not allow.
JSON_TYPES = [
    (serializers.BooleanField, bool),
    (serializers.CharField, str),
    (serializers.DecimalField, str),  # a decimal string (contract §4)
    (serializers.IntegerField, int),
]


def _schema_error(field, value) -> str | None:
    """What the schema refuses and DRF would take, in the value or an item of a list: another JSON type, or text
    longer than its maximum before DRF trims its whitespace."""
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return next(filter(None, (_schema_error(field.child, item) for item in value)), None)
    json_type = next((json_type for kind, json_type in JSON_TYPES if isinstance(field, kind)), None)
    if json_type is None or value is None:  # null is for the field's allow_null to judge
        return None
    if not isinstance(value, json_type) or (json_type is int and isinstance(value, bool)):
        return field.error_messages["invalid"]
    if isinstance(field, serializers.CharField) and field.max_length is not None and len(value) > field.max_length:
        return field.error_messages["max_length"].format(max_length=field.max_length)
    return None


def _has_nul(value) -> bool:
    return any(isinstance(item, str) and "\x00" in item for item in (value if isinstance(value, list) else [value]))


class StrictSerializerMixin:
    """Unknown fields and read-only fields in a write are a 400, never silently dropped (contract §1); so is a NUL
    character, which PostgreSQL cannot store, and a value the schema does not allow (`_schema_error`)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None or isinstance(key, WireName):
                    errors[key] = ["Unknown field."]
                elif field.read_only:
                    errors[key] = ["This field is read-only."]
                elif _has_nul(data[key]):  # some parsers (datetimes) drop what follows a NUL rather than refuse it
                    errors[key] = ["NUL characters are not allowed."]
                elif error := _schema_error(field, data[key]):
                    errors[key] = [error]
            if errors:  # with what else is wrong, so that one answer names every field to put right
                try:
                    super().to_internal_value({key: value for key, value in data.items() if key not in errors})
                except serializers.ValidationError as exc:
                    errors = {**exc.detail, **errors}
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class Serializer(StrictSerializerMixin, serializers.Serializer):
    pass


NAIVE_INSTANT = "Give the instant with its offset, as in 2026-11-27T09:00:00+01:00 or 2026-11-27T08:00:00Z."


def written_without_offset(value) -> bool:
    """An ISO 8601 instant without its offset (contract §1: refused, not taken as local time)."""
    try:
        parsed = parse_datetime(value)
    except (TypeError, ValueError):  # no instant at all: the field says so
        return False
    return parsed is not None and parsed.tzinfo is None


class NoBody(Serializer):
    """An action that takes no body: nothing, or an empty object; any field is unknown."""


class DateTimeField(serializers.DateTimeField):
    """DRF's, asking for the active time zone once per serializer rather than once per value: that lookup (in
    asgiref's context-local storage) was half the cost of every instant in a list."""

    default_error_messages = {"too_early": "Enter an instant from 1937-07-01 on.", "naive": NAIVE_INSTANT}

    @cached_property
    def _timezone(self):
        return super().default_timezone()

    def default_timezone(self):
        return self._timezone

    @cached_property
    def _iso_zone(self) -> datetime.tzinfo | None:
        """The zone instants are shown in when they are shown in ISO 8601; None for any other format."""
        output_format = getattr(self, "format", api_settings.DATETIME_FORMAT)
        if not (isinstance(output_format, str) and output_format.lower() == ISO_8601):
            return None
        return getattr(self, "timezone", None) or self.default_timezone()

    def to_representation(self, value):
        """DRF's text for an aware instant, without its checks per value (a list's instants were a tenth of
        its cost): the same conversion, the same ISO 8601, `Z` for UTC. Anything else goes DRF's way."""
        zone = self._iso_zone
        if zone is None or type(value) is not datetime.datetime or value.tzinfo is None:
            return super().to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:  # beyond year 1 or 9999 in that zone: DRF says so
            return super().to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def to_internal_value(self, value):
        if written_without_offset(value):
            self.fail("naive")
        instant = super().to_internal_value(value)
        # Amsterdam's offset had seconds before then (+00:19:32), which an answer in ISO 8601 cannot carry.
        if instant.utcoffset().total_seconds() % 60:
            self.fail("too_early")
        return instant


class ModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    serializer_related_field = IdRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

    @property
    def role(self) -> str | None:
        request = self.context.get("request")
        return acting_role(request.user) if request else None

    def get_fields(self):
        fields = super().get_fields()
        shown = _shown(fields)
        self.adjust_fields(fields)
        if _shown(fields) != shown:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.adjust_fields changed what is shown: lists show rows by a plan made once "
                "per serializer class (config/rows.py), so only what may be written may depend on the request."
            )
        return fields

    def adjust_fields(self, fields: dict[str, serializers.Field]) -> None:
        """Per request: which fields the caller may write, and from which rows a related field may pick."""


def _shown(fields: dict[str, serializers.Field]) -> list[tuple[str, type]]:
    return [(name, type(field)) for name, field in fields.items() if not field.write_only]


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reads come from the view's selector-backed `get_queryset`; writes go through `validated()` → a service →
    `respond()`. `roles` maps an action to the roles that may take it."""

    permission_classes = [RolePermission]
    roles: dict[str, set[str]] = {}
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The access log: where each object this viewset answers names the resident it shows, as a path of keys
    # ("resident.id"); None for objects that show no resident. `residents_shown` is the place for other ways.
    resident_key: str | None = None

    def residents_shown(self, objects: list) -> Iterable[int]:
        if self.resident_key is None:
            return ()
        keys = self.resident_key.split(".")
        ids = []
        for shown in objects:
            for key in keys:
                shown = shown[key]
            ids.append(shown)
        return ids

    def finalize_response(self, request, response, *args, **kwargs):
        """Logs the residents a successful answer shows, once its data is built and before the request's
        transaction commits (ATOMIC_REQUESTS): if the request fails after all, the entries go with it."""
        response = super().finalize_response(request, response, *args, **kwargs)
        data = response.data
        if data and status.is_success(response.status_code) and self.action != "metadata":
            page = self.action == "list" and isinstance(data, Mapping)
            objects = data["results"] if page else data if isinstance(data, list) else [data]
            resident_ids = list(self.residents_shown(objects))
            response.residents_shown = resident_ids  # a stored answer replayed later is logged again (idempotency)
            if resident_ids:
                access_log_record(
                    user=request.user,
                    role=self.role,
                    resident_ids=resident_ids,
                    method=request.method,
                    path=request.path,
                )
        return response

    def list(self, request, *args, **kwargs):
        # A page of rows: from `.values()` where the serializer allows (config/rows.py), else from models.
        plan = row_plan(self.get_serializer_class(), self.get_serializer)
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        if self.paginator is not None and countable(queryset):
            queryset = with_total(queryset)  # counted before the rows' columns join anything in
        rows = plan.rows(queryset)
        page = self.paginate_queryset(rows)
        if page is None:
            return Response([plan.represent(row) for row in rows])
        return self.get_paginated_response([plan.represent(row) for row in page])

    def validated(self, serializer_class=None, **kwargs) -> dict:
        serializer_class = serializer_class or self.get_serializer_class()
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def respond(self, instance, status_code: int = status.HTTP_200_OK) -> Response:
        """The object as the serializer shows it; a 201 names the new object's path in `Location` (contract §1)."""
        created = status_code == status.HTTP_201_CREATED
        location = {"Location": reverse(f"{self.basename}-detail", args=[instance.pk])} if created else None
        return Response(self.get_serializer(instance).data, status=status_code, headers=location)

    @property
    def role(self) -> str | None:
        return acting_role(self.request.user)
