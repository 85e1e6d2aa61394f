"""The serializers every Werkpad endpoint builds on: strict about what they take (contract §1), ids as JSON numbers,
instants with their offset."""

import datetime
from collections.abc import Mapping
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.dateparse import parse_datetime
from rest_framework import ISO_8601, relations, serializers
from rest_framework.settings import api_settings

from api.rendering import WireName

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


def acting_role(user) -> str | None:
    """The role a signed-in user acts in (the user model's `acting_role`), None for anyone else."""
    return getattr(user, "acting_role", None) if user and user.is_authenticated else None


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


class Named(Serializer):
    """What a report shows of the object a row is about: its id and name."""

    id = serializers.IntegerField()
    name = serializers.CharField()


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
                "per serializer class (api/rows.py), so only what may be written may depend on the request."
            )
        return fields

    def adjust_fields(self, fields: dict[str, serializers.Field]) -> None:
        """Per request: which fields the caller may write, and from which rows a related field may pick."""


def _shown(fields: dict[str, serializers.Field]) -> list[tuple[str, type]]:
    return [(name, type(field)) for name, field in fields.items() if not field.write_only]
