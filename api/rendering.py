"""JSON in and out: lowerCamelCase keys on the wire, snake_case in Python, orjson underneath."""

from functools import lru_cache

import orjson
from django.utils.functional import Promise
from djangorestframework_camel_case import util
from djangorestframework_camel_case.settings import api_settings as camel_case_settings
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError


@lru_cache(maxsize=2048)  # bounded: JSON field contents may bring keys of their own
def camel(name: str) -> str:
    """`first_name` → `firstName`, by the rule of djangorestframework-camel-case (its parser and schema hook),
    keys it is told to keep (JSON_CAMEL_CASE's `ignore_keys`) excepted, as its schema hook excepts them."""
    if name in (camel_case_settings.JSON_UNDERSCOREIZE.get("ignore_keys") or ()):
        return name
    return util.camelize_re.sub(util.underscore_to_camel, name)


# Values passed over as they are, known by exact type; subclasses and lazy text take the library's path.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def camelize(data):
    """The library's `camelize`, with the same output, made cheap for the dicts, lists and scalars serializers
    produce: a key is converted once per process rather than by a regex per key per row, and plain values are
    passed over without the library's iter() probe. Anything else (tuples, lazy text) goes to the library."""
    if type(data) in _PLAIN:
        return data
    if isinstance(data, dict):
        return {
            (camel(key) if type(key) is str else _camel_key(key)): (value if type(value) in _PLAIN else camelize(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [item if type(item) in _PLAIN else camelize(item) for item in data]
    return util.camelize(data)


class WireName(str):
    """A key of a request body that is not in the API's lowerCamelCase (`first_name`, `FirstName`), kept as the
    client wrote it: strict serializers refuse it as an unknown field, and errors name it as written."""


_UNDERSCORE = util.get_underscoreize_re({})


@lru_cache(maxsize=2048)
def python_name(key: str) -> str:
    """`firstName` → `first_name`; a key that is no lowerCamelCase name of one comes back as a WireName."""
    name = _UNDERSCORE.sub(r"\1_\2", key).lower()
    return name if camel(name) == key else WireName(key)


def underscoreize(data):
    """Request JSON with Python names for keys (`python_name`), at every depth."""
    if isinstance(data, dict):
        return {python_name(key): underscoreize(value) for key, value in data.items()}
    if isinstance(data, list):
        return [underscoreize(item) for item in data]
    return data


def _camel_key(key):
    return camel(str(key)) if isinstance(key, str | Promise) else key


def _default(value):
    # Lazy translation strings and other str-like values DRF may leave in the data.
    return str(value)


class CamelCaseJSONRenderer(renderers.BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(camelize(data), default=_default)


class ProblemJSONRenderer(CamelCaseJSONRenderer):
    media_type = "application/problem+json"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return orjson.dumps(data, default=_default)  # problem members are already named as the contract names them


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API of the development run, showing the same camelCase JSON as the API."""

    def get_default_renderer(self, view):
        return CamelCaseJSONRenderer()


class CamelCaseJSONParser(parsers.BaseParser):
    """Strict JSON: NaN, invalid UTF-8 and absurd nesting are a 400, never a 500."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return underscoreize(orjson.loads(stream.read()))
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise ParseError("The body is nested too deeply.") from exc
