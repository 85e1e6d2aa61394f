"""Lists served from rows: a serializer's output computed from `.values()` instead of model instances.

For a page of residents, building model instances and walking DRF's fields row by row costs more than the
database's own work. A serializer whose readable fields are all columns — reached along forward foreign keys, or
nested serializers of such columns — is compiled once into a plan: the columns to select, and how each becomes
its JSON value (the field's own `to_representation`, so the output is the same to the byte; checked for every
list endpoint by tests/test_rows.py). A serializer with anything else (many-to-many, method fields, properties) is
served the ordinary way, and so is one that shapes its output or builds its fields its own way (`_shapes_itself`):
a plan is made once per class, so what a serializer shows must not depend on the request. (What it lets a caller
write may: `adjust_fields` in api/viewsets.py, which refuses to change what is shown.)
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from rest_framework import serializers

# Fields whose to_representation returns a column's value unchanged.
_AS_STORED = (serializers.CharField.to_representation, serializers.IntegerField.to_representation)


@dataclass(frozen=True)
class Column:
    name: str
    key: str  # the key in a `.values()` row
    convert: Callable | None  # None: the stored value is the JSON value


@dataclass(frozen=True)
class Nested:
    name: str
    key: str  # the related row's primary key: None means the relation is empty
    plan: "RowPlan"


@dataclass(frozen=True)
class RowPlan:
    entries: tuple[Column | Nested, ...]

    def columns(self) -> list[str]:
        columns = []
        for entry in self.entries:
            columns += [entry.key, *entry.plan.columns()] if isinstance(entry, Nested) else [entry.key]
        return list(dict.fromkeys(columns))

    def rows(self, queryset: QuerySet) -> QuerySet:
        """The plan's columns and the queryset's annotations (a page's total among them)."""
        return queryset.values(*self.columns(), *queryset.query.annotations)

    def represent(self, row: dict) -> dict:
        out = {}
        for entry in self.entries:
            value = row[entry.key]
            if value is None:
                out[entry.name] = None
            elif isinstance(entry, Nested):
                out[entry.name] = entry.plan.represent(row)
            else:
                out[entry.name] = value if entry.convert is None else entry.convert(value)
        return out


_plans: dict[type, RowPlan | None] = {}

# Where a serializer would decide its output itself, beyond its fields' own `to_representation`.
_SHAPING = frozenset({"to_representation", "data", "fields", "_readable_fields", "get_fields", "__init__"})
# The framework's serializers, whose own ways the plan reproduces (api/viewsets.py's get_fields only adjusts fields).
_FRAMEWORK_MODULES = ("rest_framework.", "api.serializers", "builtins")


def _shapes_itself(serializer_class: type) -> bool:
    return any(
        _SHAPING & vars(klass).keys()
        for klass in serializer_class.__mro__
        if not klass.__module__.startswith(_FRAMEWORK_MODULES)
    )


def row_plan(serializer_class: type, make_serializer: Callable[[], serializers.Serializer]) -> RowPlan | None:
    """The plan of a serializer class, compiled from its first instance; None if it cannot be served from rows.
    Its readable fields must not depend on who asks (what a role may *write* may differ)."""
    if "rows" not in settings.FAST_PATHS:
        return None
    if serializer_class not in _plans:
        serializer = make_serializer()
        planned = not _shapes_itself(serializer_class)
        _plans[serializer_class] = _compile(serializer, serializer.Meta.model, prefix="") if planned else None
    return _plans[serializer_class]


def _compile(serializer: serializers.Serializer, model: type[Model], prefix: str) -> RowPlan | None:
    entries: list[Column | Nested] = []
    for field in serializer._readable_fields:
        path = _column_path(model, field.source_attrs)
        if path is None:
            return None
        key, model_field = prefix + "__".join(path[0]), path[1]
        if isinstance(field, serializers.BaseSerializer):
            if getattr(field, "many", False) or not model_field.is_relation or _shapes_itself(type(field)):
                return None
            related = model_field.related_model
            plan = _compile(field, related, prefix=f"{key}__")
            if plan is None:
                return None
            entries.append(Nested(field.field_name, f"{key}__{related._meta.pk.name}", plan))
        elif model_field.is_relation:
            if not isinstance(field, serializers.PrimaryKeyRelatedField) or field.pk_field is not None:
                return None
            entries.append(Column(field.field_name, key, None))  # `.values()` gives the related row's id
        else:
            as_stored = type(field).to_representation in _AS_STORED
            entries.append(Column(field.field_name, key, None if as_stored else field.to_representation))
    return RowPlan(tuple(entries))


def _column_path(model: type[Model], attrs: list[str]):
    """(the lookup path, the final model field) of attributes that are columns along forward relations, or None."""
    field = None
    for position, attr in enumerate(attrs):
        if field is not None:
            model = field.related_model
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        forward = field.concrete and not field.many_to_many
        if not forward or (position < len(attrs) - 1 and not field.is_relation):
            return None
    return (attrs, field) if field is not None else None
